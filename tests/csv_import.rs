//! `retain import` of CSV files and `retain export`: strict values, bad rows named by line and
//! column with nothing written, idempotent re-imports, and a round trip.

mod common;

on_both_engines!(
    aliases_bom_crlf_quotes_and_newlines_are_read_and_a_second_import_changes_nothing,
    every_kind_of_bad_row_is_named_and_nothing_is_written,
    skip_bad_imports_the_rest_and_sets_the_bad_rows_aside,
    map_and_date_format_read_other_systems_files,
    an_export_imports_back_unchanged,
    a_pipe_is_read_once_and_every_row_of_it_is_checked,
    ambiguous_files_are_named_errors_not_silent_choices,
    errors_name_the_true_line_the_field_and_what_to_do,
    a_line_end_inside_a_cell_imports_back_as_it_was,
    one_row_twice_is_what_the_store_would_take_for_one,
    an_import_counts_each_row_as_a_change_of_its_account,
);

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use common::engine::{Db, Engine, TestDb};
use common::*;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn import(
    db: &(impl AsRef<OsStr> + ?Sized),
    kind: &str,
    file: &Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec!["import", kind, file.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(db, &args)
}

fn empty_db(engine: Engine) -> TestDb {
    let db = TestDb::new(engine);
    ok(run(&db, &["init"]));
    db
}

const ACCOUNTS: &str = "\u{feff}Customer ID,Company,Website,MRR,Currency,Start Date,Billing\r\n\
ACME-1,Acme Ltd,acme.example,1200.50,USD,2025-03-01,monthly\r\n\
GLOBEX-2,\"Globex, Inc.\",globex.example,99,EUR,2024-11-15,Annual\r\n\
INITECH-3,\"Initech\nHoldings\",initech.example,15000,JPY,2026-01-02,monthly\r\n";

fn aliases_bom_crlf_quotes_and_newlines_are_read_and_a_second_import_changes_nothing(
    engine: Engine,
) {
    let dir = temp_dir();
    let db = empty_db(engine);
    let file = write(&dir, "accounts.csv", ACCOUNTS.as_bytes());
    let out: serde_json::Value =
        serde_json::from_str(&ok(import(&db, "accounts", &file, &["--json"]))).unwrap();
    assert_eq!(out["inserted"], 3, "{out}");
    assert_eq!(
        query_i64(
            &db,
            "SELECT mrr_cents FROM accounts WHERE external_id = 'ACME-1'"
        ),
        120_050
    );
    assert_eq!(
        query_i64(
            &db,
            "SELECT mrr_cents FROM accounts WHERE external_id = 'INITECH-3'"
        ),
        15_000
    );
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM accounts WHERE name = 'Initech\nHoldings' AND billing_interval = 'monthly'"
        ),
        1
    );
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM accounts WHERE billing_interval = 'annual'"
        ),
        1
    );
    let before = dump(&db);
    let again: serde_json::Value =
        serde_json::from_str(&ok(import(&db, "accounts", &file, &["--json"]))).unwrap();
    assert_eq!(
        (again["inserted"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(dump(&db), before, "no duplicates, no change");
    // A corrected file updates, and the MRR change is kept for the revenue metrics.
    let corrected = ACCOUNTS.replace("1200.50", "1500.00");
    let file = write(&dir, "accounts.csv", corrected.as_bytes());
    let out: serde_json::Value =
        serde_json::from_str(&ok(import(&db, "accounts", &file, &["--json"]))).unwrap();
    assert_eq!(out["updated"], 1);
    assert_eq!(query_i64(&db, "SELECT count(*) FROM accounts"), 3);
    assert_eq!(
        query_i64(
            &db,
            "SELECT to_cents FROM mrr_changes WHERE from_cents = 120050"
        ),
        150_000
    );
}

fn every_kind_of_bad_row_is_named_and_nothing_is_written(engine: Engine) {
    let dir = temp_dir();
    let db = empty_db(engine);
    ok(import(
        &db,
        "accounts",
        &write(&dir, "a.csv", ACCOUNTS.as_bytes()),
        &[],
    ));
    let before = dump(&db);
    let bad = "account,name,email,phone,primary\n\
ACME-1,Ann Smith,ann@acme.example,+1 555 0100,yes\n\
ACME-1,,bob@acme.example,,no\n\
NOPE-9,Carl,carl@nope.example,,no\n\
GLOBEX-2,Dora,dora@globex.example,,sometimes\n";
    let err = fails(import(
        &db,
        "contacts",
        &write(&dir, "c.csv", bad.as_bytes()),
        &[],
    ));
    assert!(err.contains("c.csv: line 3, column \"name\""), "{err}");
    assert!(err.contains("required"), "{err}");
    assert!(
        err.contains("line 4, column \"account\": \"NOPE-9\""),
        "{err}"
    );
    assert!(err.contains("import its accounts first"), "{err}");
    assert!(
        err.contains("line 5, column \"primary\": \"sometimes\" is not yes or no"),
        "{err}"
    );
    assert!(
        err.contains("3 of 4 rows are bad; nothing was imported"),
        "{err}"
    );
    assert_eq!(dump(&db), before);

    let values = "Customer ID,Company,MRR,Start Date,Billing\n\
X-1,Bad Money,\"1,200.00\",2025-01-01,monthly\n\
X-2,Bad Date,10,01/02/2025,monthly\n\
X-3,Bad Word,10,2025-01-01,fortnightly\n";
    let err = fails(import(
        &db,
        "accounts",
        &write(&dir, "v.csv", values.as_bytes()),
        &[],
    ));
    assert!(
        err.contains("line 2, column \"MRR\": \"1,200.00\""),
        "{err}"
    );
    assert!(err.contains("no separators"), "{err}");
    assert!(
        err.contains("line 3, column \"Start Date\": \"01/02/2025\" is not a date as YYYY-MM-DD"),
        "{err}"
    );
    assert!(
        err.contains("line 4, column \"Billing\": \"fortnightly\" is not one of monthly, annual"),
        "{err}"
    );
    assert_eq!(dump(&db), before);

    let ragged = "Customer ID,Company,Start Date\nX-1,Fine,2025-01-01\nX-2,Too,many,2025-01-01\n";
    let err = fails(import(
        &db,
        "accounts",
        &write(&dir, "r.csv", ragged.as_bytes()),
        &[],
    ));
    assert!(
        err.contains("r.csv: line 3 has 4 fields where the header has 3"),
        "{err}"
    );
    let latin1 = b"Customer ID,Company,Start Date\nX-1,Caf\xe9 Ltd,2025-01-01\n";
    let err = fails(import(&db, "accounts", &write(&dir, "l.csv", latin1), &[]));
    assert!(err.contains("l.csv: line 2 is not UTF-8"), "{err}");
    let missing = "Company,Start Date\nFine,2025-01-01\n";
    let err = fails(import(
        &db,
        "accounts",
        &write(&dir, "m.csv", missing.as_bytes()),
        &[],
    ));
    assert!(
        err.contains("external_id: is missing from the header"),
        "{err}"
    );
    let err = fails(import(&db, "accounts", &dir.path().join("absent.csv"), &[]));
    assert!(err.contains("absent.csv"), "{err}");
    assert_eq!(dump(&db), before, "nothing of any bad file was written");
}

fn skip_bad_imports_the_rest_and_sets_the_bad_rows_aside(engine: Engine) {
    let dir = temp_dir();
    let db = empty_db(engine);
    let mut text = String::from("Customer ID,Company,Start Date\n");
    for i in 0..60 {
        text.push_str(&format!("B-{i},Broken {i},not a date\n"));
    }
    text.push_str("OK-1,Good Co,2025-01-01\n");
    let file = write(&dir, "many.csv", text.as_bytes());
    let err = fails(import(&db, "accounts", &file, &[]));
    assert!(err.contains("… and 10 more"), "{err}");
    let out: serde_json::Value = serde_json::from_str(&ok(import(
        &db,
        "accounts",
        &file,
        &["--skip-bad", "--json"],
    )))
    .unwrap();
    assert_eq!(out["inserted"], 1);
    assert_eq!(out["rejected"], 60);
    let rejects = std::fs::read_to_string(dir.path().join("many.rejects.csv")).unwrap();
    assert!(
        rejects.starts_with("Customer ID,Company,Start Date,error\n"),
        "{rejects}"
    );
    assert_eq!(rejects.lines().count(), 61);
    assert!(rejects.contains("B-7,Broken 7,not a date,"), "{rejects}");
}

fn map_and_date_format_read_other_systems_files(engine: Engine) {
    let dir = temp_dir();
    let db = empty_db(engine);
    let text = "Kunde,Firma,Seit\nK-1,Müller GmbH,02/11/2025\n";
    let file = write(&dir, "de.csv", text.as_bytes());
    let out = ok(import(
        &db,
        "accounts",
        &file,
        &[
            "--map",
            "Kunde=external_id",
            "--map",
            "Firma=name",
            "--map",
            "Seit=customer_since",
            "--date-format",
            "%d/%m/%Y",
        ],
    ));
    assert!(out.contains("1 added"), "{out}");
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM accounts WHERE customer_since = '2025-11-02'"
        ),
        1
    );
    let err = fails(import(
        &db,
        "accounts",
        &file,
        &["--map", "Kunde=favourite_colour"],
    ));
    assert!(err.contains("favourite_colour: is not a column"), "{err}");
}

