use serde_json::{Map, Value, json};

use super::*;
use crate::campaigns::templates;

fn answers(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn sweep() -> Checklist {
    templates::ebike_sweep().checklist
}

#[test]
fn every_template_is_a_valid_checklist() {
    for t in templates::all() {
        t.checklist.validate().unwrap_or_else(|e| panic!("{}: {e}", t.code));
        // The checklist survives being stored as JSON and read back.
        let stored = serde_json::to_string(&t.checklist).unwrap();
        let read: Checklist = serde_json::from_str(&stored).unwrap();
        assert_eq!(read, t.checklist, "{}", t.code);
    }
    assert!(templates::named("ebike_sweep").is_some());
    assert!(templates::named("nothing").is_none());
}

#[test]
fn a_household_without_ebikes_answers_only_the_count() {
    let checked = sweep().check(&answers(json!({"ebikes": 0})), 0).unwrap();
    assert_eq!(checked.answers.len(), 1);
    assert!(checked.findings.is_empty());
    assert!(!checked.pledged);
}

#[test]
fn a_failing_answer_opens_a_case_with_words_from_the_answers() {
    let a = json!({"ebikes": 2, "corridor_charging": false, "flying_wire": true, "battery_indoors": false,
        "charging_place": "home", "pledge": true});
    let checked = sweep().check(&answers(a), 0).unwrap();
    assert_eq!(checked.findings.len(), 1);
    assert_eq!(checked.findings[0].category, "E0503");
    assert_eq!(checked.findings[0].item, "flying_wire");
    assert!(checked.findings[0].description.contains("{target}：上门排摸发现飞线充电"));
    assert!(checked.pledged);
}

#[test]
fn shown_required_items_must_be_answered_and_hidden_ones_must_not() {
    // Two e-bikes: the follow-up questions are required.
    let errors = sweep().check(&answers(json!({"ebikes": 2})), 0).unwrap_err();
    let items: Vec<&str> = errors.iter().map(|e| e.item.as_str()).collect();
    assert_eq!(items, ["corridor_charging", "flying_wire", "battery_indoors", "charging_place", "pledge"]);
    // No e-bike: answering a follow-up is refused, naming it.
    let errors = sweep().check(&answers(json!({"ebikes": 0, "flying_wire": true})), 0).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].item, "flying_wire");
    assert!(errors[0].reason.contains("不需要填写"), "{}", errors[0].reason);
}

#[test]
fn wrong_types_and_unknown_items_are_named() {
    let a = json!({"ebikes": "two", "colour": "red"});
    let errors = sweep().check(&answers(a), 0).unwrap_err();
    let items: Vec<&str> = errors.iter().map(|e| e.item.as_str()).collect();
    assert_eq!(items, ["colour", "ebikes"]);
    let errors = sweep().check(&answers(json!({"ebikes": 99})), 0).unwrap_err();
    assert!(errors[0].reason.contains("0 到 20"), "{}", errors[0].reason);
    let a = json!({"ebikes": 1, "corridor_charging": "yes", "flying_wire": false, "battery_indoors": false,
        "charging_place": "garage", "pledge": false});
    let errors = sweep().check(&answers(a), 0).unwrap_err();
    let items: Vec<&str> = errors.iter().map(|e| e.item.as_str()).collect();
    assert_eq!(items, ["corridor_charging", "charging_place"]);
    assert!(errors[1].reason.contains("shed"), "the choices are listed: {}", errors[1].reason);
}

#[test]
fn photos_are_counted_from_the_visit() {
    let mut list = templates::garbage_sorting().checklist;
    let a = json!({"mixed": false, "overflow": false, "guide": true, "rating": "good", "photo": 2});
    assert!(list.check(&answers(a.clone()), 2).is_ok());
    assert_eq!(list.check(&answers(a), 1).unwrap_err()[0].item, "photo");
    // A required photo item needs a photo.
    list.items.iter_mut().find(|i| i.code == "photo").unwrap().required = true;
    let a = json!({"mixed": false, "overflow": false, "guide": true, "rating": "good", "photo": 0});
    assert_eq!(list.check(&answers(a), 0).unwrap_err()[0].item, "photo");
}

#[test]
fn multiple_choices_show_follow_ups_and_any_answer_opens_a_case() {
    let list = templates::civility_patrol().checklist;
    let a = json!({"problems": ["fire_lane", "fire_lane"], "fire_lane_where": "常德路27弄口"});
    let checked = list.check(&answers(a), 0).unwrap();
    assert_eq!(checked.answers["problems"], Answer::Codes(vec!["fire_lane".into()]), "a repeated choice counts once");
    assert_eq!(checked.findings.len(), 1);
    assert_eq!(checked.findings[0].description, "巡访发现消防通道占用：常德路27弄口");
    let errors = list.check(&answers(json!({"problems": ["litter"]})), 0).unwrap_err();
    assert_eq!(errors[0].item, "litter_where");
}

#[test]
fn an_answer_sets_a_layer_status() {
    let list = templates::elevator_retrofit().checklist;
    let checked = list.check(&answers(json!({"consultation": "passed", "agree": 18})), 0).unwrap();
    assert_eq!(checked.statuses, vec![StatusSet { layer: "elevator".into(), status: "consulted".into() }]);
}

#[test]
fn a_checklist_that_cannot_work_is_refused() {
    let mut list = sweep();
    list.items[1].code = "ebikes".into();
    assert!(list.validate().unwrap_err().contains("重复"));
    let mut list = sweep();
    list.items.swap(0, 1);
    assert!(list.validate().unwrap_err().contains("之前的题目"));
    let mut list = sweep();
    list.items[0].code = "Bad Code".into();
    assert!(list.validate().is_err());
    assert!(Checklist { items: Vec::new() }.validate().is_err());
}

#[test]
fn numbers_compare_by_bound_and_text_is_capped() {
    assert!(Answer::Number(2.0).matches(&[">0".into()]));
    assert!(!Answer::Number(0.0).matches(&[">0".into()]));
    assert!(Answer::Number(3.0).matches(&["<4".into()]));
    assert!(Answer::Number(3.0).matches(&["3".into()]));
    assert!(!Answer::Text(String::new()).matches(&["*".into()]));
    let list = templates::census_visit().checklist;
    let long = "字".repeat(MAX_TEXT + 1);
    let errors = list.check(&answers(json!({"people": 3, "matches": true, "note": long})), 0).unwrap_err();
    assert_eq!(errors[0].item, "note");
}
