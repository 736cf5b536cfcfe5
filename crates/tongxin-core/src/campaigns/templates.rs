//! The checklists shipped with Tongxin, each a campaign a subdistrict runs every year: the
//! e-bike fire-safety sweep, the garbage-sorting check, the daily civilised-district
//! patrol, the elevator-retrofit consultation, the epidemic building check and a
//! census-style household visit. A campaign copies its template's checklist, so changing
//! a template never changes a running campaign.

use std::collections::BTreeMap;

use super::TargetKind;
use super::checklist::{CaseRule, Checklist, Choice, Condition, Item, ItemKind, StatusRule};

/// A shipped template: its code, name, what it visits and its checklist.
#[derive(Debug, Clone)]
pub struct Template {
    pub code: &'static str,
    pub name: &'static str,
    pub target: TargetKind,
    pub checklist: Checklist,
}

fn item(code: &str, label: &str, kind: ItemKind) -> Item {
    Item {
        code: code.into(),
        label: label.into(),
        kind,
        required: true,
        shown_when: None,
        opens_case: None,
        sets_status: None,
    }
}

fn choices(pairs: &[(&str, &str)]) -> Vec<Choice> {
    pairs.iter().map(|(code, label)| Choice { code: (*code).into(), label: (*label).into() }).collect()
}

fn optional(mut item: Item) -> Item {
    item.required = false;
    item
}

fn when(mut item: Item, earlier: &str, any_of: &[&str]) -> Item {
    item.shown_when = Some(Condition { item: earlier.into(), any_of: any_of.iter().map(|s| (*s).into()).collect() });
    item
}

fn opens(item: Item, category: &str, answers: &[&str], description: &str) -> Item {
    opens_with(item, category, answers, description, &[])
}

/// As [`opens`], the case filed with the category's attributes `attributes`.
fn opens_with(
    mut item: Item,
    category: &str,
    answers: &[&str],
    description: &str,
    attributes: &[(&str, &str)],
) -> Item {
    item.opens_case = Some(CaseRule {
        category: category.into(),
        when: answers.iter().map(|s| (*s).into()).collect(),
        description: description.into(),
        attributes: attributes.iter().map(|(k, v)| ((*k).into(), serde_json::Value::from(*v))).collect(),
    });
    item
}

fn sets(mut item: Item, layer: &str, statuses: &[(&str, &str)]) -> Item {
    item.sets_status = Some(StatusRule {
        layer: layer.into(),
        statuses: statuses.iter().map(|(a, s)| ((*a).into(), (*s).into())).collect::<BTreeMap<_, _>>(),
    });
    item
}

/// 电动自行车消防安全排摸: every household with an e-bike, door to door.
pub fn ebike_sweep() -> Template {
    use ItemKind::*;
    let items = vec![
        item("ebikes", "家中电动自行车数量", Number { min: Some(0.0), max: Some(20.0) }),
        opens_with(
            when(item("corridor_charging", "是否在楼道、门厅充电或停放", YesNo), "ebikes", &[">0"]),
            "E0504",
            &["yes"],
            "{target}：上门排摸发现电动车在楼道、门厅充电或停放",
            &[("place", "corridor")],
        ),
        // Found as a habit on the visit, not necessarily charging at that moment.
        opens_with(
            when(item("flying_wire", "是否飞线充电（从窗口、楼上拉线）", YesNo), "ebikes", &[">0"]),
            "E0503",
            &["yes"],
            "{target}：上门排摸发现飞线充电",
            &[("charging", "no")],
        ),
        opens_with(
            when(item("battery_indoors", "是否把电池带回家中充电", YesNo), "ebikes", &[">0"]),
            "E0503",
            &["yes"],
            "{target}：上门排摸发现电池带回家中充电",
            &[("charging", "no")],
        ),
        when(
            item(
                "charging_place",
                "平时在哪里充电",
                Choice {
                    choices: choices(&[
                        ("shed", "小区充电棚"),
                        ("public", "社会充电桩"),
                        ("work", "单位"),
                        ("home", "家中"),
                        ("other", "其他"),
                    ]),
                },
            ),
            "ebikes",
            &[">0"],
        ),
        when(item("pledge", "车主签署电动自行车安全承诺书", Pledge), "ebikes", &[">0"]),
        // What the door shows of the building's fire safety, noted on the way.
        optional(opens(
            item("corridor_clutter", "楼道是否堆物", YesNo),
            "E0103",
            &["yes"],
            "{target}：排摸发现楼道堆物",
        )),
        optional(opens(
            item("fire_lane", "消防通道是否被占用", YesNo),
            "E0401",
            &["yes"],
            "{target}：排摸发现消防通道占用",
        )),
        optional(opens_with(
            item("fire_equipment", "楼内消防设施是否损坏", YesNo),
            "C0103",
            &["yes"],
            "{target}：排摸发现楼内消防设施损坏",
            &[("device", "other")],
        )),
        optional(item("photo", "现场照片", Photo)),
        optional(item("note", "备注", Text)),
    ];
    Template {
        code: "ebike_sweep",
        name: "电动自行车消防安全排摸",
        target: TargetKind::Household,
        checklist: Checklist { items },
    }
}

