//! A campaign's checklist: typed items, some required, some shown only when an earlier
//! answer asks for them, some opening a case when answered a certain way. [`Checklist::check`]
//! holds a visit's answers to it and says what they found.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest text answer, in characters.
pub const MAX_TEXT: usize = 500;
/// The most items a checklist holds.
pub const MAX_ITEMS: usize = 60;

/// One choice of a choice item: its stored code and the words shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// What an item asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    /// 是/否, answered `true` or `false`.
    YesNo,
    /// A number, within the bounds when given.
    Number {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// One of the choices, answered with its code.
    Choice { choices: Vec<Choice> },
    /// Any of the choices, answered with a list of codes.
    MultiChoice { choices: Vec<Choice> },
    /// Photos taken on the visit; answered with how many came with it.
    Photo,
    /// Free text, at most [`MAX_TEXT`] characters.
    Text,
    /// The safety pledge (承诺书), signed on the spot: answered `true` when signed.
    Pledge,
}

/// Shows an item only when the answer to an earlier `item` is one of `any_of` (for a
/// yes/no item `"yes"` or `"no"`; for choices, their codes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub item: String,
    pub any_of: Vec<String>,
}

/// Opens a case of `category` when the answer is one of `when` (as for [`Condition`];
/// for a number, `">N"` or `"<N"`; `"*"` for any answer). `description` is written with `{item}` (the item's
/// words), `{answer}` (the answer's) and `{target}` (the building, room or shed) filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRule {
    pub category: String,
    pub when: Vec<String>,
    pub description: String,
    /// The category's attributes the case is filed with (its required ones, at least).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Value>,
}

/// Sets the status of a building status layer from the answer: `statuses` maps an answer
/// (a choice's code, `"yes"` or `"no"`) to the layer's status code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusRule {
    pub layer: String,
    pub statuses: BTreeMap<String, String>,
}

/// One item of a checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Unique within the checklist: `[a-z0-9_]`, at most 32 characters.
    pub code: String,
    pub label: String,
    #[serde(flatten)]
    pub kind: ItemKind,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown_when: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_case: Option<CaseRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sets_status: Option<StatusRule>,
}

/// A checklist: its items in the order they are asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    pub items: Vec<Item>,
}

/// An answer held to its item's type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Bool(bool),
    Number(f64),
    Text(String),
    Codes(Vec<String>),
}

/// A problem with one answer, naming the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError {
    pub item: String,
    pub reason: String,
}

impl AnswerError {
    fn new(item: &str, reason: impl Into<String>) -> Self {
        Self { item: item.to_owned(), reason: reason.into() }
    }
}

/// What a visit found: an answer that opens a case.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub item: String,
    pub category: String,
    pub attributes: BTreeMap<String, Value>,
    /// The case's description, `{target}` still to be filled by the caller.
    pub description: String,
}

/// A status a visit sets: layer and status codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSet {
    pub layer: String,
    pub status: String,
}

/// A visit's answers, checked: the answers kept (shown items only), what they found and
/// the statuses they set.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub answers: BTreeMap<String, Answer>,
    pub findings: Vec<Finding>,
    pub statuses: Vec<StatusSet>,
    /// Whether the safety pledge was signed on this visit.
    pub pledged: bool,
}

impl Answer {
    /// The answer as the words a condition or a rule compares: `yes`/`no`, a number, a
    /// text, or each chosen code.
    fn keys(&self) -> Vec<String> {
        match self {
            Answer::Bool(b) => vec![if *b { "yes" } else { "no" }.to_owned()],
            Answer::Number(n) => vec![n.to_string()],
            Answer::Text(t) => vec![t.clone()],
            Answer::Codes(codes) => codes.clone(),
        }
    }

    /// Whether the answer is one of `wanted` (`">N"`/`"<N"` compare a number; `"*"` is
    /// any answer given).
    fn matches(&self, wanted: &[String]) -> bool {
        if wanted.iter().any(|w| w == "*") {
            return !self.keys().iter().all(String::is_empty);
        }
        if let Answer::Number(n) = self {
            return wanted.iter().any(|w| match (w.strip_prefix('>'), w.strip_prefix('<')) {
                (Some(bound), _) => bound.trim().parse::<f64>().is_ok_and(|b| *n > b),
                (_, Some(bound)) => bound.trim().parse::<f64>().is_ok_and(|b| *n < b),
                _ => w.trim().parse::<f64>().is_ok_and(|b| *n == b),
            });
        }
        self.keys().iter().any(|k| wanted.contains(k))
    }

