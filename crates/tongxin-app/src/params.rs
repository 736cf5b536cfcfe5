//! Named text parameters (a query string, a form, command-line options), read so that a
//! bad one is answered with an [`Error`] naming it.
//! An empty value counts as an absent one.

use std::fmt::Display;
use std::str::FromStr;

use crate::Error;

/// Decoded name and value pairs. Never rejects: problems surface when a value is read.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Reads an `application/x-www-form-urlencoded` body, which the text layer has checked.
    pub fn from_form(body: &[u8]) -> Self {
        Params(crate::text::decode_form(body).unwrap_or_default())
    }

    /// Fields read some other way (a multipart form).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Params(pairs)
    }

    /// These parameters with `name` set to `value` (replacing what was sent).
    pub fn with(&self, name: &str, value: impl ToString) -> Params {
        let mut pairs: Vec<(String, String)> = self.0.iter().filter(|(k, _)| k != name).cloned().collect();
        pairs.push((name.to_owned(), value.to_string()));
        Params(pairs)
    }

    /// Every pair that has a value, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().filter(|(_, v)| !v.trim().is_empty()).map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The first value of `name` exactly as sent, untrimmed (passwords), or "".
    pub fn raw(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// A list typed into one field, split at commas (either width) and spaces.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .unwrap_or_default()
            .split([',', '，', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Every non-empty value of `name` (checkboxes, multi-selects). Such a name must be
    /// listed in [`crate::text::MULTI_VALUED`], or a request sending it twice is refused.
    pub fn all(&self, name: &str) -> Vec<&str> {
        debug_assert!(crate::text::is_multi_valued(name), "{name} is not declared multi-valued");
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }

    /// The first non-empty value of `name`, trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim()).find(|v| !v.is_empty())
    }

    /// Parses `name` when present.
    pub fn parse<T>(&self, name: &str) -> Result<Option<T>, Error>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.get(name)
            .map(|raw| {
                raw.parse::<T>().map_err(|e| {
                    let e = e.to_string();
                    // Domain errors already say which field; generic ones get its name.
                    Error::invalid(name, if e.starts_with(name) { e } else { format!("{name}: {e}") })
                })
            })
            .transpose()
    }

    /// Parses `name`, which must be present.
    pub fn require<T>(&self, name: &str) -> Result<T, Error>
    where
        T: FromStr,
        T::Err: Display,
    {
        self.parse(name)?.ok_or_else(|| Error::invalid(name, format!("{name} is required")))
    }

    /// A bounded integer, e.g. a page size.
    pub fn bounded(&self, name: &str, default: i64, min: i64, max: i64) -> Result<i64, Error> {
        let value = self.parse::<i64>(name)?.unwrap_or(default);
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(Error::invalid(name, format!("{name} must be between {min} and {max}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn empty_counts_as_absent() {
        let p = params(&[("lat", ""), ("lng", " 121.4 ")]);
        assert_eq!(p.get("lat"), None);
        assert_eq!(p.get("lng"), Some("121.4"));
        assert_eq!(p.parse::<f64>("lat").unwrap(), None);
    }

    #[test]
    fn errors_name_the_field() {
        let p = params(&[("limit", "ten"), ("offset", "-1")]);
        let Error::InvalidParameter { field, .. } = p.require::<i64>("limit").unwrap_err() else { panic!() };
        assert_eq!(field, "limit");
        let Error::InvalidParameter { field, .. } = p.require::<f64>("lat").unwrap_err() else { panic!() };
        assert_eq!(field, "lat");
        let Error::InvalidParameter { field, .. } = p.bounded("offset", 0, 0, 10).unwrap_err() else { panic!() };
        assert_eq!(field, "offset");
    }
}
