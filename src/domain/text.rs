//! What a person or a file may write as text: no control characters, and codes as the
//! processors write them. Every door applies these (imports, hooks' answers, the command line,
//! the console), and the store checks them again on every write.

/// `text` if it holds no control character but tabs and line ends: a NUL or an escape in a name
/// is never data, and would break or drive what shows it.
pub fn plain_text(text: &str) -> Result<&str, String> {
    match text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        Some(c) => Err(format!(
            "text without control characters (it holds U+{:04X})",
            u32::from(c)
        )),
        None => Ok(text),
    }
}

/// A decline or advice code as processors write them: a lower-case word of letters, digits and
/// `_` (`insufficient_funds`, `do_not_honor`), at most 64 long.
pub fn code_word(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_lowercase();
    if !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(code)
    } else {
        Err("a code of lower-case letters, digits and _ (like insufficient_funds)".to_string())
    }
}

/// `a` or `an`, as the word after it is said (by its first letter, which does for the words
/// we print: an admin, an interaction kind, a rep).
pub fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// `1 attempt`, `3 attempts`.
pub fn count(n: i64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// The word of `known` that `typed` was most likely meant to be: the one it begins (when only
/// one does), else the nearest one or two typos away. For "did you mean" in refusals.
pub fn nearest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.trim().to_lowercase();
    let known: Vec<&str> = known.into_iter().collect();
    if let [only] = completions(&typed, known.iter().copied()).as_slice() {
        return Some(only);
    }
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(&typed, &k.to_lowercase()), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}

/// The words of `known` that begin with `typed` (ignoring case), sorted, each once: what Tab
/// offers for a half-typed login or code.
pub fn completions<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let typed = typed.to_lowercase();
    let mut out: Vec<&str> = known
        .into_iter()
        .filter(|k| k.to_lowercase().starts_with(&typed))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The longest beginning every one of `words` shares.
pub fn common_prefix<'a>(words: &[&'a str]) -> &'a str {
    let Some(first) = words.first() else {
        return "";
    };
    let mut end = first.len();
    for w in &words[1..] {
        end = first
            .char_indices()
            .zip(w.chars())
            .find(|((_, a), b)| a != b)
            .map_or(end.min(w.len()), |((i, _), _)| i)
            .min(end);
    }
    &first[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_half_typed_or_mistyped_word_finds_the_one_meant() {
        let logins = ["amara", "bjorn", "carmen", "cora"];
        assert_eq!(completions("c", logins), ["carmen", "cora"]);
        assert_eq!(completions("CAR", logins), ["carmen"]);
        assert!(completions("x", logins).is_empty());
        assert_eq!(nearest("car", logins), Some("carmen"), "the one it begins");
        assert_eq!(nearest("carmne", logins), Some("carmen"), "a swap");
        assert_eq!(
            nearest("c", logins),
            None,
            "two begin with it, none is near"
        );
        assert_eq!(nearest("zebra", logins), None);
        assert_eq!(
            common_prefix(&["renewal-prep-90", "renewal-prep-60"]),
            "renewal-prep-"
        );
        assert_eq!(common_prefix(&["carmen"]), "carmen");
        assert_eq!(common_prefix(&["björn", "bjarne"]), "bj");
        assert_eq!(common_prefix(&[]), "");
    }

    #[test]
    fn articles_and_counts_read_as_english() {
        assert_eq!(format!("{} admin", article("admin")), "an admin");
        assert_eq!(format!("{} rep", article("rep")), "a rep");
        assert_eq!(count(1, "attempt"), "1 attempt");
        assert_eq!(count(0, "attempt"), "0 attempts");
    }

    #[test]
    fn text_keeps_tabs_and_line_ends_and_nothing_else_of_control() {
        assert_eq!(plain_text("two\nlines\tand\r\n"), Ok("two\nlines\tand\r\n"));
        assert!(plain_text("nul\0").is_err());
        assert!(plain_text("esc\u{1b}[2J").unwrap_err().contains("U+001B"));
        assert!(plain_text("c1\u{9b}").is_err());
    }

    #[test]
    fn codes_are_lower_case_words() {
        assert_eq!(
            code_word(" Insufficient_Funds "),
            Ok("insufficient_funds".into())
        );
        assert!(code_word("insufficient funds").is_err());
        assert!(code_word("").is_err());
        assert!(code_word(&"a".repeat(65)).is_err());
    }
}
