//! CSV files read by header into rows of our columns, every value parsed strictly: each mistake
//! is reported with its line, column and value, and what was expected.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use super::ImportError;
use super::columns::{self, Column, Type, fold_header};
use crate::domain::phone::Country;
use crate::domain::{dates, money};
use crate::store::{Cell, ImportKind, ImportRow};

/// How to read a file beyond its header.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// (their header, our column) pairs, from `--map 'Their Header=our_column'`.
    pub map: Vec<(String, String)>,
    /// A chrono format for days (and moments) not in ISO form, from `--date-format`.
    pub date_format: Option<String>,
}

/// One bad value, or a bad row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    /// Their header; empty for a problem of the whole row.
    pub column: String,
    pub value: String,
    pub expected: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {}", self.line, self.expected)
        } else {
            write!(
                f,
                "line {}, column {:?}: {} is not {}",
                self.line,
                self.column,
                crate::display::excerpt(&self.value),
                self.expected
            )
        }
    }
}

/// Which of our columns each of the file's columns feeds.
#[derive(Debug, Clone)]
pub struct Layout {
    kind: ImportKind,
    /// By the file's column position: our column, and their header.
    slots: Vec<Option<(&'static Column, String)>>,
    /// Their headers that feed nothing, to say so.
    pub ignored: Vec<String>,
}

/// A CSV reader over `copy` (a snapshot of `file`, from the start), records as UTF-8 text,
/// quotes and embedded newlines handled.
pub fn reader(
    file: &Path,
    copy: &std::fs::File,
) -> Result<csv::Reader<std::fs::File>, ImportError> {
    use std::io::Seek;
    let mut copy = copy
        .try_clone()
        .map_err(|e| ImportError::at(file, "the file", "", format!("cannot be read: {e}")))?;
    copy.rewind()
        .map_err(|e| ImportError::at(file, "the file", "", format!("cannot be read: {e}")))?;
    Ok(csv::ReaderBuilder::new().flexible(false).from_reader(copy))
}

/// A private copy of `file` as it is now, for both passes of an import to read: the rows
/// checked are then the rows written, whatever happens to the file meanwhile (a pipe, such as
/// standard input, is read once this way too). A file that changed while it was copied (still
/// being written, or rewritten in place) is refused. The copy has no name and goes with the
/// handle.
pub fn snapshot(file: &Path) -> Result<std::fs::File, ImportError> {
    use std::os::unix::fs::MetadataExt;
    let unreadable =
        |e: std::io::Error| ImportError::at(file, "the file", "", format!("cannot be read: {e}"));
    let stamp = |m: &std::fs::Metadata| (m.dev(), m.ino(), m.len(), m.mtime(), m.mtime_nsec());
    let mut source = std::fs::File::open(file).map_err(unreadable)?;
    let before = source.metadata().map_err(unreadable)?;
    if before.is_dir() {
        return Err(ImportError::at(
            file,
            "the file",
            "",
            "is a folder, not a file".into(),
        ));
    }
    let mut copy = tempfile::tempfile().map_err(unreadable)?;
    let copied = std::io::copy(&mut source, &mut copy).map_err(unreadable)?;
    let after = std::fs::metadata(file).map_err(unreadable)?;
    // A pipe is read once whatever happens: the copy is all there is of it.
    let changed = before.is_file() && (stamp(&before) != stamp(&after) || copied != after.len());
    if changed {
        return Err(ImportError::at(
            file,
            "the file",
            "",
            "changed while it was read (is it still being written?); nothing was imported: import it again once it is complete".into(),
        ));
    }
    Ok(copy)
}

/// The file's own line numbers of records, from their byte offsets: the csv reader numbers the
/// lines of a CRLF file one too low. Offsets must be asked for in order. The snapshot is read
/// alongside with positioned reads, which leave the csv reader's place in it alone.
pub struct Lines {
    copy: std::fs::File,
    buf: Vec<u8>,
    /// The file offset of `buf[0]`, and how much of `buf` is filled.
    start: u64,
    filled: usize,
    at: u64,
    line: u64,
}

impl Lines {
    pub fn of(copy: &std::fs::File) -> std::io::Result<Lines> {
        Ok(Lines {
            copy: copy.try_clone()?,
            buf: vec![0; 1 << 16],
            start: 0,
            filled: 0,
            at: 0,
            line: 1,
        })
    }

