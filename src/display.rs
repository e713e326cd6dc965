//! Text on its way to a terminal, shared by the command line and the console.
//!
//! Stored text came from outside (imports, other reps): an escape sequence in a note must not
//! drive a rep's terminal, so control characters are replaced before anything is printed. Widths
//! are measured in terminal cells: a Chinese character takes two, a combining accent none.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` with every character that could drive a terminal or hide in it replaced by a visible
/// stand-in, so that it prints on one line as it is: a table cell, a name in a message.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// The same for a message of several lines: its newlines and tabs are kept.
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

fn clean(text: &str, lines: bool) -> Cow<'_, str> {
    let kept = |c: char| lines && matches!(c, '\n' | '\t');
    // The render path calls this for every cell of every frame: text with nothing suspicious
    // (nearly all of it) is passed on as it is, without a copy.
    if !text.chars().any(|c| suspicious(c) && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let unsafe_at = |i: usize| !kept(chars[i]) && is_unsafe(&chars, i);
    if !(0..chars.len()).any(unsafe_at) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        (0..chars.len())
            .map(|i| match chars[i] {
                '\n' | '\r' | '\t' if !lines => ' ',
                _ if unsafe_at(i) => REPLACEMENT,
                c => c,
            })
            .collect(),
    )
}

/// What stands in for a character that must not reach the terminal.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Control characters (C0, DEL, C1: escape sequences start with them), bidi overrides, embeddings,
/// isolates and marks (they reorder what follows), and characters that take no room (they make
/// two different names look the same, or smuggle text a person cannot see). A zero-width joiner
/// or non-joiner between two letters of a non-Latin script (Persian, Devanagari) or two emoji is
/// part of how the word is written, and stays.
fn is_unsafe(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    match c {
        '\u{200C}' | '\u{200D}' => {
            let joins = |n: Option<&char>| n.is_some_and(|&n| !n.is_ascii() && !n.is_control());
            !(i > 0 && joins(chars.get(i - 1)) && joins(chars.get(i + 1)))
        }
        c => suspicious(c),
    }
}

/// Every character `is_unsafe` may replace (the joiners only where they join nothing).
fn suspicious(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}'
            | '\u{2028}' | '\u{2029}' | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}')
}

/// `value` as pretty JSON whose strings keep their exact text, with every character that
/// `terminal_safe` replaces written as a `\uXXXX` escape: what a script reads is the stored
/// text, and what a terminal shows is harmless.
pub fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    json_with(value, PrettyFormatter::new())
}

/// The same on one line.
pub fn to_json_line<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    json_with(value, CompactFormatter)
}

fn json_with<T: serde::Serialize + ?Sized>(
    value: &T,
    layout: impl Formatter,
) -> serde_json::Result<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SafeJson(layout));
    value.serialize(&mut ser)?;
    Ok(String::from_utf8(out).expect("serde_json writes UTF-8"))
}

use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// A serde_json layout, escaping what a terminal must not see.
struct SafeJson<F>(F);

impl<F: Formatter> Formatter for SafeJson<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if !fragment.chars().any(suspicious) {
            return writer.write_all(fragment.as_bytes());
        }
        let chars: Vec<char> = fragment.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            if is_unsafe(&chars, i) {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            } else {
                let mut buf = [0u8; 4];
                writer.write_all(c.encode_utf8(&mut buf).as_bytes())?;
            }
        }
        Ok(())
    }

    // The rest is the layout's.
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Prints a message line for a person on stdout, through `terminal_text`: the one door for the
/// command line's text (clippy's `disallowed-macros` keeps `println!` out of the crate).
#[macro_export]
macro_rules! say {
    () => { $crate::display::emit(false, "") };
    ($($arg:tt)*) => { $crate::display::emit(false, &format!($($arg)*)) };
}

/// The same on stderr.
#[macro_export]
macro_rules! tell {
    ($($arg:tt)*) => { $crate::display::emit(true, &format!($($arg)*)) };
}

