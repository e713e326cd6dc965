//! Enumerations that are stored and typed as words: one definition gives the variants, their
//! words, parsing with a helpful error, `Display`, and serde both ways as the word. It is the
//! one way the domain writes an enumeration's words (the console's command and context names,
//! kebab-case with a data variant, are strum's).

/// The error of parsing a word that is not one of an enumeration's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{value:?} is not {} {what}; expected one of: {expected}",
    super::text::article(what)
)]
pub struct UnknownWord {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident as $what:literal { $($(#[$vmeta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::text_enum::UnknownWord;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let word = s.trim();
                $(if word.eq_ignore_ascii_case($word) { return Ok($name::$variant); })+
                Err($crate::domain::text_enum::UnknownWord {
                    what: $what,
                    value: s.to_string(),
                    expected: [$($word),+].join(", "),
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// Read as its word, exactly (a file's `Usage` beside its `usage` would be two
        /// settings of one thing), an unknown one refused with the words there are.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = String::deserialize(d)?;
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == word)
                    .ok_or_else(|| {
                        serde::de::Error::custom($crate::domain::text_enum::UnknownWord {
                            what: $what,
                            value: word,
                            expected: [$($word),+].join(", "),
                        })
                    })
            }
        }
    };
}

pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    text_enum! {
        enum Colour as "colour" { Red => "red", DarkBlue => "dark-blue" }
    }

    #[test]
    fn words_round_trip_and_parse_loosely() {
        for c in Colour::ALL {
            assert_eq!(c.as_str().parse::<Colour>().unwrap(), *c);
        }
        assert_eq!(" Dark-Blue ".parse::<Colour>().unwrap(), Colour::DarkBlue);
        assert_eq!(Colour::DarkBlue.to_string(), "dark-blue");
        assert_eq!(serde_json::to_string(&Colour::Red).unwrap(), "\"red\"");
        let read: Colour = serde_json::from_str("\"dark-blue\"").unwrap();
        assert_eq!(read, Colour::DarkBlue);
        // A file's words are exact: "Red" beside "red" would be one setting twice.
        assert!(serde_json::from_str::<Colour>("\"Red\"").is_err());
        let wrong = serde_json::from_str::<Colour>("\"green\"").unwrap_err();
        assert!(
            wrong
                .to_string()
                .contains("expected one of: red, dark-blue"),
            "{wrong}"
        );
    }

    #[test]
    fn an_unknown_word_names_the_choices() {
        let err = "green".parse::<Colour>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"green\" is not a colour; expected one of: red, dark-blue"
        );
    }
}
