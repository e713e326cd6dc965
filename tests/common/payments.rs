//! Failed payments made to order on a demo file, and hook scripts, for the payment tests.

use rusqlite::{Connection, params};

use super::{db_in, ok, run};

pub fn demo(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_in(dir, "payments.db");
    ok(run(&db, &["demo", "--accounts", "300"]));
    db
}

/// A payment that failed on `when` with `code`, on account 1.
pub fn failing(db: &std::path::Path, reference: &str, when: &str, code: &str) -> i64 {
    let conn = Connection::open(db).unwrap();
    conn.execute(
        "INSERT INTO failed_payments (account_id, external_ref, amount_cents, currency,
             first_failed_at, last_decline_code, status)
         VALUES (1, ?1, 9900, 'USD', ?2, ?3, 'failing')",
        params![reference, when, code],
    )
    .unwrap();
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO payment_attempts (payment_id, attempted_at, outcome, decline_code, automatic)
         VALUES (?1, ?2, 'failed', ?3, 1)",
        params![id, when, code],
    )
    .unwrap();
    id
}

pub fn queue(db: &std::path::Path, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["payments"];
    all.extend_from_slice(args);
    all.push("--json");
    serde_json::from_str(&ok(run(db, &all))).unwrap()
}

/// A shell script in `dir`, made executable, for `payments run --exec`.
pub fn script(dir: &tempfile::TempDir, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.path().join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_str().unwrap().to_string()
}

/// Only our payments are due: the demo's own due retries are moved out of the way.
pub fn only_ours_due(db: &std::path::Path) {
    let conn = Connection::open(db).unwrap();
    conn.execute(
        "UPDATE failed_payments SET paused_until = '2027-01-01' WHERE status = 'failing'",
        [],
    )
    .unwrap();
}