fn an_export_imports_back_unchanged(engine: Engine) {
    let dir = temp_dir();
    let source = db_in(&dir, "source.db");
    ok(run(&source, &["demo", "--accounts", "120"]));
    let accounts = dir.path().join("accounts.csv");
    let interactions = dir.path().join("interactions.csv");
    ok(run(
        &source,
        &["export", "accounts", "--out", accounts.to_str().unwrap()],
    ));
    ok(run(
        &source,
        &[
            "export",
            "interactions",
            "--out",
            interactions.to_str().unwrap(),
        ],
    ));
    let copy = empty_db(engine);
    // The reps come along (the export names owners by login): each row as an INSERT of SQL
    // literals, which both engines read.
    let columns: Vec<String> = source
        .rows(
            "SELECT name FROM pragma_table_info('reps') ORDER BY cid",
            &[],
        )
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    let quoted: Vec<String> = columns.iter().map(|c| format!("quote({c})")).collect();
    copy.execute("DELETE FROM reps", &[]);
    for insert in source.rows(
        &format!(
            "SELECT 'INSERT INTO reps ({}) VALUES (' || {} || ')' FROM reps",
            columns.join(", "),
            quoted.join(" || ', ' || ")
        ),
        &[],
    ) {
        copy.execute(insert[0].as_deref().unwrap(), &[]);
    }
    ok(import(&copy, "accounts", &accounts, &[]));
    ok(import(&copy, "interactions", &interactions, &[]));
    let again = dir.path().join("again.csv");
    ok(run(
        &copy,
        &["export", "accounts", "--out", again.to_str().unwrap()],
    ));
    assert_eq!(
        std::fs::read_to_string(&accounts).unwrap(),
        std::fs::read_to_string(&again).unwrap()
    );
    ok(run(
        &copy,
        &["export", "interactions", "--out", again.to_str().unwrap()],
    ));
    assert_eq!(
        std::fs::read_to_string(&interactions).unwrap(),
        std::fs::read_to_string(&again).unwrap()
    );
    let json: Vec<serde_json::Value> =
        serde_json::from_str(&ok(run(&copy, &["export", "payments", "--format", "json"]))).unwrap();
    assert!(json.iter().all(|p| p.get("queue").is_some()));
}

