//! The text the data holds: names, addresses, descriptions and notes that people typed or
//! imported, which a page shows as they are, in any language. The English-mode test of
//! the pages (tongxin-web's `tests/pages_english.rs`) removes these strings from a page
//! before it looks for Chinese left untranslated: what remains came from a template or
//! the code, and must come from the message catalog.

use sqlx::Row;

use crate::{Store, StoreError};

/// (table, column) of text from the data. A JSON column gives its string values. Add a
/// column here when a table gains free text or a name that pages show.
pub const DATA_TEXT: &[(&str, &str)] = &[
    ("regions", "name"),
    ("buildings", "name"),
    ("buildings", "address"),
    ("households", "unit"),
    ("households", "room"),
    ("households", "notes"),
    ("residents", "name"),
    ("users", "display_name"),
    ("departments", "name"),
    ("categories", "name"),
    ("categories", "entry_criteria"),
    ("categories", "closing_criteria"),
    ("categories", "attributes"),
    ("cases", "description"),
    ("cases", "address"),
    ("cases", "attributes"),
    ("case_events", "actor_name"),
    ("case_events", "note"),
    ("case_events", "data"),
    ("service_categories", "name"),
    ("services", "name"),
    ("services", "description"),
    ("services", "provider"),
    ("services", "documents"),
    ("sites", "name"),
    ("sites", "address"),
    ("charging_sheds", "name"),
    ("ebikes", "plate"),
    ("ebikes", "brand"),
    ("pledges", "collected_by"),
    ("shed_checks", "checked_by"),
    ("shed_checks", "findings"),
    ("api_keys", "name"),
    ("calendar_days", "name"),
    // What happened, as it was recorded (the changed fields' column names among it).
    ("audit_log", "detail"),
];

/// Every string of [`DATA_TEXT`] holding a Chinese character, every household's address
/// as the registry writes it and every resident's name as pages mask it; the longest first, so that a name inside an
/// address is not removed before the address.
pub async fn data_texts(store: &Store) -> Result<Vec<String>, StoreError> {
    let mut found = std::collections::BTreeSet::new();
    for (table, column) in DATA_TEXT {
        let sql = format!("SELECT DISTINCT {column} AS v FROM {table} WHERE {column} IS NOT NULL");
        for row in sqlx::query(&sql).fetch_all(store.pool()).await? {
            let value: String = row.try_get("v")?;
            match serde_json::from_str::<serde_json::Value>(&value) {
                Ok(json @ (serde_json::Value::Object(_) | serde_json::Value::Array(_))) => leaves(&json, &mut found),
                _ => {
                    found.insert(value);
                }
            }
        }
    }
    let sql = "SELECT DISTINCT b.address, h.unit, h.room FROM households h JOIN buildings b ON b.id = h.building_id";
    for row in sqlx::query(sql).fetch_all(store.pool()).await? {
        let (building, unit, room): (String, String, String) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        found.insert(crate::registry::full_address(&building, &unit, &room));
    }
    // A name as pages mask it (王**), wherever a page shows it masked.
    for row in sqlx::query("SELECT DISTINCT name FROM residents").fetch_all(store.pool()).await? {
        let name: String = row.try_get(0)?;
        found.insert(tongxin_core::pii::mask::mask_name(&name));
    }
    let mut texts: Vec<String> = found.into_iter().filter(|t| t.chars().any(is_han)).collect();
    texts.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    Ok(texts)
}

fn leaves(json: &serde_json::Value, into: &mut std::collections::BTreeSet<String>) {
    match json {
        serde_json::Value::String(s) => {
            into.insert(s.clone());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| leaves(v, into)),
        serde_json::Value::Object(map) => map.values().for_each(|v| leaves(v, into)),
        _ => {}
    }
}

/// A CJK ideograph (汉字), in the blocks Chinese text uses.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}
