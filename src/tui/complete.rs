//! Tab on the command line: the command word, then a login (`:assign`, `:owner`) or a decline
//! code (`:result`), completed from what the database and the retry policy know.

use crate::domain::text::{common_prefix, completions};

/// What the console knows to complete from.
pub struct Known<'a> {
    /// Active reps' logins.
    pub logins: &'a [String],
    /// Decline codes the retry policy knows.
    pub codes: Vec<&'a str>,
}

/// The line after Tab, and what to say when the word is not settled: the choices left, or
/// that nothing begins so.
#[derive(Debug, PartialEq, Eq)]
pub struct Completed {
    pub line: String,
    pub note: Option<String>,
}

/// Completes the last word of `line`. A word completed to one choice gets a space after it;
/// several choices complete to what they share, and are named.
pub fn complete(line: &str, known: &Known<'_>) -> Completed {
    let (head, word) = match line.rsplit_once(' ') {
        Some((head, word)) => (Some(head), word),
        None => (None, line),
    };
    let command = head.map(|h| h.split(' ').next().unwrap_or(""));
    let (choices, what): (Vec<&str>, &str) = match command {
        None => (
            crate::tui::keymap::LINE_WORDS
                .iter()
                .map(|(w, _)| *w)
                .collect(),
            "command",
        ),
        Some("assign") if head == Some("assign") => (
            known
                .logins
                .iter()
                .map(String::as_str)
                .chain(["team"])
                .collect(),
            "login",
        ),
        Some("owner") if head == Some("owner") => {
            (known.logins.iter().map(String::as_str).collect(), "login")
        }
        Some("result") if head == Some("result") => (
            ["ok"]
                .into_iter()
                .chain(known.codes.iter().copied())
                .collect(),
            "code",
        ),
        _ => {
            return Completed {
                line: line.to_string(),
                note: None,
            };
        }
    };
    let found = completions(word, choices);
    let with = |word: &str, end: &str| match head {
        Some(head) => format!("{head} {word}{end}"),
        None => format!("{word}{end}"),
    };
    match found.as_slice() {
        [] => Completed {
            line: line.to_string(),
            note: Some(format!("no {what} begins with {word:?}")),
        },
        [one] => Completed {
            line: with(one, " "),
            note: None,
        },
        many => {
            const SHOWN: usize = 8;
            let mut named = many[..many.len().min(SHOWN)].join(" · ");
            if many.len() > SHOWN {
                named.push_str(&format!(" · {} more", many.len() - SHOWN));
            }
            Completed {
                line: with(common_prefix(many), ""),
                note: Some(named),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(logins: &[String]) -> Known<'_> {
        Known {
            logins,
            codes: vec!["insufficient_funds", "expired_card", "incorrect_cvc"],
        }
    }

    #[test]
    fn a_login_completes_and_several_are_named() {
        let logins: Vec<String> = ["amara", "carmen", "cora"].map(String::from).to_vec();
        let k = known(&logins);
        let done = complete("assign car", &k);
        assert_eq!(done.line, "assign carmen ");
        assert_eq!(done.note, None);
        let two = complete("assign c", &k);
        assert_eq!(two.line, "assign c");
        assert_eq!(two.note.as_deref(), Some("carmen · cora"));
        assert_eq!(complete("assign t", &k).line, "assign team ");
        assert_eq!(complete("owner am", &k).line, "owner amara ");
        let none = complete("assign zed", &k);
        assert_eq!(none.line, "assign zed");
        assert_eq!(none.note.as_deref(), Some("no login begins with \"zed\""));
    }

    #[test]
    fn codes_and_command_words_complete_and_free_text_is_left_alone() {
        let logins = Vec::new();
        let k = known(&logins);
        assert_eq!(
            complete("result insuf", &k).line,
            "result insufficient_funds "
        );
        let inc = complete("result in", &k);
        assert_eq!(inc.line, "result in");
        assert_eq!(
            inc.note.as_deref(),
            Some("incorrect_cvc · insufficient_funds")
        );
        assert_eq!(complete("resul", &k).line, "result ");
        assert_eq!(complete("re", &k).line, "resu");
        // A reason or a day is the rep's own words: Tab leaves it.
        let reason = complete("snooze +7d on hol", &k);
        assert_eq!(reason.line, "snooze +7d on hol");
        assert_eq!(reason.note, None);
        assert_eq!(complete("assign carmen now", &k).line, "assign carmen now");
    }
}
