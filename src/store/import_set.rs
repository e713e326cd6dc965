//! A file's rows imported all at once, on a server: a round trip per row would be most of an
//! import's time there (a million rows, a million round trips), so the rows go to a temporary
//! table with `COPY`, and the kind's own statements (`import.rs`: find, update, insert) run
//! once each over all of them, every `:name` read from the staged row's column `p_name`.
//!
//! The reader refuses a file that names one row twice, so no row of a file finds another of
//! the same file: the sets do what the rows one after another would, and new rows take their
//! ids in the file's order as they would.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::codec::day;
use super::import::{ImportCounts, ImportKind, ImportRow, Sql, first_attempts, table, values_for};
use super::sql::{self, Arg, Statement, ToArg, Tx, Value, copy_line, params};

/// How the kinds' statements find the account a row names (`import.rs`).
const ACCOUNT_OF_ROW: &str = "(SELECT id FROM accounts WHERE external_id = :account)";

/// What the staged rows' COPY text may come to before it is sent.
const SEND_AT_BYTES: usize = 8 << 20;

/// Imports `rows` of `kind` in the transaction `tx`, on a server.
pub(super) fn import(
    tx: &Tx<'_>,
    kind: ImportKind,
    sql: &Sql,
    rows: impl Iterator<Item = ImportRow>,
    today: NaiveDate,
    stamp: &str,
) -> sql::Result<ImportCounts> {
    // Prepared only for the server's types of their parameters: the staged columns' types.
    let statements = [
        tx.prepare(sql.find)?,
        tx.prepare(sql.update)?,
        tx.prepare(sql.insert)?,
    ];
    let columns = staged_columns(&statements);
    let names: Vec<String> = columns.iter().map(|(name, _)| name.clone()).collect();
    let declared: Vec<String> = columns
        .iter()
        .map(|(name, kind)| format!("p_{name} {kind}"))
        .collect();
    tx.execute_batch(&format!(
        "CREATE TEMPORARY TABLE retain_import (n BIGINT, found BIGINT, mrr_before BIGINT,
             account_id BIGINT, {})
         ON COMMIT DROP",
        declared.join(", ")
    ))?;
    let copied: Vec<String> = names.iter().map(|n| format!("p_{n}")).collect();
    let copied = format!("n, {}", copied.join(", "));
    let mut text = Vec::new();
    for (n, row) in rows.enumerate() {
        let mut values = vec![Value::Integer(n as i64)];
        values.extend(values_for(&names, &row));
        let args: Vec<Arg<'_>> = values.iter().map(ToArg::to_arg).collect();
        copy_line(&args, &mut text);
        if text.len() >= SEND_AT_BYTES {
            tx.copy_text("retain_import", &copied, &text)?;
            text.clear();
        }
    }
    if !text.is_empty() {
        tx.copy_text("retain_import", &copied, &text)?;
    }
    // The account each row names, found once for all rows by a join (the statements ask it of
    // each row: a million lookups, where one join is a second).
    if names.iter().any(|n| n == "account") {
        tx.execute(
            "UPDATE retain_import s SET account_id = a.id FROM accounts a
             WHERE a.external_id = s.p_account",
            [],
        )?;
    }
    let from_stage = |s: &str| staged(&s.replace(ACCOUNT_OF_ROW, "s.account_id"), stamp);
    // What each staged row names already; the first by id, as a lookup of one row finds it.
    tx.execute(
        &format!(
            "UPDATE retain_import s SET found = ({} ORDER BY id LIMIT 1)",
            from_stage(sql.find)
        ),
        [],
    )?;
    if kind == ImportKind::Accounts {
        tx.execute(
            "UPDATE retain_import s SET mrr_before = a.mrr_cents FROM accounts a WHERE a.id = s.found",
            [],
        )?;
    }
    let found: i64 = tx.query_row("SELECT count(found) FROM retain_import", [], |r| r.get(0))?;
    // The update's own WHERE (its SET may hold subqueries with theirs) begins with the row.
    let (set, condition) = from_stage(sql.update)
        .split_once("WHERE id = s.found")
        .map(|(set, condition)| (set.to_string(), condition.to_string()))
        .expect("an import's update changes the row :id");
    let updated = tx.execute(
        &format!("{set} FROM retain_import s WHERE id = s.found {condition}"),
        [],
    )?;
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
        &format!("{into} SELECT {values} FROM retain_import s WHERE s.found IS NULL ORDER BY s.n"),
        [],
    )?;
    if kind == ImportKind::Payments {
        first_attempts(tx, "id > ?1", before)?;
    }
    Ok(ImportCounts {
        inserted,
        updated,
        unchanged: found as usize - updated,
    })
}

/// The staged columns: every parameter the statements name but the found row's `:id` and the
/// import's `:now`, typed as the server typed it where it first appears.
fn staged_columns(statements: &[Statement<'_>]) -> Vec<(String, String)> {
    let mut columns: Vec<(String, String)> = Vec::new();
    let mut seen = HashSet::new();
    for statement in statements {
        let types = statement.server_types().unwrap_or_default();
        for (name, kind) in statement.parameter_names().into_iter().zip(types) {
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