    /// The line of the record the csv reader places at `offset`: in a CRLF file that is the
    /// `\n` of the line end before it, so the byte at `offset` is counted too (in an LF file it
    /// is the record's first character, never a line end).
    pub fn at(&mut self, offset: u64) -> u64 {
        use std::os::unix::fs::FileExt;
        let offset = offset + 1;
        while self.at < offset {
            if self.at >= self.start + self.filled as u64 {
                self.start = self.at;
                self.filled = self.copy.read_at(&mut self.buf, self.start).unwrap_or(0);
                if self.filled == 0 {
                    break;
                }
            }
            let i = (self.at - self.start) as usize;
            let end = self.filled.min(i + (offset - self.at) as usize);
            self.line += memchr::memchr_iter(b'\n', &self.buf[i..end]).count() as u64;
            self.at += (end - i) as u64;
        }
        self.line
    }
}

/// Matches the header to our columns: names, aliases, then `--map`. A required column missing
/// is an error that lists what it may be called.
pub fn layout(
    file: &Path,
    kind: ImportKind,
    headers: &csv::StringRecord,
    options: &Options,
) -> Result<Layout, ImportError> {
    let ours = columns::of(kind);
    let find = |name: &str| -> Option<&'static Column> {
        let folded = fold_header(name);
        ours.iter()
            .find(|c| fold_header(c.name) == folded)
            .or_else(|| {
                ours.iter()
                    .find(|c| c.aliases.iter().any(|a| fold_header(a) == folded))
            })
    };
    let mut mapped: HashMap<String, &'static Column> = HashMap::new();
    let ambiguous = |field: &str, message: String| ImportError::at(file, "--map", field, message);
    for (theirs, target) in &options.map {
        let column = ours
            .iter()
            .find(|c| fold_header(c.name) == fold_header(target))
            .ok_or_else(|| {
                let names: Vec<&str> = ours.iter().map(|c| c.name).collect();
                ImportError::at(
                    file,
                    "--map",
                    target,
                    format!("is not a column of {kind:?}; they are {}", names.join(", ")),
                )
            })?;
        if !headers
            .iter()
            .any(|h| fold_header(h) == fold_header(theirs))
        {
            return Err(ImportError::at(
                file,
                "--map",
                theirs,
                "is not a column of the file's header".into(),
            ));
        }
        if let Some((other, _)) = options
            .map
            .iter()
            .find(|(o, t)| o != theirs && fold_header(t) == fold_header(target))
        {
            return Err(ambiguous(
                theirs,
                format!("and --map '{other}={target}' both name {target}: keep one"),
            ));
        }
        mapped.insert(fold_header(theirs), column);
    }
    let mut slots: Vec<Option<(&'static Column, String)>> = Vec::new();
    let mut ignored = Vec::new();
    for h in headers {
        let column = mapped.get(&fold_header(h)).copied().or_else(|| find(h));
        if column.is_none() && !h.trim().is_empty() {
            ignored.push(h.to_string());
        }
        // Two headers read as one column: which of them holds the value is anyone's guess.
        if let Some(c) = column
            && let Some((_, first)) = slots.iter().flatten().find(|(s, _)| s.name == c.name)
        {
            let how = if mapped.contains_key(&fold_header(h))
                || mapped.contains_key(&fold_header(first))
            {
                "a --map names a column the file already has"
            } else {
                "both are read as it"
            };
            return Err(ImportError::at(
                file,
                "line 1",
                c.name,
                format!(
                    "the header has {first:?} and {h:?} for it ({how}): keep one, or --map 'Their Header={}' the one you mean",
                    c.name
                ),
            ));
        }
        slots.push(column.map(|c| (c, h.to_string())));
    }
    for c in ours.iter().filter(|c| c.required) {
        if !slots.iter().flatten().any(|(s, _)| s.name == c.name) {
            let also = if c.aliases.is_empty() {
                String::new()
            } else {
                format!(" (or {})", c.aliases.join(", "))
            };
            return Err(ImportError::at(
                file,
                "line 1",
                c.name,
                format!(
                    "is missing from the header{also}; --map 'Their Header={}' names another",
                    c.name
                ),
            ));
        }
    }
    Ok(Layout {
        kind,
        slots,
        ignored,
    })
}

impl Layout {
    /// What names the row among the file's rows (see `columns::key`), when it has all of it:
    /// as compared and as the file writes it. Compared as the store finds a row: an email
    /// whatever its case, everything else (ids, names, summaries) exactly, so that two rows
    /// the store would take for one are refused, and two it keeps apart are not.
    pub fn key_of(&self, row: &ImportRow) -> Option<(String, String)> {
        let get = |name: &str| {
            row.iter()
                .find(|(k, _)| *k == name)
                .and_then(|(_, v)| match v {
                    Cell::Text(t) if name == "email" => Some((t.to_lowercase(), t.clone())),
                    Cell::Text(t) => Some((t.clone(), t.clone())),
                    Cell::Int(i) => Some((i.to_string(), i.to_string())),
                    _ => None,
                })
        };
        let parts: Option<Vec<(String, String)>> = columns::key(self.kind)
            .iter()
            .map(|k| k.split('|').find_map(get))
            .collect();
        parts.map(|p| {
            let (compared, shown): (Vec<String>, Vec<String>) = p.into_iter().unzip();
            (compared.join("\u{1f}"), shown.join(", "))
        })
    }