/// Writes `text` and a newline, made terminal-safe. A closed pipe ends the process quietly, as
/// Unix tools do (with the status a SIGPIPE gives); output that cannot be written (a full disk)
/// ends it with the reason on stderr and status 1, never a panic.
pub fn emit(to_stderr: bool, text: &str) {
    use std::io::Write;
    let text = terminal_text(text);
    let written = if to_stderr {
        writeln!(std::io::stderr().lock(), "{text}")
    } else {
        writeln!(std::io::stdout().lock(), "{text}")
    };
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(141),
        Err(e) => {
            if !to_stderr {
                let _ = writeln!(
                    std::io::stderr(),
                    "retain: the output could not be written: {e}"
                );
            }
            std::process::exit(1);
        }
    }
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

/// A name padded or cut to exactly `cells` cells. Cut, it keeps its last word after the `…`
/// (when that word takes at most half the room): "Pinnacle Realty Ltd" and "Pinnacle Realty
/// LLC" stay two names in a narrow column instead of two "Pinnacle Rea…".
pub fn fit_name(name: &str, cells: usize) -> String {
    let name = name.trim();
    let last = name.rsplit_once(' ').map(|(_, last)| last);
    match last {
        Some(last) if width(name) > cells && width(last) * 2 <= cells => {
            // The name is too long, so its head is always cut (and ends in `…` already).
            let head = truncate(&name[..name.len() - last.len()], cells - width(last));
            let head = head.trim_end_matches(['…', ' ']);
            fit(&format!("{head}…{last}"), cells)
        }
        _ => fit(name, cells),
    }
}

/// A value quoted back in an error, cut to its first sixty characters when it is long: a
/// 10,000-character cell is named, not printed.
pub fn excerpt(value: &str) -> String {
    const SHOWN: usize = 60;
    let count = value.chars().count();
    if count <= SHOWN + 20 {
        return format!("{value:?}");
    }
    let head: String = value.chars().take(SHOWN).collect();
    format!("{head:?}… ({count} characters)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_name_keeps_its_last_word() {
        assert_eq!(fit_name("Pinnacle Realty Ltd", 16), "Pinnacle Rea…Ltd");
        assert_eq!(fit_name("Pinnacle Realty LLC", 16), "Pinnacle Rea…LLC");
        assert_eq!(fit_name("Pinnacle Realty Partners", 16), "Pinnacl…Partners");
        // It fits, or its last word would crowd out the rest: as `fit` has it.
        assert_eq!(fit_name("Acme Co", 10), "Acme Co   ");
        assert_eq!(fit_name("Zu Hochleistungsmaschinen", 12), "Zu Hochleis…");
        assert_eq!(fit_name("Einzelwort-Firmenname", 8), "Einzelw…");
        // Wide characters are counted in cells and never split.
        assert_eq!(fit_name("株式会社 山田 製作所", 12), "株式…製作所 ");
        assert_eq!(width(&fit_name("株式会社 山田 製作所", 11)), 11);
    }

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
        assert_eq!(terminal_safe("csi\u{9b}2J"), "csi\u{FFFD}2J");
        assert_eq!(terminal_safe("del\u{7f}"), "del\u{FFFD}");
        assert_eq!(terminal_safe("zero\u{200B}width"), "zero\u{FFFD}width");
        assert_eq!(terminal_safe("tag\u{E0041}"), "tag\u{FFFD}");
        assert_eq!(terminal_text("two\nlines\x1b[2J"), "two\nlines\u{FFFD}[2J");
    }

    #[test]
    fn joiners_stay_inside_words_of_the_scripts_that_need_them() {
        // Persian "mi-khaham" is written with a zero-width non-joiner.
        assert_eq!(
            terminal_safe("\u{645}\u{6CC}\u{200C}\u{62E}"),
            "\u{645}\u{6CC}\u{200C}\u{62E}"
        );
        // Between Latin letters it only hides.
        assert_eq!(terminal_safe("pay\u{200D}pal"), "pay\u{FFFD}pal");
        assert_eq!(terminal_safe("\u{200D}start"), "\u{FFFD}start");
    }

    #[test]
    fn json_keeps_the_exact_text_and_escapes_what_a_terminal_must_not_see() {
        let text = "a\u{1b}]0;T\u{7}b\u{202E}c\u{9b}d\u{E0041}é\"";
        let json = to_json(&serde_json::json!({ "reason": text })).unwrap();
        assert!(json.chars().all(|c| !c.is_control() || c == '\n'), "{json}");
        assert!(
            !json.contains('\u{202E}') && !json.contains('\u{E0041}'),
            "{json}"
        );
        assert!(json.contains("\\udb40\\udc41"), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["reason"], text);
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
