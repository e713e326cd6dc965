//! A file's rows imported all at once: the rows go to a temporary table and the kind's own
//! statements (`import.rs`: find, update, insert) run over all of them, every `:name` read
//! from the staged row's column `p_name`. Row by row, a million rows took a million index
//! searches in the file's order, all over the indexes. On a file the rows are staged a hundred
//! thousand at a time, each chunk in account order, so that each index is walked once per
//! chunk; a server takes the whole file at once with `COPY` (a statement there costs a round
//! trip, and fires the statement triggers) and keeps it on its side.
//!
//! The reader refuses a file that names one row twice, so no row of a file finds another of
//! the same file: the sets do what the rows one after another would. New rows take their ids
//! chunk by chunk, account by account within a chunk, and in the file's order within an
//! account (what a timeline's ties go by), on both engines alike.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::codec::day;
use super::import::{ImportCounts, ImportKind, ImportRow, Sql, account_ids, table, values_for};
use super::sql::{
    self, Arg, Engine, Statement, ToArg, Tx, Value, copy_line, params, params_from_iter,
};

/// How the kinds' statements find the account a row names (`import.rs`).
const ACCOUNT_OF_ROW: &str = "(SELECT id FROM accounts WHERE external_id = :account)";

/// What the staged rows' COPY text may come to before it is sent.
const SEND_AT_BYTES: usize = 8 << 20;

/// Rows a file stages and writes at a time: its whole million in memory at once was 350 MB.
const CHUNK: usize = 100_000;

/// Imports `rows` of `kind` in the transaction `tx`.
pub(super) fn import(
    tx: &Tx<'_>,
    kind: ImportKind,
    sql: &Sql,
    rows: impl Iterator<Item = ImportRow>,
    today: NaiveDate,
    stamp: &str,
) -> sql::Result<ImportCounts> {
    // Prepared for the parameters' names, and on a server their types: the staged columns'.
    let statements = [
        tx.prepare(sql.find)?,
        tx.prepare(sql.update)?,
        tx.prepare(sql.insert)?,
    ];
    let columns = staged_columns(&statements);
    drop(statements);
    let names: Vec<String> = columns.iter().map(|(name, _)| name.clone()).collect();
    let declared: Vec<String> = columns
        .iter()
        .map(|(name, kind)| format!("p_{name} {kind}"))
        .collect();
    let server = tx.engine() == Engine::Postgres;
    // On a file the row's number is its rowid: the table is read in that order for nothing.
    tx.execute_batch(&format!(
        "CREATE TEMPORARY TABLE retain_import ({}, found BIGINT, mrr_before BIGINT,
             account_id BIGINT, {}) {}",
        if server {
            "n BIGINT"
        } else {
            "n INTEGER PRIMARY KEY"
        },
        declared.join(", "),
        if server { "ON COMMIT DROP" } else { "" }
    ))?;
    let aside = super::fact_counts::set_aside(tx)?;
    let rows = rows.map(|row| values_for(&names, &row));
    let counts = if server {
        // All at once: each statement costs a round trip and fires the statement triggers,
        // and the server keeps the staged rows on its side. The new rows go in the order a
        // file's chunks give them, so that both engines give a file's rows the same ids.
        stage(tx, &names, rows.map(|row| (None, row)), 0)?;
        if names.iter().any(|n| n == "account") {
            tx.execute(
                "UPDATE retain_import AS s SET account_id = a.id FROM accounts AS a
                 WHERE a.external_id = s.p_account",
                [],
            )?;
        }
        write_staged(
            tx,
            kind,
            sql,
            today,
            stamp,
            &format!("s.n / {CHUNK}, s.account_id, s.n"),
        )?
    } else {
        // A chunk at a time, each put in account order here: its number is its place.
        let account_at = names.iter().position(|n| n == "account");
        let mut rows = rows.peekable();
        let mut counts = ImportCounts::default();
        let mut staged = 0;
        while rows.peek().is_some() {
            let chunk = in_account_order(tx, rows.by_ref().take(CHUNK).collect(), account_at)?;
            staged = stage(tx, &names, chunk.into_iter(), staged)?;
            counts += write_staged(tx, kind, sql, today, stamp, "s.n")?;
            tx.execute_batch("DELETE FROM retain_import")?;
        }
        counts
    };
    aside.restore(tx)?;
    if !server {
        // A file's temporary table lasts as long as its connection, which goes on after.
        tx.execute_batch("DROP TABLE temp.retain_import")?;
    }
    Ok(counts)
}

