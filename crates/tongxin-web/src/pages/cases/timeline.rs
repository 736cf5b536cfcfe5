//! A case's story in words, for its page and the public feed: the timeline's steps with
//! their photos, what each step recorded, and the category's attributes by name.

use tongxin_app::cases::photos::PhotoView;
use tongxin_core::cases::catalog::Category;
use tongxin_core::cases::lifecycle::Action;
use tongxin_core::pii::mask_numbers_in;
use tongxin_store::cases::{Event, Photo};

use super::{action_key, short_time, source_key, status_key};
use crate::i18n::Lang;

/// One step of the timeline.
pub struct Step {
    pub at: String,
    pub actor: String,
    /// The catalog key naming the step.
    pub action: &'static str,
    pub to: &'static str,
    pub note: String,
    pub detail: String,
    /// (full, thumbnail) links of the photos that came with the step.
    pub photos: Vec<(String, String)>,
}

/// The catalog key of a timeline step named by its action.
pub fn step_key(action: &str) -> &'static str {
    action.parse::<Action>().map(action_key).unwrap_or(match action {
        "report" => "action.report",
        "add_photos" => "action.add_photos",
        "merge" => "action.merge",
        "merged" => "action.merged",
        "place" => "action.place",
        _ => "action.overdue",
    })
}

/// The steps of a case, oldest first, each with the photos that came with it.
pub fn timeline(
    lang: Lang,
    events: &[Event],
    stored: &[Photo],
    photos: &[PhotoView],
    departments: &[(String, String)],
) -> Vec<Step> {
    events
        .iter()
        .map(|e| Step {
            at: short_time(&e.at.to_shanghai_rfc3339()),
            actor: e.actor_name.clone(),
            action: step_key(&e.action),
            to: e.to_status.parse().map(status_key).unwrap_or("status.reported"),
            note: mask_numbers_in(&e.note),
            detail: step_detail(lang, &e.data, departments),
            photos: stored
                .iter()
                .zip(photos)
                .filter(|(p, _)| p.event_id == Some(e.id))
                .map(|(_, v)| (v.url.clone(), v.thumbnail_url.clone()))
                .collect(),
        })
        .collect()
}

/// A case's attributes as (label, value) in words: a choice by its name, a list joined
/// with 、.
pub fn attributes_shown(attributes: &serde_json::Value, category: Option<&Category>) -> Vec<(String, String)> {
    attributes
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(code, value)| {
                    let def = category.and_then(|c| c.attributes.iter().find(|a| &a.code == code));
                    let label = def.map_or(code.clone(), |d| d.name.clone());
                    let text = |v: &serde_json::Value| {
                        let raw = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
                        match def.map(|d| &d.datatype) {
                            Some(
                                tongxin_core::cases::catalog::AttributeType::SingleChoice(values)
                                | tongxin_core::cases::catalog::AttributeType::MultiChoice(values),
                            ) => values.iter().find(|(k, _)| *k == raw).map_or(raw.clone(), |(_, name)| name.clone()),
                            _ => raw,
                        }
                    };
                    let shown = match value {
                        serde_json::Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join("、"),
                        other => text(other),
                    };
                    (label, shown)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The facts a step recorded, in words: "来源：巡查上报；部门：城管中队" rather than its keys.
pub fn step_detail(lang: Lang, data: &serde_json::Value, departments: &[(String, String)]) -> String {
    use tongxin_core::cases::calendar::TimeLimit;
    let t = lang.catalog();
    let Some(map) = data.as_object() else { return String::new() };
    let text = |v: &serde_json::Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .filter_map(|(key, v)| {
            let value = text(v);
            Some(match key.as_str() {
                "source" => {
                    let label = value.parse().map_or(value.clone(), |s| t.get(source_key(s)).to_owned());
                    t.fmt("detail.source", &[("source", &label)])
                }
                "duplicate_of" => t.fmt("detail.duplicate_of", &[("id", &value)]),
                "department" => {
                    let name = departments.iter().find(|(c, _)| *c == value).map_or(value.as_str(), |(_, n)| n);
                    t.fmt("detail.department", &[("department", &name)])
                }
                "reason" => t.fmt("detail.reason", &[("reason", &mask_numbers_in(&value))]),
                "extension" => match tongxin_core::cases::catalog::parse_limit(&value) {
                    Some(TimeLimit::WorkingHours(h)) => t.fmt("detail.extension_working", &[("hours", &h)]),
                    Some(TimeLimit::NaturalHours(h)) => t.fmt("detail.extension_natural", &[("hours", &h)]),
                    None => t.fmt("detail.reason", &[("reason", &value)]),
                },
                "rating" => t.fmt("detail.rating", &[("rating", &value)]),
                "photos" => t.fmt("detail.photos", &[("n", &value)]),
                "into_number" => t.fmt("detail.into", &[("number", &value)]),
                "from_number" => t.fmt("detail.from", &[("number", &value)]),
                "due" => {
                    let due = v.as_i64().map_or(value.clone(), |ms| {
                        short_time(&tongxin_core::time::Timestamp::from_millis(ms).to_shanghai_rfc3339())
                    });
                    t.fmt("detail.due", &[("due", &due)])
                }
                "grid" => t.fmt("detail.grid", &[("grid", &value)]),
                // ids that the numbers above already name, and a place's previous one
                "into" | "from" | "region" | "building_id" | "before" => return None,
                _ => format!("{key}: {value}"),
            })
        })
        .collect::<Vec<_>>()
        .join(t.get("detail.separator"))
}
