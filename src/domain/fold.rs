//! Folding text for matching: what a rep types on any keyboard should find what is stored in any
//! spelling. `Müller`, `MULLER` and `muller` fold alike; a phone number folds to its digits.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lowercase, without accents, with letters that have no decomposition spelled out (ß → ss),
/// control characters dropped and runs of blanks made one space. German's spelled-out umlauts
/// fold as the umlauts do (`Krueger` and `Krüger` are `kruger`), and `&` as `and`: a caller
/// spells a name as it sounds.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = true; // drops leading blanks
    for c in text.nfd() {
        if is_combining_mark(c) || c.is_control() && !c.is_whitespace() || is_invisible(c) {
            continue;
        }
        if c.is_whitespace() {
            if !blank {
                out.push(' ');
                blank = true;
            }
            continue;
        }
        blank = false;
        match c {
            '&' => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push_str("and ");
                blank = true;
                continue;
            }
            'ß' | 'ẞ' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' => out.push('d'),
            'ı' => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    if out.contains("ae") || out.contains("oe") || out.contains("ue") {
        out = out.replace("ae", "a").replace("oe", "o").replace("ue", "u");
    }
    out
}

/// Characters that show nothing but travel with copied text: bidi marks and isolates (which
/// Windows, Outlook and messengers put around a number), zero-width spaces and joiners, the
/// byte-order mark, the soft hyphen.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{061C}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}')
}

/// The digits of a text, in order: `+1 (555) 014-2398` → `15550142398`.
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Whether a query looks like (part of) a phone number: digits and the signs people write
/// between them, with at least `min_digits` digits.
pub fn is_phone_like(text: &str, min_digits: usize) -> bool {
    let mut count = 0;
    for c in text.chars() {
        match c {
            '0'..='9' => count += 1,
            ' ' | '+' | '-' | '(' | ')' | '.' | '/' => {}
            _ => return false,
        }
    }
    count >= min_digits
}

/// Chinese, Japanese and Korean characters: their text has no spaces, so every character can
/// start a word.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // hiragana, katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // hangul syllables
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x2FFFF) // extensions B and later
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_special_letters() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("  JÜRGEN   Weiß "), "jurgen weiss");
        assert_eq!(fold("Côte d'Azur Énergies"), "cote d'azur energies");
        assert_eq!(fold("Łódź Søren Æble"), "lodz soren able");
        assert_eq!(fold("Juergen KRUEGER"), fold("Jürgen Krüger"));
        assert_eq!(fold("Cedar & Stone"), "cedar and stone");
        assert_eq!(fold("AT&T"), fold("at & t"));
        assert_eq!(fold("Ibáñez"), "ibanez");
    }

    #[test]
    fn leaves_scripts_without_case_alone_and_drops_controls() {
        assert_eq!(fold("上海明德医疗"), "上海明德医疗");
        assert_eq!(fold("佐藤 陽翔"), "佐藤 陽翔");
        assert_eq!(fold("evil\u{1b}[2Jname\u{7}"), "evil[2jname");
        assert_eq!(fold("\u{202a}Acme\u{200b} Ltd\u{202c}\u{feff}"), "acme ltd");
    }

    #[test]
    fn digits_and_phone_likeness() {
        assert_eq!(digits("+1 (555) 014-2398"), "15550142398");
        assert_eq!(digits("030 / 901820-32"), "03090182032");
        assert!(is_phone_like("555 0142", 4));
        assert!(is_phone_like("+44 (0)20", 4));
        assert!(!is_phone_like("555", 4));
        assert!(!is_phone_like("acme 555", 4));
    }

    #[test]
    fn cjk_is_recognised() {
        assert!(is_cjk('明'));
        assert!(is_cjk('さ'));
        assert!(!is_cjk('m'));
        assert!(!is_cjk('ü'));
    }
}