#[test]
fn a_file_that_grows_while_it_is_imported_is_refused_or_imported_as_checked() {
    use std::io::Write;
    let dir = temp_dir();
    let db = db_in(&dir, "grow.db");
    ok(run(&db, &["init"]));
    let file = dir.path().join("accounts.csv");
    let mut text = String::from("external_id,name,mrr,customer_since\n");
    for i in 0..100_000 {
        text.push_str(&format!("A-{i},Account {i},10.00,2026-01-05\n"));
    }
    std::fs::write(&file, &text).unwrap();
    // Another process goes on appending rows for the whole import.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let appender = {
        let (file, stop) = (file.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&file)
                .unwrap();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                writeln!(f, "B-{i},Late {i},10.00,2026-01-05").unwrap();
                i += 1;
            }
        })
    };
    let out = run(
        &db,
        &["import", "accounts", file.to_str().unwrap(), "--json"],
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    appender.join().unwrap();
    let accounts = query_i64(&db, "SELECT count(*) FROM accounts");
    if out.status.success() {
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(report["inserted"].as_i64(), Some(accounts), "{report}");
        assert_eq!(report["rows"].as_i64(), Some(accounts), "{report}");
    } else {
        // Refused: the file changed during the copy ("changed while it was read"), or the
        // copy caught the writer mid-line, and a file half written is a bad file, named as such.
        // Either way it is one JSON error and nothing is written.
        assert_eq!(out.status.code(), Some(1));
        let err: serde_json::Value = serde_json::from_str(stderr(&out).trim()).unwrap();
        assert!(
            err["error"].as_str().unwrap().contains("accounts.csv"),
            "{err}"
        );
        assert_eq!(accounts, 0, "a refused import wrote rows");
    }
}