    /// The answer in words, choices by their labels.
    fn words(&self, kind: &ItemKind) -> String {
        let label = |code: &String| match kind {
            ItemKind::Choice { choices } | ItemKind::MultiChoice { choices } => {
                choices.iter().find(|c| &c.code == code).map_or(code.clone(), |c| c.label.clone())
            }
            _ => code.clone(),
        };
        match self {
            Answer::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
            Answer::Number(n) => n.to_string(),
            Answer::Text(t) => label(t),
            Answer::Codes(codes) => codes.iter().map(label).collect::<Vec<_>>().join("、"),
        }
    }
}

impl Item {
    /// `value` held to this item's type; `photos` is how many photos came with the visit.
    fn read(&self, value: &Value, photos: usize) -> Result<Answer, String> {
        let choice = |choices: &[Choice], code: &str| {
            choices.iter().any(|c| c.code == code).then(|| code.to_owned()).ok_or_else(|| {
                let codes: Vec<&str> = choices.iter().map(|c| c.code.as_str()).collect();
                format!("“{code}”不是可选项，可选：{}", codes.join("、"))
            })
        };
        match (&self.kind, value) {
            (ItemKind::YesNo | ItemKind::Pledge, Value::Bool(b)) => Ok(Answer::Bool(*b)),
            (ItemKind::YesNo | ItemKind::Pledge, _) => Err("请回答是或否（true/false）".into()),
            (ItemKind::Number { min, max }, Value::Number(n)) => {
                let n = n.as_f64().filter(|n| n.is_finite()).ok_or("不是有效的数字")?;
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    let (lo, hi) =
                        (min.map_or("-".into(), |m| m.to_string()), max.map_or("-".into(), |m| m.to_string()));
                    return Err(format!("数字应在 {lo} 到 {hi} 之间"));
                }
                Ok(Answer::Number(n))
            }
            (ItemKind::Number { .. }, _) => Err("请填写数字".into()),
            (ItemKind::Choice { choices }, Value::String(code)) => Ok(Answer::Text(choice(choices, code)?)),
            (ItemKind::Choice { .. }, _) => Err("请选择一项".into()),
            (ItemKind::MultiChoice { choices }, Value::Array(codes)) => {
                let mut chosen = Vec::new();
                for code in codes {
                    let code = code.as_str().ok_or("多选的每一项应是选项代码")?;
                    let code = choice(choices, code)?;
                    if !chosen.contains(&code) {
                        chosen.push(code);
                    }
                }
                Ok(Answer::Codes(chosen))
            }
            (ItemKind::MultiChoice { .. }, _) => Err("多选应是选项代码的列表".into()),
            (ItemKind::Photo, Value::Number(n)) if n.as_u64() == Some(photos as u64) => {
                Ok(Answer::Number(photos as f64))
            }
            (ItemKind::Photo, _) => Err(format!("照片数应与随访上传的照片数（{photos}）一致")),
            (ItemKind::Text, Value::String(text)) => {
                let text = text.trim();
                if text.chars().count() > MAX_TEXT {
                    return Err(format!("文字最多 {MAX_TEXT} 字"));
                }
                Ok(Answer::Text(text.to_owned()))
            }
            (ItemKind::Text, _) => Err("请填写文字".into()),
        }
    }

    /// Whether an answer counts as given for a required item: a photo item needs a
    /// photo, a text some words, a multiple choice one choice.
    fn given(&self, answer: &Answer) -> bool {
        match (&self.kind, answer) {
            (ItemKind::Photo, Answer::Number(n)) => *n > 0.0,
            (_, Answer::Text(t)) => !t.is_empty(),
            (_, Answer::Codes(codes)) => !codes.is_empty(),
            _ => true,
        }
    }
}