    /// The rep login the row names, if its kind names one.
    pub fn login_of(&self, row: &ImportRow) -> Option<String> {
        let column = columns::login_column(self.kind)?;
        row.iter()
            .find(|(k, _)| *k == column)
            .and_then(|(_, v)| match v {
                Cell::Text(t) => Some(t.clone()),
                _ => None,
            })
    }

    /// The row's values in our columns, or everything wrong with it.
    pub fn row(
        &self,
        line: u64,
        record: &csv::StringRecord,
        options: &Options,
    ) -> Result<ImportRow, Vec<RowError>> {
        let mut row: ImportRow = Vec::new();
        let mut errors = Vec::new();
        let mut money_fields = Vec::new();
        for (slot, raw) in self.slots.iter().zip(record.iter()) {
            let Some((column, header)) = slot else {
                continue;
            };
            let value = super::spreadsheet::unguard(raw.trim());
            let bad = |expected: String| RowError {
                line,
                column: header.clone(),
                value: raw.to_string(),
                expected,
            };
            if value.is_empty() {
                if column.required {
                    errors.push(bad("empty: this column is required".into()));
                }
                row.push((column.name, Cell::Null));
                continue;
            }
            if column.kind == Type::Money {
                money_fields.push((column.name, value, header.clone(), raw.to_string()));
                continue;
            }
            match parse(column.kind, value, options) {
                Ok(cell) => row.push((column.name, cell)),
                Err(expected) => errors.push(bad(expected)),
            }
        }
        // Money is read in the row's currency: its number of decimals depends on it.
        let currency = match row.iter().find(|(k, _)| *k == "currency").map(|(_, v)| v) {
            Some(Cell::Text(c)) => c.clone(),
            _ => "USD".to_string(),
        };
        for (name, value, header, raw) in money_fields {
            match parse_money(value, &currency) {
                Ok(cents) => row.push((name, Cell::Int(cents))),
                Err(expected) => errors.push(RowError {
                    line,
                    column: header,
                    value: raw,
                    expected,
                }),
            }
        }
        self.check_row(line, &row, &mut errors);
        if errors.is_empty() {
            Ok(row)
        } else {
            Err(errors)
        }
    }