fn a_pipe_is_read_once_and_every_row_of_it_is_checked(engine: Engine) {
    use std::io::Write;
    let dir = temp_dir();
    let db = empty_db(engine);
    let fifo = dir.path().join("in.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            writeln!(
                f,
                "external_id,name,mrr,customer_since\nA-1,Checked Ltd,10.00,2026-01-05"
            )
            .unwrap();
            f.flush().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300));
            writeln!(f, "A-2,Injected Ltd,ten,2026-01-05").unwrap();
        })
    };
    let err = fails(run(&db, &["import", "accounts", fifo.to_str().unwrap()]));
    writer.join().unwrap();
    assert!(err.contains("line 3") && err.contains("mrr"), "{err}");
    assert_eq!(query_i64(&db, "SELECT count(*) FROM accounts"), 0);
}

fn ambiguous_files_are_named_errors_not_silent_choices(engine: Engine) {
    let dir = temp_dir();
    let db = TestDb::demo(engine, 50);
    let before = dump(&db);
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let head = "external_id,name,mrr,customer_since";
    // One key twice: both lines named.
    let twice = file(
        "twice.csv",
        &format!(
            "{head}\nX-1,First,10.00,2026-01-05\nX-2,Other,10.00,2026-01-05\nX-1,Second,12.00,2026-01-05\n"
        ),
    );
    let err = fails(run(&db, &["import", "accounts", &twice]));
    assert!(
        err.contains("line 4") && err.contains("line 2 has the same external_id"),
        "{err}"
    );
    // Two headers for one column, by name or by alias, or by a --map onto a column present.
    for (header, map) in [
        ("external_id,name,name,mrr,customer_since", None),
        ("external_id,name,company,mrr,customer_since", None),
        (
            "external_id,name,Firm,mrr,customer_since",
            Some("Firm=name"),
        ),
    ] {
        let path = file(
            "headers.csv",
            &format!("{header}\nX-1,A,B,10.00,2026-01-05\n"),
        );
        let mut args = vec!["import", "accounts", path.as_str()];
        if let Some(m) = map {
            args.extend(["--map", m]);
        }
        let err = fails(run(&db, &args));
        assert!(
            err.contains("line 1") && err.contains("name") && err.contains("keep one"),
            "{header}: {err}"
        );
    }
    // Two --maps onto one column.
    let path = file(
        "maps.csv",
        "external_id,A,B,mrr,customer_since\nX-1,a,b,10.00,2026-01-05\n",
    );
    let err = fails(run(
        &db,
        &[
            "import", "accounts", &path, "--map", "A=name", "--map", "B=name",
        ],
    ));
    assert!(err.contains("both name name"), "{err}");
    // A login no rep has: the line, and the nearest logins.
    let path = file(
        "owner.csv",
        &format!("{head},owner\nX-1,A,10.00,2026-01-05,carmne\n"),
    );
    let err = fails(run(&db, &["import", "accounts", &path]));
    assert!(
        err.contains("line 2") && err.contains("nearest: carmen"),
        "{err}"
    );
    assert_eq!(dump(&db), before);
}

