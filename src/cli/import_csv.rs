//! `retain import accounts|contacts|... FILE`: a CSV file, checked whole before anything is
//! written, then written in one transaction.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::Serialize;

use super::Ctx;
use crate::ingest::ImportError;
use crate::ingest::csv_rows::{Layout, Lines, Options, RowError, layout, reader, snapshot};
use crate::ingest::spreadsheet::guard;
use crate::store::{Create, ImportCounts, ImportKind};

/// Errors listed in full before the rest are only counted.
const SHOWN_ERRORS: usize = 50;

#[derive(Debug, clap::Args)]
pub struct CsvArgs {
    pub file: PathBuf,
    /// Read a column of another name as one of ours: 'Their Header=our_column' (repeatable)
    #[arg(long, value_name = "THEIRS=OURS")]
    pub map: Vec<String>,
    /// Dates not in ISO form, as a chrono format: '%d/%m/%Y', '%m/%d/%Y %H:%M'
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Import the good rows and write the bad ones, with their errors, to FILE.rejects.csv
    #[arg(long)]
    pub skip_bad: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Imported {
    file: String,
    rows: u64,
    #[serde(flatten)]
    counts: ImportCounts,
    rejected: usize,
    rejects_file: Option<String>,
    ignored_columns: Vec<String>,
}

pub fn run(ctx: &Ctx, kind: ImportKind, args: &CsvArgs) -> Result<()> {
    let file = &args.file;
    let options = Options {
        map: args
            .map
            .iter()
            .map(|m| match m.split_once('=') {
                Some((theirs, ours)) => Ok((theirs.trim().to_string(), ours.trim().to_string())),
                None => bail!("--map {m:?}: write it as 'Their Header=our_column'"),
            })
            .collect::<Result<_>>()?,
        date_format: args.date_format.clone(),
    };
    let mut store = ctx.open(Create::Never)?;

    // The rejects file goes beside the file: a pipe has no folder of its own.
    if args.skip_bad && !std::fs::metadata(file).is_ok_and(|m| m.is_file()) {
        bail!(
            "{}: --skip-bad writes the bad rows beside the file, and this is not a file in a folder (a pipe?): save it to a file first",
            file.display()
        );
    }
    // Both passes read one snapshot: what is checked is what is written.
    let copy = snapshot(file)?;
    // Pass one: every row checked, nothing written.
    let mut records = reader(file, &copy)?;
    let mut lines = Lines::of(&copy).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let headers = records.headers().map_err(|e| csv_error(file, &e))?.clone();
    let layout = layout(file, kind, &headers, &options)?;
    let mut errors: Vec<RowError> = Vec::new();
    let mut bad: HashSet<u64> = HashSet::new();
    let mut refers: HashMap<String, Vec<u64>> = HashMap::new();
    let mut logins: HashMap<String, Vec<u64>> = HashMap::new();
    // Keys by a 128-bit hash, not their text: a million rows' keys stay a few tens of MB.
    let mut first_line_of: HashMap<u128, u64> = HashMap::new();
    let key_names = crate::ingest::columns::key(kind)
        .join(", ")
        .replace('|', " or ");
    let mut rows = 0u64;
    for record in records.records() {
        let record = record.map_err(|e| csv_error(file, &e))?;
        let line = record.position().map_or(0, |p| lines.at(p.byte()));
        rows += 1;
        match layout.row(line, &record, &options) {
            Ok(row) => {
                if let Some(account) = Layout::account_of(&row) {
                    refers.entry(account.to_string()).or_default().push(line);
                }
                if let Some(login) = layout.login_of(&row) {
                    logins.entry(login).or_default().push(line);
                }
                // The same thing twice in one file: which row should win is not ours to guess.
                if let Some((key, shown)) = layout.key_of(&row)
                    && let Some(&first) = first_line_of.get(&wide_hash(&key))
                {
                    bad.insert(line);
                    bad.insert(first);
                    errors.push(RowError {
                        line: first,
                        column: key_names.clone(),
                        value: shown.clone(),
                        expected: format!("a row of its own: line {line} has the same {key_names}; keep one of them"),
                    });
                    errors.push(RowError {
                        line,
                        column: key_names.clone(),
                        value: shown,
                        expected: format!("a row of its own: line {first} has the same {key_names}; keep one of them"),
                    });
                } else if let Some((key, _)) = layout.key_of(&row) {
                    first_line_of.insert(wide_hash(&key), line);
                }
            }
            Err(e) => {
                bad.insert(line);
                errors.extend(e);
            }
        }
    }
    for unknown in store.unknown_accounts(refers.keys().map(String::as_str))? {
        for &line in &refers[unknown] {
            bad.insert(line);
            errors.push(RowError {
                line,
                column: "account".into(),
                value: unknown.to_string(),
                expected: "an account of the database (import its accounts first)".into(),
            });
        }
    }
    // A deactivated rep is still known (an export names them on their old calls); the
    // suggestions are the active ones.
    let reps = store.reps()?;
    let active: Vec<String> = reps
        .iter()
        .filter(|r| r.active)
        .map(|r| r.login.clone())
        .collect();
    for (login, lines) in &logins {
        if reps.iter().any(|r| &r.login == login) {
            continue;
        }
        // Near misses first (a typo), else the team as it is.
        let mut nearest: Vec<String> = active
            .iter()
            .filter(|k| strsim::levenshtein(k, login) <= 2.max(login.chars().count() / 3))
            .cloned()
            .collect();
        nearest.sort_by_key(|k| strsim::levenshtein(k, login));
        let listed = if nearest.is_empty() {
            format!("the reps are {}", active.join(", "))
        } else {
            format!("nearest: {}", nearest.join(", "))
        };
        for &line in lines {
            bad.insert(line);
            errors.push(RowError {
                line,
                column: crate::ingest::columns::login_column(kind)
                    .unwrap_or("owner")
                    .into(),
                value: login.clone(),
                expected: if active.is_empty() {
                    "an active rep's login, and the database has no reps yet (retain reps add)"
                        .into()
                } else {
                    format!("an active rep's login ({listed})")
                },
            });
        }
    }
    errors.sort_by_key(|e| e.line);
    if !errors.is_empty() {
        // With --json the errors go into the one JSON error (see main), not line by line.
        if !args.json {
            for e in errors.iter().take(SHOWN_ERRORS) {
                crate::tell!("retain: {}: {e}", file.display());
            }
            if errors.len() > SHOWN_ERRORS {
                crate::tell!("retain: … and {} more", errors.len() - SHOWN_ERRORS);
            }
        }
        if !args.skip_bad {
            let listed = if args.json {
                let shown: Vec<String> = errors
                    .iter()
                    .take(SHOWN_ERRORS)
                    .map(|e| e.to_string())
                    .collect();
                format!(": {}", shown.join("; "))
            } else {
                String::new()
            };
            bail!(
                "{}: {} of {rows} rows are bad; nothing was imported (fix them, or --skip-bad imports the others){listed}",
                file.display(),
                bad.len()
            );
        }
    }

    // Pass two: the good rows written in one transaction, the bad ones set aside.
    let rejects_path = (!bad.is_empty()).then(|| rejects_path(file));
    let mut rejects = match &rejects_path {
        Some(path) => {
            let mut w = csv::Writer::from_writer(crate::files::PrivateFile::create(path)?);
            let head = headers.iter().chain(["error"]).map(guard);
            w.write_record(head.map(|c| c.into_owned()))?;
            Some(w)
        }
        None => None,
    };
    let mut by_line: HashMap<u64, String> = HashMap::new();
    for e in &errors {
        let text = by_line.entry(e.line).or_default();
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str(&e.to_string());
    }
    let progress = progress_bar(rows);
    let mut second = reader(file, &copy)?;
    let mut second_lines =
        Lines::of(&copy).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let mut write_error = None;
    let good = second.records().filter_map(|record| {
        progress.inc(1);
        let record = record.ok()?;
        let line = record.position().map_or(0, |p| second_lines.at(p.byte()));
        if bad.contains(&line) {
            if let Some(w) = &mut rejects {
                let error = by_line.get(&line).map_or("", String::as_str);
                let out = record.iter().chain([error]).map(guard);
                if let Err(e) = w.write_record(out.map(|c| c.into_owned())) {
                    write_error.get_or_insert(e);
                }
            }
            return None;
        }
        layout.row(line, &record, &options).ok()
    });
    let source = format!("{kind:?} {}", file.display()).to_lowercase();
    let counts = store.import_rows(kind, good, &source, ctx.today, &ctx.os_user, ctx.now())?;
    progress.finish_and_clear();
    if let Some(e) = write_error {
        bail!("the rejects file could not be written: {e}");
    }
    if let Some(w) = rejects {
        w.into_inner().map_err(|e| e.into_error())?.commit()?;
    }
    let out = Imported {
        file: file.display().to_string(),
        rows,
        counts,
        rejected: bad.len(),
        rejects_file: rejects_path.map(|p| p.display().to_string()),
        ignored_columns: layout.ignored.clone(),
    };
    if args.json {
        crate::say!("{}", crate::display::to_json(&out)?);
        return Ok(());
    }
    crate::say!(
        "{}: {} rows: {} added, {} updated, {} unchanged",
        out.file,
        out.rows,
        out.counts.inserted,
        out.counts.updated,
        out.counts.unchanged
    );
    if let Some(path) = &out.rejects_file {
        crate::say!("{} bad rows set aside in {path}", out.rejected);
    }
    if !out.ignored_columns.is_empty() {
        crate::say!(
            "columns not read: {} (--map 'Their Header=our_column' reads one)",
            out.ignored_columns.join(", ")
        );
    }
    Ok(())
}

/// 128 bits of `key`: two SipHash runs, apart by a leading byte. Two keys of one file sharing
/// them by chance is out of reach (one in 2^64 for a file of four billion rows).
fn wide_hash(key: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |salt: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        salt.hash(&mut h);
        key.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// `accounts.csv` → `accounts.rejects.csv`, beside it.
fn rejects_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or("import".into(), |s| s.to_string_lossy().into_owned());
    file.with_file_name(format!("{stem}.rejects.csv"))
}

fn csv_error(file: &Path, e: &csv::Error) -> ImportError {
    let line = e
        .position()
        .map_or("the file".to_string(), |p| format!("line {}", p.line()));
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "is not UTF-8 text: save the file as UTF-8 (CSV UTF-8 in a spreadsheet)".to_string()
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "has {len} fields where the header has {expected_len}: a stray separator or an unclosed quote?"
        ),
        csv::ErrorKind::Io(io) => format!("cannot be read: {io}"),
        _ => format!("is not CSV: {e}"),
    };
    ImportError::at(file, &line, "", message)
}

/// A bar on a terminal, nothing when the output is piped or logged.
fn progress_bar(rows: u64) -> indicatif::ProgressBar {
    if rows < 10_000 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(rows);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {eta}") {
        bar.set_style(style);
    }
    bar
}