    /// Rules across columns.
    fn check_row(&self, line: u64, row: &ImportRow, errors: &mut Vec<RowError>) {
        let get = |name: &str| row.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
        let whole = |expected: &str| RowError {
            line,
            column: String::new(),
            value: String::new(),
            expected: expected.to_string(),
        };
        match self.kind {
            ImportKind::Accounts => {
                let churned = matches!(get("churned_at"), Some(Cell::Text(_)));
                if matches!(get("status"), Some(Cell::Text(s)) if s == "churned") && !churned {
                    errors.push(whole(
                        "status is churned but churned_at is empty: say when the account left",
                    ));
                }
                if matches!(get("status"), Some(Cell::Text(s)) if s == "active") && churned {
                    errors.push(whole("status is active but churned_at is set"));
                }
            }
            ImportKind::Nps => {
                if matches!(get("score"), Some(Cell::Int(n)) if *n > 10) {
                    errors.push(whole("score: an NPS answer is 0 to 10"));
                }
            }
            ImportKind::Tickets => {
                if matches!(get("satisfaction"), Some(Cell::Int(n)) if !(1..=5).contains(n)) {
                    errors.push(whole("satisfaction: a CSAT score is 1 to 5"));
                }
                if let (Some(Cell::Text(o)), Some(Cell::Text(r))) =
                    (get("opened_at"), get("resolved_at"))
                    && r < o
                {
                    errors.push(whole("resolved_at is before opened_at"));
                }
            }
            ImportKind::Payments => {
                if matches!(get("amount"), Some(Cell::Int(0))) {
                    errors.push(RowError {
                        line,
                        column: "amount".into(),
                        value: "0.00".into(),
                        expected: "an amount owed, above 0".into(),
                    });
                }
            }
            _ => {}
        }
    }

    /// The external ids of the accounts a row refers to (`account`), to check they exist.
    pub fn account_of(row: &ImportRow) -> Option<&str> {
        row.iter()
            .find(|(k, _)| *k == "account")
            .and_then(|(_, v)| match v {
                Cell::Text(s) => Some(s.as_str()),
                _ => None,
            })
    }
}

fn parse(kind: Type, value: &str, options: &Options) -> Result<Cell, String> {
    match kind {
        Type::Text => super::plain_text(value).map(|t| Cell::Text(t.to_string())),
        Type::Code => super::code_word(value).map(Cell::Text),
        Type::Day => {
            parse_day(value, options).map(|d| Cell::Text(d.format("%Y-%m-%d").to_string()))
        }
        Type::Instant => parse_instant(value, options).map(Cell::Text),
        Type::Count => value
            .parse::<u32>()
            .map(|n| Cell::Int(i64::from(n)))
            .map_err(|_| "a whole number of 0 or more".to_string()),
        Type::Bool => match value.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Ok(Cell::Bool(true)),
            "no" | "n" | "false" | "0" => Ok(Cell::Bool(false)),
            _ => Err("yes or no (also true/false, 1/0)".into()),
        },
        Type::Currency => {
            if value.len() == 3 && value.chars().all(|c| c.is_ascii_alphabetic()) {
                Ok(Cell::Text(value.to_ascii_uppercase()))
            } else {
                Err("a three-letter currency code such as USD or EUR".into())
            }
        }
        Type::Country => Country::parse(value).map(|c| Cell::Text(c.to_string())),
        Type::OneOf(words) => words
            .iter()
            .find(|w| w.eq_ignore_ascii_case(value))
            .map(|w| Cell::Text(w.to_string()))
            .ok_or_else(|| format!("one of {}", words.join(", "))),
        Type::Money => unreachable!("money is read once the row's currency is known"),
    }
}

fn parse_day(value: &str, options: &Options) -> Result<NaiveDate, String> {
    let day = match &options.date_format {
        Some(format) => NaiveDate::parse_from_str(value, format)
            .map_err(|_| format!("a date as {format} (from --date-format)"))?,
        // chrono's %Y-%m-%d also takes `26-1-1` (the year 26) and `2026-1-1`.
        None => crate::store::parse_day(value)
            .ok_or("a date as YYYY-MM-DD (--date-format reads other forms)")?,
    };
    dates::check_range(day)
}

