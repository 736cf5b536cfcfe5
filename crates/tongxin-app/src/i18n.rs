//! Words people read: the message catalogs, `locales/zh-CN.toml` (the default) and
//! `locales/en.toml`, embedded in the binary. Keys are the TOML tables joined with dots
//! (`[map] title` is `map.title`). Pages choose the reader's language; exports and
//! reports are written in Chinese. A test in tongxin-web keeps both catalogs holding the
//! same keys and every key a template uses present.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::LazyLock;

/// One language's messages.
pub struct Catalog {
    /// The language's code: zh-CN or en.
    pub code: &'static str,
    messages: HashMap<String, String>,
}

static CATALOGS: LazyLock<[Catalog; 2]> = LazyLock::new(|| {
    [
        Catalog::parse("zh-CN", include_str!("../locales/zh-CN.toml")),
        Catalog::parse("en", include_str!("../locales/en.toml")),
    ]
});

/// The catalog of the language `code` (zh-CN or en, either case); zh-CN for any other.
pub fn catalog(code: &str) -> &'static Catalog {
    CATALOGS.iter().find(|c| c.code.eq_ignore_ascii_case(code)).unwrap_or(&CATALOGS[0])
}

/// The Chinese catalog: what exports and reports are written in.
pub fn zh_cn() -> &'static Catalog {
    &CATALOGS[0]
}

impl Catalog {
    fn parse(code: &'static str, source: &str) -> Catalog {
        let table: toml::Table = toml::from_str(source).unwrap_or_else(|e| panic!("catalog {code}: {e}"));
        let mut messages = HashMap::new();
        flatten("", &table, &mut messages);
        Catalog { code, messages }
    }

    /// The message for `key`. A missing key shows as the key itself, which the catalog
    /// tests make sure never ships.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.messages.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The message for `key` with each `{name}` replaced by its value.
    pub fn fmt(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        args.iter().fold(self.get(key).to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), &value.to_string())
        })
    }

    /// The name of a vocabulary's term (a booking's status, a gender, a role …) in this
    /// language, by its `term_key()` (`BookingStatus.checked_in`): the catalogs' table
    /// `d14_term`. A missing term shows as the key, which a test makes sure never ships.
    pub fn term(&self, key: &'static str) -> &str {
        self.messages.get(&format!("d14_term.{key}")).map_or(key, String::as_str)
    }

    /// Whether the catalog holds `key`.
    pub fn has(&self, key: &str) -> bool {
        self.messages.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (key, value) in table {
        let full = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            toml::Value::Table(inner) => flatten(&full, inner, out),
            toml::Value::String(text) => {
                out.insert(full, text.clone());
            }
            other => panic!("catalog key {full} must be a string, got {other:?}"),
        }
    }
}
