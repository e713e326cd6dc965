//! What strangers put in files, hooks' answers and stored text: refused at the door with its
//! place named, or shown harmlessly. Real databases of either engine through the real binary
//! (what only reads a configuration or writes to a terminal runs on a file).

mod common;

on_both_engines!(
    stored_escapes_never_reach_the_terminal_from_any_command,
    a_decline_code_from_stripe_or_a_hook_is_a_word_or_refused,
    days_money_and_text_outside_any_sane_range_are_refused_with_their_place,
    totals_over_amounts_a_file_once_let_in_never_wrap_or_fail,
    a_missing_payment_or_a_far_day_is_said_once_and_plainly,
    every_door_that_types_text_or_codes_is_held_to_the_import_rules,
    a_pause_needs_a_later_day_and_a_reason,
);

use common::engine::{Db, Engine, TestDb};
use common::*;
use serde_json::json;

/// Characters that drive or fool a terminal: escape sequences (OSC title and clipboard, clear
/// screen), a C1 CSI, DEL, a bidi override, a zero-width space, a tag character.
const HOSTILE: &str =
    "\u{1b}]0;T\u{7}\u{1b}]52;c;Q0xJUA==\u{7}\u{1b}[2J\u{9b}2J\u{7f}\u{202e}\u{200b}\u{e0041}";

fn has_hostile(text: &str) -> Option<char> {
    text.chars().find(|c| {
        (c.is_control() && *c != '\n') || matches!(c, '\u{202e}' | '\u{200b}' | '\u{e0041}')
    })
}

fn assert_clean(what: &str, text: &str) {
    if let Some(c) = has_hostile(text) {
        let at = text.chars().position(|x| x == c).unwrap_or(0);
        let near: String = text.chars().skip(at.saturating_sub(40)).take(80).collect();
        panic!("{what} let U+{:04X} through: …{near:?}…", u32::from(c));
    }
}

fn demo(engine: Engine) -> TestDb {
    TestDb::demo(engine, 300)
}

fn stored_escapes_never_reach_the_terminal_from_any_command(engine: Engine) {
    let db = demo(engine);
    // A payment failing on an account a rep owns (a small demo need not have one).
    common::payments::failing(
        &db,
        "ch_hostile",
        "2026-11-20T09:00:00Z",
        "insufficient_funds",
    );
    // Text that came in before the doors were shut, or by a script: stored as it is.
    db.execute(
        "UPDATE accounts SET owner_rep_id = (SELECT id FROM reps WHERE role = 'rep' ORDER BY id LIMIT 1)
         WHERE id = 1",
        &[],
    );
    let owner = db
        .query_text(
            "SELECT r.login FROM failed_payments p JOIN accounts a ON a.id = p.account_id
             JOIN reps r ON r.id = a.owner_rep_id WHERE p.status = 'failing' ORDER BY p.id LIMIT 1",
            &[],
        )
        .unwrap();
    db.execute("UPDATE accounts SET name = name || ?1", &[HOSTILE]);
    db.execute(
        "UPDATE failed_payments SET last_decline_code = 'x' || ?1",
        &[HOSTILE],
    );
    let account = query_i64(&db, "SELECT min(id) FROM accounts").to_string();
    for args in [
        vec!["--as", owner.as_str(), "queue"],
        vec!["payments"],
        vec!["payments", "due"],
        vec!["search", "a"],
        vec!["checkins"],
        vec!["at-risk"],
        vec!["summary"],
        vec!["notes", account.as_str()],
        vec!["log", "99999999", "--note", "x"],
    ] {
        let out = run(&db, &args);
        assert_clean(&format!("{args:?} stdout"), &stdout(&out));
        assert_clean(&format!("{args:?} stderr"), &stderr(&out));
    }
    // JSON keeps the exact text, escaped.
    let out = ok(run(&db, &["payments", "--json"]));
    assert_clean("payments --json", &out);
    let items: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["decline_code"].as_str() == Some(&format!("x{HOSTILE}"))),
        "the JSON lost the stored text"
    );
}

