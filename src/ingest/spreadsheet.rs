//! CSV cells that a spreadsheet opens as text, never as a formula.
//!
//! A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice
//! and Google Sheets as a formula (or a DDE command), so a customer named `=HYPERLINK(...)` would
//! run in the lead's spreadsheet. Such a cell is written with a leading `'`, which spreadsheets
//! take as "this is text" and do not show (OWASP's CSV-injection advice). Reading a cell back takes
//! exactly that one quote off again, so an export imports back as the very text it holds.

use std::borrow::Cow;

/// `cell` as written to a CSV file.
pub fn guard(cell: &str) -> Cow<'_, str> {
    if needs_guard(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A cell read from a CSV file: `guard` undone.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// True when, after any leading quotes, the cell starts with a tab or a carriage return, or its
/// first character past blanks would start a formula (full-width forms included: some
/// spreadsheets take `＝` for `=`). A plain number (`-12.50`) is a number to every spreadsheet,
/// not a formula, and is left as it is. Quotes are skipped so that a cell that already starts
/// with `'=` keeps its own quote through a round trip; the guard's quote also keeps the blanks
/// in front of a formula from the import's trimming.
fn needs_guard(cell: &str) -> bool {
    let rest = cell.trim_start_matches('\'');
    let first = rest.trim_start().chars().next();
    let formula = matches!(
        first,
        Some('=' | '+' | '-' | '@' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}')
    );
    (rest.starts_with(['\t', '\r']) || formula) && !is_plain_number(cell.trim())
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_written_as_text() {
        for cell in [
            "=HYPERLINK(\"http://x\")",
            "+cmd|' /C calc'!A0",
            "@SUM(1)",
            "-2+3",
            "\t=1",
            "\r=1",
            "+1 555 019 1049",
            " =1+1",
            "\n=1+1",
            "\u{FF1D}1+1",
        ] {
            assert_eq!(guard(cell), format!("'{cell}"), "{cell:?}");
        }
        for cell in ["Northwind", "", "-12.50", "42", "+3", "O'Brien", "'quoted'"] {
            assert_eq!(guard(cell), cell, "{cell:?}");
        }
    }

    #[test]
    fn what_is_guarded_reads_back_exactly() {
        for cell in [
            "=1+1",
            "'=1+1",
            "''=x",
            "-5",
            "'-5",
            "'",
            "''",
            "@",
            "plain",
            "'plain",
            "-",
            "-.5",
            "1.",
            "+",
            "\t",
            "=",
            " =1+1",
            "\n=x",
            "'  @x",
            "\u{FF20}x",
        ] {
            assert_eq!(unguard(&guard(cell)), cell, "{cell:?}");
        }
    }
}