/// Rows with the id of the account each names, in account order, and in the file's within an
/// account: staged so, they are found and written one account after another.
fn in_account_order(
    tx: &Tx<'_>,
    rows: Vec<Vec<Value>>,
    account_at: Option<usize>,
) -> sql::Result<Vec<(Option<i64>, Vec<Value>)>> {
    let Some(at) = account_at else {
        return Ok(rows.into_iter().map(|row| (None, row)).collect());
    };
    let named = |row: &Vec<Value>| match &row[at] {
        Value::Text(external) => Some(external.clone()),
        _ => None,
    };
    let mut externals: Vec<String> = rows.iter().filter_map(named).collect();
    externals.sort_unstable();
    externals.dedup();
    let ids = account_ids(tx, &externals)?;
    let mut out: Vec<(Option<i64>, Vec<Value>)> = rows
        .into_iter()
        .map(|row| (named(&row).and_then(|e| ids.get(&e).copied()), row))
        .collect();
    // Stable: a file's order kept among an account's rows.
    out.sort_by_key(|(account, _)| *account);
    Ok(out)
}

/// The rows (each with its account's id, where known) into the temporary table, numbered on
/// from `first`: by `COPY` on a server, on a file by one statement run for each (in a
/// transaction, SQLite's fastest way in). The number the next chunk starts from.
fn stage(
    tx: &Tx<'_>,
    names: &[String],
    rows: impl Iterator<Item = (Option<i64>, Vec<Value>)>,
    first: i64,
) -> sql::Result<i64> {
    let staged: Vec<String> = names.iter().map(|n| format!("p_{n}")).collect();
    let staged = format!("n, account_id, {}", staged.join(", "));
    let mut next = first;
    let numbered = rows.zip(first..).map(|((account, row), n)| {
        next = n + 1;
        let mut values = vec![
            Value::Integer(n),
            account.map_or(Value::Null, Value::Integer),
        ];
        values.extend(row);
        values
    });
    if tx.engine() == Engine::Sqlite {
        let mut insert = tx.prepare_cached(&format!(
            "INSERT INTO temp.retain_import ({staged}) VALUES ({})",
            sql::marks(names.len() + 2)
        ))?;
        for values in numbered {
            insert.execute(params_from_iter(&values))?;
        }
        return Ok(next);
    }
    let mut text = Vec::new();
    for values in numbered {
        let args: Vec<Arg<'_>> = values.iter().map(ToArg::to_arg).collect();
        copy_line(&args, &mut text);
        if text.len() >= SEND_AT_BYTES {
            tx.copy_text("retain_import", &staged, &text)?;
            text.clear();
        }
    }
    if !text.is_empty() {
        tx.copy_text("retain_import", &staged, &text)?;
    }
    Ok(next)
}