impl Checklist {
    /// Checks the checklist itself: codes unique and well-formed, conditions and rules
    /// naming earlier items and real choices. A campaign is refused with the first problem.
    pub fn validate(&self) -> Result<(), String> {
        if self.items.is_empty() {
            return Err("检查表至少要有一项".into());
        }
        if self.items.len() > MAX_ITEMS {
            return Err(format!("检查表最多 {MAX_ITEMS} 项"));
        }
        for (i, item) in self.items.iter().enumerate() {
            let code_ok = !item.code.is_empty()
                && item.code.len() <= 32
                && item.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !code_ok {
                return Err(format!("第 {} 项的代码“{}”只能用小写字母、数字和下划线，最多 32 个", i + 1, item.code));
            }
            if self.items[..i].iter().any(|e| e.code == item.code) {
                return Err(format!("代码“{}”重复", item.code));
            }
            if item.label.trim().is_empty() {
                return Err(format!("“{}”缺少题目", item.code));
            }
            if let ItemKind::Choice { choices } | ItemKind::MultiChoice { choices } = &item.kind
                && choices.is_empty()
            {
                return Err(format!("“{}”没有选项", item.label));
            }
            if let Some(condition) = &item.shown_when
                && !self.items[..i].iter().any(|e| e.code == condition.item)
            {
                return Err(format!("“{}”的显示条件要引用它之前的题目，没有“{}”", item.label, condition.item));
            }
            if let Some(rule) = &item.opens_case
                && (rule.category.trim().is_empty() || rule.when.is_empty())
            {
                return Err(format!("“{}”的立案规则要有类别和触发的答案", item.label));
            }
        }
        Ok(())
    }

    /// The rules by which this checklist opens cases.
    pub fn case_rules(&self) -> Vec<&CaseRule> {
        self.items.iter().filter_map(|i| i.opens_case.as_ref()).collect()
    }

    /// Holds `answers` (item code → JSON value) to the checklist: each answer of the
    /// item's type, every shown required item answered, no answer to a hidden or unknown
    /// item. `photos` is how many photos came with the visit. Every problem is returned.
    pub fn check(&self, answers: &serde_json::Map<String, Value>, photos: usize) -> Result<Checked, Vec<AnswerError>> {
        let mut problems: Vec<AnswerError> = answers
            .keys()
            .filter(|code| !self.items.iter().any(|i| &i.code == *code))
            .map(|code| AnswerError::new(code, "检查表里没有这一项"))
            .collect();
        let mut kept: BTreeMap<String, Answer> = BTreeMap::new();
        let mut checked =
            Checked { answers: BTreeMap::new(), findings: Vec::new(), statuses: Vec::new(), pledged: false };
        for item in &self.items {
            let shown = item
                .shown_when
                .as_ref()
                .is_none_or(|c| kept.get(&c.item).is_some_and(|answer| answer.matches(&c.any_of)));
            let value = answers.get(&item.code).filter(|v| !v.is_null());
            let answer = match (shown, value) {
                (false, Some(_)) => {
                    problems.push(AnswerError::new(&item.code, "这一项按前面的回答不需要填写"));
                    continue;
                }
                (false, None) => continue,
                (true, None) => {
                    if item.required {
                        problems.push(AnswerError::new(&item.code, format!("“{}”必须填写", item.label)));
                    }
                    continue;
                }
                (true, Some(value)) => match item.read(value, photos) {
                    Ok(answer) => answer,
                    Err(reason) => {
                        problems.push(AnswerError::new(&item.code, reason));
                        continue;
                    }
                },
            };
            if item.required && !item.given(&answer) {
                problems.push(AnswerError::new(&item.code, format!("“{}”必须填写", item.label)));
                continue;
            }
            if let Some(rule) = &item.opens_case
                && answer.matches(&rule.when)
            {
                let description =
                    rule.description.replace("{item}", &item.label).replace("{answer}", &answer.words(&item.kind));
                checked.findings.push(Finding {
                    item: item.code.clone(),
                    category: rule.category.clone(),
                    attributes: rule.attributes.clone(),
                    description,
                });
            }
            if let Some(rule) = &item.sets_status
                && let Some(status) = answer.keys().iter().find_map(|k| rule.statuses.get(k))
            {
                checked.statuses.push(StatusSet { layer: rule.layer.clone(), status: status.clone() });
            }
            if item.kind == ItemKind::Pledge && answer == Answer::Bool(true) {
                checked.pledged = true;
            }
            kept.insert(item.code.clone(), answer);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        checked.answers = kept;
        Ok(checked)
    }
}

#[cfg(test)]
#[path = "checklist_tests.rs"]
mod tests;