fn a_decline_code_from_stripe_or_a_hook_is_a_word_or_refused(engine: Engine) {
    let dir = temp_dir();
    let db = demo(engine);
    let customer = first_external_id(&db);
    let file = dir.path().join("events.json");
    let before = dump(&db);
    let charge = |reason: &str, created: i64, amount: i64| {
        json!([{"id": "evt_1", "object": "event", "type": "charge.failed", "created": created,
                "data": {"object": {"id": "ch_1", "object": "charge", "status": "failed",
                "amount": amount, "currency": "usd", "customer": customer, "invoice": "in_1",
                "created": created, "outcome": {"reason": reason}}}}])
    };
    for (events, says) in [
        (
            charge(HOSTILE, 1_794_301_200, 4900),
            "data.object.outcome.reason",
        ),
        (charge("stolen card", 1_794_301_200, 4900), "not a code"),
        (charge("expired_card", 0, 4900), "between 2000 and 2199"),
        (charge("expired_card", -5, 4900), "between 2000 and 2199"),
        (
            charge("expired_card", 1_794_301_200, i64::MAX),
            "data.object.amount",
        ),
    ] {
        std::fs::write(&file, events.to_string()).unwrap();
        let out = run(&db, &["import", "stripe", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{says}: {}", stdout(&out));
        let err = fails(out);
        assert!(
            err.contains("item 1") && err.contains(says),
            "{says}: {err}"
        );
        assert_clean("the import's error", &err);
    }
    let invoice = json!([{"id": "evt_2", "object": "event", "type": "invoice.payment_failed",
        "created": 1_794_301_200, "data": {"object": {"id": "in_2", "object": "invoice",
        "customer": customer, "attempt_count": -5, "amount_due": 4900, "currency": "usd",
        "status": "open", "created": 1_794_301_200}}}]);
    std::fs::write(&file, invoice.to_string()).unwrap();
    let err = fails(run(&db, &["import", "stripe", file.to_str().unwrap()]));
    assert!(err.contains("attempt_count"), "{err}");
    let nul = json!([{"id": "ch_9\u{0}", "object": "charge", "status": "failed", "amount": 4900,
        "currency": "usd", "customer": customer, "created": 1_794_301_200,
        "outcome": {"reason": "expired_card"}}]);
    std::fs::write(&file, nul.to_string()).unwrap();
    let err = fails(run(&db, &["import", "stripe", file.to_str().unwrap()]));
    assert!(err.contains("control characters"), "{err}");
    assert_eq!(dump(&db), before, "a refused import changed the file");

    // A hook's answer is held to the same rule, and so is a rep's --failed.
    common::payments::only_ours_due(&db);
    let p = common::payments::failing(&db, "in_h", "2026-11-20T09:00:00Z", "processing_error");
    let answer = json!({"outcome": "failed", "decline_code": HOSTILE}).to_string();
    let hook = common::payments::script(
        &dir,
        "evil.sh",
        &format!("cat > /dev/null\necho '{answer}'"),
    );
    let out = run(&db, &["payments", "run", "--exec", &hook]);
    let err = fails(out);
    assert!(
        err.contains("decline_code") && err.contains("not a code"),
        "{err}"
    );
    assert_clean("the run's error", &err);
    let err = fails(run(
        &db,
        &[
            "payments",
            "record",
            &p.to_string(),
            "--failed",
            "Do Not Honor!",
        ],
    ));
    assert!(err.contains("not a code"), "{err}");
}

/// The external id of the first account.
fn first_external_id(db: &TestDb) -> String {
    db.query_text("SELECT external_id FROM accounts ORDER BY id LIMIT 1", &[])
        .unwrap()
}

fn csv(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn days_money_and_text_outside_any_sane_range_are_refused_with_their_place(engine: Engine) {
    let dir = temp_dir();
    let db = demo(engine);
    let before = dump(&db);
    let head = "external_id,name,mrr,customer_since\n";
    for (row, field, says) in [
        (
            "X-1,Far Future Ltd,10.00,9999-12-31",
            "customer_since",
            "a day between 1900-01-01 and 2199-12-31",
        ),
        (
            "X-1,Year 26 Ltd,10.00,26-1-1",
            "customer_since",
            "YYYY-MM-DD",
        ),
        (
            "X-1,Sloppy Ltd,10.00,2026-1-1",
            "customer_since",
            "YYYY-MM-DD",
        ),
        (
            "X-1,Ancient Ltd,10.00,1899-12-31",
            "customer_since",
            "a day between 1900-01-01 and 2199-12-31",
        ),
        (
            "X-1,Rich Ltd,92233720368547758.07,2026-01-05",
            "mrr",
            "at most",
        ),
        ("X-1,Richer Ltd,20000000000.00,2026-01-05", "mrr", "at most"),
        (
            "X-1,Nul\u{0}Ltd,10.00,2026-01-05",
            "name",
            "control characters",
        ),
        (
            "X-1,Esc\u{1b}[2JLtd,10.00,2026-01-05",
            "name",
            "control characters",
        ),
    ] {
        let file = csv(&dir, "accounts.csv", &format!("{head}{row}\n"));
        let err = fails(run(&db, &["import", "accounts", &file]));
        assert!(
            err.contains("line 2") && err.contains(field) && err.contains(says),
            "{row:?}: {err}"
        );
        assert_clean("the import's error", &err);
    }
    let account = first_external_id(&db);
    let file = csv(
        &dir,
        "payments.csv",
        &format!(
            "account,external_ref,amount,currency,first_failed_at,decline_code\n{account},in_9,10.00,USD,2026-11-20,stolen card\n"
        ),
    );
    let err = fails(run(&db, &["import", "payments", &file]));
    assert!(
        err.contains("line 2") && err.contains("decline_code") && err.contains("not a code"),
        "{err}"
    );
    assert_eq!(dump(&db), before);

    // A header or a file name that carries escapes is named harmlessly.
    let file = csv(
        &dir,
        "evil\u{1b}]0;T\u{7}.csv",
        &format!("external_id,name,mrr,customer_since,x{HOSTILE}\nX-1,A,1.00,2026-01-05,y\n"),
    );
    let out = run(&db, &["import", "accounts", &file]);
    assert_clean("the import's stdout", &stdout(&out));
    assert_clean("the import's stderr", &stderr(&out));
    let out = run(&db, &["import", "accounts", &format!("{file}.missing")]);
    assert_clean("a missing file's error", &stderr(&out));

    // Command-line days are held to the same range, and nothing panics.
    let out = run(&db, &["checkins", "--today", "9999-12-31"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a day between 1900-01-01 and 2199-12-31"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &db,
        &[
            "backtest",
            "--as-of",
            "2026-01-01",
            "--horizon-days",
            "99999999999",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn config_numbers_must_be_finite_and_lists_not_empty() {
    let db = demo(Engine::File);
    let config = temp_dir();
    let with = |name: &str, text: &str, args: &[&str]| {
        std::fs::write(config.path().join(name), text).unwrap();
        let out = retain()
            .env("RETAIN_CONFIG_DIR", config.path())
            .arg("--db")
            .arg(&db)
            .args(["--today", TODAY])
            .args(args)
            .output()
            .unwrap();
        std::fs::remove_file(config.path().join(name)).unwrap();
        fails(out)
    };
    let err = with("risk.toml", "[bands]\nhigh = nan\n", &["at-risk"]);
    assert!(
        err.contains("risk.toml") && err.contains("bands.high"),
        "{err}"
    );
    let err = with("risk.toml", "[weights.mid]\nusage = inf\n", &["at-risk"]);
    assert!(err.contains("weights.mid.usage"), "{err}");
    // The line too, where the file says it.
    let err = with(
        "risk.toml",
        "[weights.mid]\nnps = 1\nusage = -5\n",
        &["at-risk"],
    );
    assert!(
        err.contains("line 3: weights.mid.usage") && err.contains("not -5"),
        "{err}"
    );
    let err = with("payments.toml", "paydays = []\n", &["payments"]);
    assert!(
        err.contains("payments.toml") && err.contains("paydays"),
        "{err}"
    );
}

fn totals_over_amounts_a_file_once_let_in_never_wrap_or_fail(engine: Engine) {
    let db = demo(engine);
    db.execute(
        "UPDATE accounts SET mrr_cents = 9223372036854775807, currency = 'USD'
         WHERE id IN (SELECT id FROM accounts WHERE status = 'active' ORDER BY id LIMIT 2)",
        &[],
    );
    db.execute(
        "UPDATE failed_payments SET amount_cents = 9223372036854775807, currency = 'USD'",
        &[],
    );
    let summary: serde_json::Value =
        serde_json::from_str(&ok(run(&db, &["summary", "--json"]))).unwrap();
    assert!(!summary.to_string().contains("-92"), "{summary}");
    let report = ok(run(&db, &["payments", "report", "--json"]));
    assert!(!report.contains(":-"), "a total wrapped negative: {report}");
}

fn a_missing_payment_or_a_far_day_is_said_once_and_plainly(engine: Engine) {
    let db = demo(engine);
    let err = fails(run(
        &db,
        &[
            "payments",
            "pause",
            "99999999",
            "--until",
            "2026-12-30",
            "--reason",
            "x",
        ],
    ));
    assert_eq!(
        err.matches("there is no payment 99999999").count(),
        1,
        "{err}"
    );
    let before = dump(&db);
    for far in ["+9999999w", "+99999m", "26-1-1"] {
        let err = fails(run(&db, &["log", "1", "--note", "x", "--follow-up", far]));
        assert!(err.contains("--follow-up"), "{far}: {err}");
    }
    assert_eq!(dump(&db), before);
}

fn every_door_that_types_text_or_codes_is_held_to_the_import_rules(engine: Engine) {
    use retain::domain::retry::RetryPolicy;
    use retain::store::{Actor, AttemptResult, NewAttempt, StoreError};
    let db = demo(engine);
    let before = dump(&db);
    let escape = "\u{1b}[2J\u{1b}]0;pwned\u{7}";
    for args in [
        vec!["log", "1", "--note", escape],
        vec!["log", "1", "--note", "fine", "--outcome", escape],
        vec!["log", "1", "--note", "fine", "--tag", escape],
        vec!["notes", "1", "--set", escape, "--version", "1"],
    ] {
        let err = fails(run(&db, &args));
        assert!(err.contains("control characters"), "{args:?}: {err}");
        assert_clean("the refusal", &err);
    }
    assert_eq!(dump(&db), before);

    // The console's `:result` and a script reach the store the same way.
    common::payments::only_ours_due(&db);
    let p = common::payments::failing(&db, "in_t", "2026-11-20T09:00:00Z", "processing_error");
    let mut store = store_as_me(&db);
    let me = me();
    let by = Actor {
        os_user: &me,
        now: chrono::Utc::now(),
    };
    let typed = |code: &str| NewAttempt {
        at: by.now,
        result: AttemptResult::Failed {
            decline_code: code.into(),
            advice_code: None,
        },
        automatic: false,
        external_ref: None,
    };
    let policy = RetryPolicy::default();
    let refused = store.record_attempt(p, &typed("Insufficient Funds"), &policy, by);
    assert!(
        matches!(refused, Err(StoreError::Invalid { .. })),
        "{refused:?}"
    );
    store
        .record_attempt(p, &typed("Insufficient_Funds"), &policy, by)
        .unwrap();
    let stored = db
        .query_text(
            &format!("SELECT last_decline_code FROM failed_payments WHERE id = {p}"),
            &[],
        )
        .unwrap();
    assert_eq!(stored, "insufficient_funds");
    let err = fails(run(
        &db,
        &[
            "payments",
            "pause",
            &p.to_string(),
            "--until",
            "2026-12-30",
            "--reason",
            escape,
        ],
    ));
    assert!(err.contains("control characters"), "{err}");
}

#[test]
fn usage_errors_echo_what_they_refuse_harmlessly() {
    let db = demo(Engine::File);
    let out = run(&db, &["export", &format!("x{HOSTILE}")]);
    assert_eq!(out.status.code(), Some(2));
    assert_clean("a usage error", &stderr(&out));
    let out = run(&db, &[&format!("nosuchcommand{HOSTILE}")]);
    assert_eq!(out.status.code(), Some(2));
    assert_clean("an unknown command", &stderr(&out));
}

fn a_pause_needs_a_later_day_and_a_reason(engine: Engine) {
    let db = demo(engine);
    common::payments::only_ours_due(&db);
    let p = common::payments::failing(&db, "in_p", "2026-11-20T09:00:00Z", "processing_error")
        .to_string();
    let before = dump(&db);
    let err = fails(run(
        &db,
        &[
            "payments",
            "pause",
            &p,
            "--until",
            "2026-11-01",
            "--reason",
            "promised",
        ],
    ));
    assert!(
        err.contains("until") && err.contains("not after today"),
        "{err}"
    );
    let err = fails(run(
        &db,
        &[
            "payments",
            "pause",
            &p,
            "--until",
            "2026-12-30",
            "--reason",
            "  ",
        ],
    ));
    assert!(err.contains("reason") && err.contains("say why"), "{err}");
    let err = fails(run(&db, &["payments", "write-off", &p, "--reason", ""]));
    assert!(err.contains("say why"), "{err}");
    assert_eq!(dump(&db), before);
}

/// Output that cannot be written (a full disk) ends a command with the reason and status 1,
/// never a panic's backtrace.
#[test]
fn output_to_a_full_disk_is_an_error_not_a_panic() {
    let db = demo(Engine::File);
    for args in [vec!["keys"], vec!["at-risk"], vec!["reps", "list"]] {
        let out = retain()
            .arg("--db")
            .arg(&db)
            .args(["--today", TODAY])
            .args(&args)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("could not be written") && !err.contains("panicked"),
            "{err}"
        );
    }
}
