//! Failed payments made to order on a demo database of either engine, and hook scripts, for the payment tests.

use super::engine::Db;
use super::{ok, run};

/// A payment of $99 that failed on `when` with `code`, on account 1.
pub fn failing(db: &(impl Db + ?Sized), reference: &str, when: &str, code: &str) -> i64 {
    failing_of(db, 9900, reference, when, code)
}

/// A payment of `cents` US cents that failed on `when` with `code`, on account 1.
pub fn failing_of(
    db: &(impl Db + ?Sized),
    cents: i64,
    reference: &str,
    when: &str,
    code: &str,
) -> i64 {
    let id = db.query_i64(
        &format!(
            "INSERT INTO failed_payments (account_id, external_ref, amount_cents, currency,
                 first_failed_at, last_decline_code, status)
             VALUES (1, ?1, {cents}, 'USD', ?2, ?3, 'failing') RETURNING id"
        ),
        &[reference, when, code],
    );
    db.execute(
        &format!(
            "INSERT INTO payment_attempts (payment_id, attempted_at, outcome, decline_code, automatic)
             VALUES ({id}, ?1, 'failed', ?2, 1)"
        ),
        &[when, code],
    );
    id
}

pub fn queue(db: &(impl Db + ?Sized), args: &[&str]) -> Vec<serde_json::Value> {
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
pub fn only_ours_due(db: &(impl Db + ?Sized)) {
    db.execute(
        "UPDATE failed_payments SET paused_until = '2027-01-01' WHERE status = 'failing'",
        &[],
    );
}