/// 垃圾分类检查: each building's bin room, checked against the sorting rules.
pub fn garbage_sorting() -> Template {
    use ItemKind::*;
    let items = vec![
        opens_with(
            item("mixed", "是否混投混放", YesNo),
            "E0102",
            &["yes"],
            "{target}：垃圾分类检查发现混投混放",
            &[("kind", "mixed")],
        ),
        opens(
            item("overflow", "垃圾箱是否满溢、周边有暴露垃圾", YesNo),
            "E0101",
            &["yes"],
            "{target}：垃圾箱满溢、有暴露垃圾",
        ),
        item("guide", "定时定点投放是否有人值守", YesNo),
        item("rating", "分类实效", Choice { choices: choices(&[("good", "好"), ("fair", "一般"), ("poor", "差")]) }),
        optional(item("photo", "现场照片", Photo)),
        optional(item("note", "备注", Text)),
    ];
    Template {
        code: "garbage_sorting",
        name: "垃圾分类实效检查",
        target: TargetKind::Building,
        checklist: Checklist { items },
    }
}

/// 文明城区每日巡访: a grid's streets walked each day.
pub fn civility_patrol() -> Template {
    use ItemKind::*;
    let items = vec![
        item(
            "problems",
            "发现的问题",
            MultiChoice {
                choices: choices(&[
                    ("litter", "暴露垃圾"),
                    ("clutter", "乱堆物"),
                    ("fire_lane", "消防通道占用"),
                    ("stalls", "占道经营"),
                ]),
            },
        ),
        opens(
            when(item("litter_where", "暴露垃圾的位置", Text), "problems", &["litter"]),
            "E0101",
            &["*"],
            "巡访发现暴露垃圾：{answer}",
        ),
        opens(
            when(item("fire_lane_where", "消防通道占用的位置", Text), "problems", &["fire_lane"]),
            "E0401",
            &["*"],
            "巡访发现消防通道占用：{answer}",
        ),
        optional(item("photo", "现场照片", Photo)),
    ];
    Template {
        code: "civility_patrol",
        name: "文明城区每日巡访",
        target: TargetKind::Grid,
        checklist: Checklist { items },
    }
}

/// 加装电梯意愿征询: a building's households asked, and its retrofit stage set.
pub fn elevator_retrofit() -> Template {
    use ItemKind::*;
    let items = vec![
        sets(
            item(
                "consultation",
                "征询结果",
                Choice {
                    choices: choices(&[("passed", "征询通过"), ("failed", "未通过"), ("pending", "征询中")])
                },
            ),
            "elevator",
            &[("passed", "consulted"), ("failed", "refused"), ("pending", "consulting")],
        ),
        item("agree", "同意户数", Number { min: Some(0.0), max: Some(500.0) }),
        optional(item("note", "备注", Text)),
    ];
    Template {
        code: "elevator_retrofit",
        name: "加装电梯意愿征询",
        target: TargetKind::Building,
        checklist: Checklist { items },
    }
}

/// 防疫楼宇排查: each building's watch status.
pub fn epidemic_check() -> Template {
    use ItemKind::*;
    let items = vec![
        sets(
            item(
                "status",
                "楼宇状态",
                Choice {
                    choices: choices(&[("normal", "正常"), ("watch", "看家护院"), ("isolation", "有居家隔离")])
                },
            ),
            "epidemic",
            &[("normal", "normal"), ("watch", "watch"), ("isolation", "isolation")],
        ),
        item("door_guard", "门岗是否落实测温登记", YesNo),
        optional(item("note", "备注", Text)),
    ];
    Template {
        code: "epidemic_check",
        name: "防疫楼宇排查",
        target: TargetKind::Building,
        checklist: Checklist { items },
    }
}

/// 人口普查式入户: who lives here, checked against the registry.
pub fn census_visit() -> Template {
    use ItemKind::*;
    let items = vec![
        item("people", "现住人数", Number { min: Some(0.0), max: Some(30.0) }),
        item("matches", "与登记信息是否一致", YesNo),
        when(item("differences", "不一致之处", Text), "matches", &["no"]),
        optional(item("note", "备注", Text)),
    ];
    Template {
        code: "census_visit",
        name: "入户人口核查",
        target: TargetKind::Household,
        checklist: Checklist { items },
    }
}

/// Every shipped template.
pub fn all() -> Vec<Template> {
    vec![ebike_sweep(), garbage_sorting(), civility_patrol(), elevator_retrofit(), epidemic_check(), census_visit()]
}

/// The template `code`.
pub fn named(code: &str) -> Option<Template> {
    all().into_iter().find(|t| t.code == code)
}