/// The staged rows found, updated and inserted: the kind's statements, each run once over
/// all of them, the new rows inserted in the order `order` says.
fn write_staged(
    tx: &Tx<'_>,
    kind: ImportKind,
    sql: &Sql,
    today: NaiveDate,
    stamp: &str,
    order: &str,
) -> sql::Result<ImportCounts> {
    let from_stage = |s: &str| staged(&s.replace(ACCOUNT_OF_ROW, "s.account_id"), stamp);
    // What each staged row names already; the first by id, as a lookup of one row finds it.
    tx.execute(
        &format!(
            "UPDATE retain_import AS s SET found = ({} ORDER BY id LIMIT 1)",
            from_stage(sql.find)
        ),
        [],
    )?;
    if kind == ImportKind::Accounts {
        tx.execute(
            "UPDATE retain_import AS s SET mrr_before = a.mrr_cents FROM accounts AS a
             WHERE a.id = s.found",
            [],
        )?;
    }
    let found: i64 = tx.query_row("SELECT count(found) FROM retain_import", [], |r| r.get(0))?;
    // The update's own WHERE (its SET may hold subqueries with theirs) begins with the row.
    let (set, condition) = from_stage(sql.update)
        .split_once("WHERE id = s.found")
        .map(|(set, condition)| (set.to_string(), condition.to_string()))
        .expect("an import's update changes the row :id");
    // (Asked only when something was found: with nothing to join, a server still read the
    // whole table.)
    let updated = if found == 0 {
        0
    } else {
        tx.execute(
            &format!("{set} FROM retain_import s WHERE id = s.found {condition}"),
            [],
        )?
    };
    if kind == ImportKind::Accounts {
        // A corrected MRR is a change of MRR from the day of the import, as row by row.
        tx.execute(
            "INSERT INTO mrr_changes (account_id, changed_on, from_cents, to_cents, reason)
             SELECT s.found, ?1, s.mrr_before, a.mrr_cents, 'import'
             FROM retain_import s JOIN accounts a ON a.id = s.found
             WHERE a.mrr_cents <> s.mrr_before ORDER BY s.n",
            params![day(today)],
        )?;
    }
    // Ids before the insert: the rows above them are this import's (the write lock keeps
    // retain's other writers out meanwhile).
    let before: i64 = tx.query_row(
        &format!("SELECT coalesce(max(id), 0) FROM {}", table(kind)),
        [],
        |r| r.get(0),
    )?;
    let (into, values) = from_stage(sql.insert)
        .split_once(" VALUES ")
        .map(|(into, values)| (into.to_string(), values.trim().to_string()))
        .expect("an import's insert has VALUES");
    let values = values
        .strip_prefix('(')
        .and_then(|v| v.strip_suffix(')'))
        .expect("an import's VALUES are one row");
    let inserted = tx.execute(
        &format!(
            "{into} SELECT {values} FROM retain_import s WHERE s.found IS NULL ORDER BY {order}"
        ),
        [],
    )?;
    if kind == ImportKind::Payments {
        first_attempts_after(tx, before)?;
    }
    Ok(ImportCounts {
        inserted,
        updated,
        unchanged: found as usize - updated,
    })
}

/// A payment imported as failing has failed once: the retry policy counts from that attempt.
/// For the payments this import added (those after `id`).
fn first_attempts_after(tx: &Tx<'_>, id: i64) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO payment_attempts (payment_id, attempted_at, outcome, decline_code, automatic)
         SELECT id, first_failed_at, 'failed', last_decline_code, 1 FROM failed_payments
         WHERE id > ?1 ORDER BY id",
        [id],
    )?;
    Ok(())
}

/// The staged columns: every parameter the statements name but the found row's `:id` and the
/// import's `:now`, typed as the server typed it where it first appears (a file's untyped: a
/// value is kept as the row gave it, as a bound parameter is).
fn staged_columns(statements: &[Statement<'_>]) -> Vec<(String, String)> {
    let mut columns: Vec<(String, String)> = Vec::new();
    let mut seen = HashSet::new();
    for statement in statements {
        let names = statement.parameter_names();
        let types = statement
            .server_types()
            .unwrap_or_else(|| vec![String::new(); names.len()]);
        for (name, kind) in names.into_iter().zip(types) {
            if name == "id" || name == "now" || !seen.insert(name.clone()) {
                continue;
            }
            columns.push((name, kind));
        }
    }
    columns
}

/// `sql` with every `:name` read from the staged row `s` (`:id` is the row it found), and
/// `:now` the import's moment.
fn staged(sql: &str, now: &str) -> String {
    let mut out = String::with_capacity(sql.len() * 2);
    let mut rest = sql;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        match &after[..end] {
            "" => out.push(':'),
            "id" => out.push_str("s.found"),
            "now" => out.push_str(&format!("CAST('{now}' AS TEXT)")),
            name => out.push_str(&format!("s.p_{name}")),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_finds_the_account_of_a_row_as_the_join_does() {
        use ImportKind::*;
        for kind in [Contacts, Interactions, Tickets, Nps, Usage, Payments] {
            let sql = super::super::import::sql(kind);
            for statement in [sql.find, sql.insert] {
                let rest = statement.replace(ACCOUNT_OF_ROW, "");
                assert!(!rest.contains(":account"), "{kind:?}: {statement}");
            }
        }
    }

    #[test]
    fn parameters_are_read_from_the_staged_row() {
        assert_eq!(
            staged(
                "UPDATE t SET a = coalesce(:a, a), at = :now WHERE id = :id AND b = :b_2",
                "2026-12-01T00:00:00Z"
            ),
            "UPDATE t SET a = coalesce(s.p_a, a), at = CAST('2026-12-01T00:00:00Z' AS TEXT) WHERE id = s.found AND b = s.p_b_2"
        );
    }
}
