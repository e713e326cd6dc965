//! Text on its way to a terminal, shared by the command line and the console.
//!
//! Stored text came from outside (imports, other reps): an escape sequence in a note must not
//! drive a rep's terminal, so control characters are replaced before anything is printed. Widths
//! are measured in terminal cells: a Chinese character takes two, a combining accent none.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` with every control character (escape, bell, carriage return, tab, newline ...)
/// replaced by a visible stand-in, so that it prints on one line as it is.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => ' ',
                c if is_unsafe(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Cells `text` takes on a terminal.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to at most `max` cells, ending in `…` when cut; never splits a wide character.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

/// `text` padded with spaces (or cut) to exactly `cells` cells.
pub fn fit(text: &str, cells: usize) -> String {
    let cut = truncate(text, cells);
    let pad = cells.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_escapes_are_neutralised() {
        assert_eq!(terminal_safe("plain Müller"), "plain Müller");
        assert!(matches!(terminal_safe("plain"), Cow::Borrowed(_)));
        assert_eq!(terminal_safe("a\u{1b}[2Jb"), "a\u{FFFD}[2Jb");
        assert_eq!(
            terminal_safe("line one\nline two\ttab"),
            "line one line two tab"
        );
        assert_eq!(terminal_safe("bell\u{7}"), "bell\u{FFFD}");
        assert_eq!(terminal_safe("rtl\u{202E}evil"), "rtl\u{FFFD}evil");
    }

    #[test]
    fn wide_characters_count_two_cells_and_are_never_split() {
        assert_eq!(width("上海明德"), 8);
        assert_eq!(truncate("上海明德医疗", 7), "上海明…");
        assert_eq!(width(&truncate("上海明德医疗", 7)), 7);
        assert_eq!(truncate("上海明德医疗", 6), "上海…");
        assert_eq!(truncate("Northwind", 20), "Northwind");
        assert_eq!(truncate("Northwind", 5), "Nort…");
        assert_eq!(fit("上海", 6), "上海  ");
        assert_eq!(width(&fit("上海明德医疗", 5)), 5);
    }

    #[test]
    fn combining_marks_take_no_cell() {
        let decomposed = "Mu\u{308}ller";
        assert_eq!(width(decomposed), 6);
        assert_eq!(truncate(decomposed, 6), decomposed);
    }
}