/// A moment in the store's form. ISO with `Z` or an offset, a space instead of `T` (read as
/// UTC), or a day alone (midnight UTC).
fn parse_instant(value: &str, options: &Options) -> Result<String, String> {
    let text = loose_instant(value, options)?;
    // Its day is held to the range of days.
    let day = crate::store::parse_day(text.get(..10).unwrap_or(""));
    dates::check_range(day.unwrap_or(NaiveDate::MAX))?;
    Ok(text)
}

fn loose_instant(value: &str, options: &Options) -> Result<String, String> {
    let utc = |t: NaiveDateTime| t.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    if let Some(format) = &options.date_format {
        if let Ok(t) = NaiveDateTime::parse_from_str(value, format) {
            return Ok(utc(t));
        }
        return parse_day(value, options).map(|d| utc(d.and_time(chrono::NaiveTime::MIN)));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(utc(t.naive_utc()));
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(value, format) {
            return Ok(utc(t));
        }
    }
    crate::store::parse_day(value)
        .map(|d| utc(d.and_time(chrono::NaiveTime::MIN)))
        .ok_or_else(|| "a date and time as 2026-11-02T09:30:00Z, or a date as YYYY-MM-DD".into())
}

/// `12.50` → 1250 in a two-decimal currency. No thousands separators, no symbols, no sign.
fn parse_money(value: &str, currency: &str) -> Result<i64, String> {
    let digits = money::minor_digits(currency);
    let expected = || {
        format!(
            "an amount in {currency} with a dot for decimals and at most {digits}, no separators or symbols (like 1200.50)"
        )
    };
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if whole.is_empty()
        || value.ends_with('.')
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > digits as usize
    {
        return Err(expected());
    }
    let scale = 10_i64.pow(digits);
    let whole: i64 = whole.parse().map_err(|_| expected())?;
    let fraction: i64 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<width$}", width = digits as usize)
            .parse()
            .map_err(|_| expected())?
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .filter(|cents| *cents <= money::MAX_CENTS)
        .ok_or_else(|| {
            format!(
                "{}, at most {}",
                expected(),
                money::major_units(money::MAX_CENTS, currency)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_major_units_with_a_dot() {
        assert_eq!(parse_money("12.50", "USD"), Ok(1250));
        assert_eq!(parse_money("12.5", "USD"), Ok(1250));
        assert_eq!(parse_money("12", "EUR"), Ok(1200));
        assert_eq!(parse_money("1500", "JPY"), Ok(1500));
        for bad in ["1,200.00", "$12", "12.505", "-3", "12.", "abc", "1 200"] {
            assert!(parse_money(bad, "USD").is_err(), "{bad}");
        }
        assert!(parse_money("12.5", "JPY").is_err(), "yen have no decimals");
    }

    #[test]
    fn days_and_moments_are_iso_unless_told_otherwise() {
        let iso = Options::default();
        assert_eq!(
            parse_instant("2026-11-02T09:30:00Z", &iso).unwrap(),
            "2026-11-02T09:30:00Z"
        );
        assert_eq!(
            parse_instant("2026-11-02T10:30:00+01:00", &iso).unwrap(),
            "2026-11-02T09:30:00Z"
        );
        assert_eq!(
            parse_instant("2026-11-02", &iso).unwrap(),
            "2026-11-02T00:00:00Z"
        );
        assert!(parse_day("02/11/2026", &iso).is_err());
        let uk = Options {
            date_format: Some("%d/%m/%Y".into()),
            ..Options::default()
        };
        assert_eq!(
            parse_day("02/11/2026", &uk).unwrap().to_string(),
            "2026-11-02"
        );
        assert!(parse_day("2026-11-02", &uk).is_err());
    }

    #[test]
    fn booleans_and_words() {
        let o = Options::default();
        assert_eq!(parse(Type::Bool, "Yes", &o), Ok(Cell::Bool(true)));
        assert_eq!(parse(Type::Bool, "0", &o), Ok(Cell::Bool(false)));
        assert!(parse(Type::Bool, "No internet service", &o).is_err());
        assert_eq!(
            parse(Type::OneOf(&["monthly", "annual"]), "Annual", &o),
            Ok(Cell::Text("annual".into()))
        );
    }
}
