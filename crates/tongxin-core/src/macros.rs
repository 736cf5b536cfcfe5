//! Macros shared by the domain's modules.

/// Declares a closed vocabulary: stored value, Chinese name, parsing from either.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = ($value:literal, $zh:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }

            /// The name in spreadsheets and messages kept in Chinese.
            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// The term's key in the pages' message catalogs: `Type.value`.
            pub fn term_key(self) -> &'static str {
                match self { $($name::$variant => concat!(stringify!($name), ".", $value)),+ }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            /// Reads the stored value or the Chinese name.
            fn from_str(s: &str) -> Result<Self, String> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == s || v.zh() == s).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|v| v.zh()).collect();
                    format!("'{s}' is not one of {}", names.join("、"))
                })
            }
        }
    };
}