fn errors_name_the_true_line_the_field_and_what_to_do(engine: Engine) {
    let dir = temp_dir();
    let db = empty_db(engine);
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    // CRLF line ends: the bad row is on line 3.
    let crlf = write(
        "crlf.csv",
        "external_id,name,mrr,customer_since\r\nX-1,A,10.00,2026-01-05\r\nX-2,B,ten,2026-01-05\r\n",
    );
    let err = fails(run(&db, &["import", "accounts", &crlf]));
    assert!(err.contains("line 3, column \"mrr\""), "{err}");
    ok(run(
        &db,
        &[
            "import",
            "accounts",
            &write(
                "a.csv",
                "external_id,name,mrr,customer_since\nX-1,A,10.00,2026-01-05\n",
            ),
        ],
    ));
    // A payment of nothing is a named bad row, set aside whole with --skip-bad.
    let zero = write(
        "pay.csv",
        "account,external_ref,amount,currency,first_failed_at,decline_code\nX-1,in_0,0.00,USD,2026-11-20,expired_card\nX-1,in_1,5.00,USD,2026-11-20,expired_card\n",
    );
    let err = fails(run(&db, &["import", "payments", &zero]));
    assert!(
        err.contains("line 2, column \"amount\"") && err.contains("above 0"),
        "{err}"
    );
    assert!(!err.contains("CHECK"), "{err}");
    ok(run(&db, &["import", "payments", &zero, "--skip-bad"]));
    let rejects = std::fs::read_to_string(dir.path().join("pay.rejects.csv")).unwrap();
    assert!(
        rejects.contains("in_0") && rejects.contains("above 0"),
        "{rejects}"
    );
    // --json: the error is JSON too.
    let out = run(&db, &["import", "accounts", &crlf, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("line 3"),
        "{error}"
    );
    // A group that does not exist is said before anything is made (a file's group: no server's).
    if engine == Engine::Server {
        return;
    }
    let made = db_in(&dir, "grouped.db");
    let err = fails(run(&made, &["init", "--group", "nosuchgroup"]));
    assert!(err.contains("nosuchgroup"), "{err}");
    assert!(!made.exists());
}

fn a_line_end_inside_a_cell_imports_back_as_it_was(engine: Engine) {
    let dir = temp_dir();
    let db = TestDb::demo(engine, 50);
    ok(run(
        &db,
        &["log", "1", "--note", "first line\r\nsecond line"],
    ));
    let file = dir.path().join("interactions.csv");
    ok(run(
        &db,
        &["export", "interactions", "--out", file.to_str().unwrap()],
    ));
    let before = dump(&db);
    let out = ok(run(
        &db,
        &["import", "interactions", file.to_str().unwrap()],
    ));
    assert!(out.contains(" 0 added, 0 updated"), "{out}");
    assert_eq!(dump(&db), before);
}

/// Two rows of a file are one row said twice when the store would find one for the other: ids
/// that differ only in case are two accounts (as the store keeps them), emails that differ only
/// in case are one contact.
fn one_row_twice_is_what_the_store_would_take_for_one(engine: Engine) {
    let dir = temp_dir();
    let db = empty_db(engine);
    let accounts = write(
        &dir,
        "a.csv",
        b"external_id,name,customer_since\ncus_AbC,Upper Ltd,2026-01-05\ncus_abc,Lower Ltd,2026-01-05\n",
    );
    let out = ok(import(&db, "accounts", &accounts, &[]));
    assert!(out.contains("2 added"), "{out}");
    let contacts = write(
        &dir,
        "c.csv",
        b"account,name,email\ncus_AbC,Ann Ray,ann@upper.example\ncus_AbC,Ann R.,ANN@upper.example\n",
    );
    let err = fails(import(&db, "contacts", &contacts, &[]));
    assert!(err.contains("line 2 has the same"), "{err}");
    assert_eq!(query_i64(&db, "SELECT count(*) FROM contacts"), 0);
}

/// Each row an import adds is a change of its account's facts (what a kept score is checked
/// against), counted as one row logged by hand is.
fn an_import_counts_each_row_as_a_change_of_its_account(engine: Engine) {
    let dir = temp_dir();
    let db = TestDb::demo(engine, 50);
    let count = |account: i64| {
        db.query_i64(
            &format!("SELECT coalesce(max(n), 0) FROM fact_changes WHERE account_id = {account}"),
            &[],
        )
    };
    let (one, two) = (count(1), count(2));
    let ext = |id: i64| {
        db.query_text(
            &format!("SELECT external_id FROM accounts WHERE id = {id}"),
            &[],
        )
        .unwrap()
    };
    let file = write(
        &dir,
        "calls.csv",
        format!(
            "account,occurred_at,kind,summary\n\
             {a},2026-11-02T10:00:00Z,call,First\n\
             {b},2026-11-02T11:00:00Z,call,Other\n\
             {a},2026-11-03T10:00:00Z,email,Second\n\
             {a},2026-11-04T10:00:00Z,note,Third\n",
            a = ext(1),
            b = ext(2)
        )
        .as_bytes(),
    );
    ok(import(&db, "interactions", &file, &[]));
    assert_eq!((count(1), count(2)), (one + 3, two + 1));
    // The same file again adds nothing, and counts nothing.
    ok(import(&db, "interactions", &file, &[]));
    assert_eq!((count(1), count(2)), (one + 3, two + 1));
}
