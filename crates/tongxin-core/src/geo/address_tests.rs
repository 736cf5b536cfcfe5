use super::*;

fn matcher() -> Matcher {
    let rows = [
        (1, "静安花园 5号楼", "常德路27弄5号"),
        (2, "静安花园 6号楼", "常德路27弄6号"),
        (3, "华怡园 3号楼", "华山路250弄3号"),
        (4, "临街 12号", "常德路12号"),
        (5, "静安花园 15号楼", "常德路27弄15号"),
    ];
    Matcher::new(rows.map(|(id, name, address)| Entry { id, name: name.into(), address: address.into() }))
}

#[test]
fn chinese_numerals_read_as_numbers() {
    assert_eq!(chinese_number("二十七"), Some(27));
    assert_eq!(chinese_number("十五"), Some(15));
    assert_eq!(chinese_number("一百零三"), Some(103));
    assert_eq!(chinese_number("三五"), Some(35));
    assert_eq!(chinese_number("五"), Some(5));
}

#[test]
fn the_registered_address_is_found_exactly_and_with_prefixes_and_spaces() {
    let m = matcher();
    assert_eq!(m.find("常德路27弄5号"), Found::One(1));
    assert_eq!(m.find(" 常德路 27弄 5号 "), Found::One(1), "spaces");
    assert_eq!(m.find("常德路２７弄５号"), Found::One(1), "full-width digits");
    assert_eq!(m.find("上海市静安区常德路27弄5号"), Found::One(1), "city and district");
}

#[test]
fn street_lane_and_number_match_whatever_follows() {
    let m = matcher();
    assert_eq!(m.find("常德路27弄5号302室"), Found::One(1), "a room after the number");
    assert_eq!(m.find("常德路二十七弄五号三楼"), Found::One(1), "Chinese numerals");
    assert_eq!(m.find("静安寺街道常德路27弄15号"), Found::One(5), "15 is not 5");
    assert_eq!(m.find("常德路12号门口"), Found::One(4), "no lane");
    assert_eq!(m.find("华怡园3号楼"), Found::One(3), "the building's name");
}

#[test]
fn a_lane_without_a_number_offers_the_lane_and_nothing_vague_matches() {
    let m = matcher();
    assert_eq!(m.find("常德路27弄"), Found::Candidates(vec![1, 2, 5]));
    assert_eq!(m.find("常德路"), Found::None, "a street alone is too vague");
    assert_eq!(m.find("常德路27弄9号"), Found::None, "no such number");
    assert_eq!(m.find("延安西路27弄5号"), Found::None, "another street");
    assert_eq!(m.find(""), Found::None);
    assert_eq!(m.find("静安花园"), Found::None, "an estate name shorter than a building's");
}

#[test]
fn registered_addresses_split_into_parts() {
    let parts = Parts::of_registered("常德路27弄5号").unwrap();
    assert_eq!(parts, Parts { street: "常德路".into(), lane: Some(27), number: Some(5) });
    assert_eq!(Parts::of_registered("常德路12号").unwrap().lane, None);
    assert_eq!(Parts::of_registered("没有门牌"), None);
}
