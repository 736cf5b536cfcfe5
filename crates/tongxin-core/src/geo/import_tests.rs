use serde_json::{Value, json};

use super::*;

fn square(x0: f64, y0: f64, size: f64) -> Value {
    let (x1, y1) = (x0 + size, y0 + size);
    json!({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
}

fn feature(code: &str, name: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry})
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

/// A subdistrict with one community split into two grids.
fn valid() -> Vec<Value> {
    vec![
        feature("310106013", "静安寺街道", Value::Null),
        feature("310106013001", "景华", square(121.44, 31.22, 0.002)),
        json!({"type": "Feature",
               "properties": {"code": "310106013001001", "name": "景华一", "level": "grid", "parent": "310106013001"},
               "geometry": {"type": "Polygon", "coordinates": [[[121.44, 31.22], [121.441, 31.22], [121.441, 31.222], [121.44, 31.222], [121.44, 31.22]]]}}),
        feature(
            "310106013001002",
            "景华二",
            json!({"type": "MultiPolygon", "coordinates": [
                [[[121.441, 31.22], [121.442, 31.22], [121.442, 31.222], [121.441, 31.222], [121.441, 31.22]]]
            ]}),
        ),
    ]
}

fn district() -> Region {
    Region { code: RegionCode::parse("310106").unwrap(), name: "静安区".into(), geometry: None }
}

fn problems(features: Vec<Value>) -> Vec<(usize, String)> {
    match check_import(&collection(features), &[district()], 1.0) {
        Err(ImportError::Rejected(list)) => list.iter().map(|p| (p.index, p.problem.kind().to_owned())).collect(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn accepts_a_valid_file_parents_first() {
    let mut features = valid();
    features.reverse();
    let plan = check_import(&collection(features), &[district()], 1.0).unwrap();
    let codes: Vec<_> = plan.regions.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["310106013", "310106013001", "310106013001001", "310106013001002"]);
    assert_eq!((plan.created, plan.updated), (4, 0));
    let mut stored = plan.regions.clone();
    stored.push(district());
    let again = check_import(&collection(valid()), &stored, 1.0).unwrap();
    assert_eq!((again.created, again.updated), (0, 4));
}

#[test]
fn names_the_missing_parent() {
    let rejected = check_import(&collection(valid()), &[], 1.0).unwrap_err();
    let ImportError::Rejected(list) = rejected else { panic!() };
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].to_string(),
        "feature #0 (310106013): parent region 310106 is neither in the file nor in the database"
    );
    let mut orphan = valid();
    orphan.remove(1);
    assert_eq!(problems(orphan), [(1, "missing_parent".into()), (2, "missing_parent".into())]);
}

#[test]
fn refuses_bad_codes_names_and_duplicates() {
    let mut f = valid();
    f.push(feature("31010601300", "bad", square(121.5, 31.5, 0.001)));
    f.push(json!({"type": "Feature", "properties": {"name": "no code"}, "geometry": square(121.5, 31.5, 0.001)}));
    f.push(feature("310106013001002", "again", square(121.441, 31.22, 0.001)));
    f.push(feature("310106013001003", " ", square(121.441, 31.22, 0.001)));
    assert_eq!(
        problems(f),
        [(4, "bad_code".into()), (5, "bad_code".into()), (6, "duplicate_code".into()), (7, "missing_name".into())]
    );
}

#[test]
fn refuses_stated_level_or_parent_that_disagree() {
    let mut f = valid();
    f[2]["properties"]["level"] = json!("community");
    f[3]["properties"]["parent"] = json!("310106013002");
    assert_eq!(problems(f), [(2, "level_mismatch".into()), (3, "parent_mismatch".into())]);
}

#[test]
fn refuses_bad_rings() {
    let mut f = valid();
    // unclosed
    f[2]["geometry"]["coordinates"][0].as_array_mut().unwrap().pop();
    // bow-tie: the ring crosses itself
    f[3]["geometry"] = json!({"type": "Polygon", "coordinates": [[[121.441, 31.22], [121.442, 31.222], [121.442, 31.22], [121.441, 31.222], [121.441, 31.22]]]});
    assert_eq!(problems(f), [(2, "unclosed_ring".into()), (3, "self_intersection".into())]);
}

#[test]
fn refuses_missing_or_wrong_geometry_and_bad_positions() {
    let mut f = valid();
    f[1]["geometry"] = Value::Null;
    f[2]["geometry"] = json!({"type": "Point", "coordinates": [121.44, 31.22]});
    f[3]["geometry"]["coordinates"][0][0][1] = json!([121.441, 95.0]);
    assert_eq!(
        problems(f),
        [(1, "bad_geometry_type".into()), (2, "bad_geometry_type".into()), (3, "bad_position".into())]
    );
}

#[test]
fn refuses_overlapping_siblings_beyond_the_tolerance() {
    let mut f = valid();
    // grid 2 shifted 20 m west overlaps grid 1 by about 20 m × 220 m
    f[3]["geometry"] = json!({"type": "Polygon", "coordinates": [[[121.4408, 31.22], [121.442, 31.22], [121.442, 31.222], [121.4408, 31.222], [121.4408, 31.22]]]});
    let found = problems(f.clone());
    assert_eq!(found, [(2, "overlap".into()), (3, "overlap".into())]);
    let ImportError::Rejected(list) = check_import(&collection(f.clone()), &[district()], 1.0).unwrap_err() else {
        panic!()
    };
    let Problem::OverlapsSibling { other, area_m2 } = &list[0].problem else { panic!() };
    assert_eq!(other, "310106013001002");
    assert!((3_000.0..6_000.0).contains(area_m2), "{area_m2}");
    // the same file passes when the tolerance is wider than the overlap
    assert!(check_import(&collection(f), &[district()], 10_000.0).is_ok());
}

#[test]
fn stored_siblings_count_for_overlaps() {
    let base = check_import(&collection(valid()), &[district()], 1.0).unwrap();
    let mut stored = base.regions.clone();
    stored.push(district());
    let new_grid = feature("310106013001003", "景华三", square(121.4415, 31.2205, 0.0004));
    let rejected = check_import(&collection(vec![new_grid]), &stored, 1.0).unwrap_err();
    let ImportError::Rejected(list) = rejected else { panic!() };
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].problem.kind(), "overlap");
}

#[test]
fn refuses_a_child_outside_its_parent() {
    let mut f = valid();
    f[3]["geometry"] = square(121.441, 31.22, 0.003);
    assert_eq!(problems(f), [(3, "outside_parent".into())]);
}

#[test]
fn refuses_what_is_not_a_feature_collection() {
    assert!(matches!(check_import("{", &[], 1.0), Err(ImportError::NotACollection(_))));
    let point = json!({"type": "Point", "coordinates": [1.0, 2.0]}).to_string();
    assert!(matches!(check_import(&point, &[], 1.0), Err(ImportError::NotACollection(_))));
}
