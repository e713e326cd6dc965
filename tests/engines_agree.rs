//! The same commands on a file and on its copy on a server give the same answers, and the same
//! writes leave the two holding the same: one store, two engines.

mod common;

use common::server::{PgDb, copy_as_me, make_role};
use common::*;

/// The two databases, side by side.
struct Pair {
    file: String,
    server: String,
    _db: PgDb,
    dir: tempfile::TempDir,
}

impl Pair {
    fn new() -> Pair {
        let dir = temp_dir();
        let file = db_in(&dir, "team.db");
        ok(run(&file, &["demo", "--accounts", "200"]));
        let file = file.to_str().unwrap().to_string();
        let (db, server) = copy_as_me(&file);
        Pair {
            file,
            server,
            _db: db,
            dir,
        }
    }

    /// Runs `args` on one of them as the rep carmen; what it printed, with the database's name
    /// and the time of day of this run's writes taken out.
    fn on(&self, db: &str, args: &[&str], as_rep: bool) -> String {
        let mut cmd = retain();
        cmd.args(["--db", db, "--today", TODAY]);
        if as_rep {
            cmd.args(["--as", "carmen"]);
        }
        let out = cmd.args(args).output().expect("retain runs");
        let text = format!("{}{}", stdout(&out), stderr(&out));
        let text = text.replace(db, "DB");
        // Writes are stamped with the time of day they ran at, which differs between the two.
        let mut masked = String::new();
        let mut rest = text.as_str();
        let today = format!("{TODAY}T");
        while let Some(at) = rest.find(&today) {
            masked.push_str(&rest[..at + today.len()]);
            rest = &rest[at + today.len()..];
            if rest.len() >= 8 {
                masked.push_str("hh:mm:ss");
                rest = &rest[8..];
            }
        }
        masked.push_str(rest);
        masked
    }

    /// Runs `args` as carmen on both, asserting they print the same; returns what they printed.
    fn same(&self, args: &[&str]) -> String {
        self.both(args, true)
    }

    /// The same as the demo's admin (whoever runs the tests).
    fn same_as_admin(&self, args: &[&str]) -> String {
        self.both(args, false)
    }

    fn both(&self, args: &[&str], as_rep: bool) -> String {
        let file = self.on(&self.file, args, as_rep);
        let server = self.on(&self.server, args, as_rep);
        assert_eq!(
            file,
            server,
            "retain {} answers differently on a server",
            args.join(" ")
        );
        file
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The reads a rep and a script make, on the state the pair is in.
fn every_read(pair: &Pair, account: &str) {
    for args in [
        &["summary"][..],
        &["search", "acme", "--json"],
        &["search", "+1 555", "--json"],
        &["card", account, "--json"],
        &["at-risk", "--json"],
        &["at-risk", "--changes", "--json"],
        &["checkins", "--json"],
        &["payments", "--json"],
        &["payments", "report", "--json"],
        &["report", "churn", "--json"],
        &["report", "revenue", "--json"],
        &["report", "cohorts", "--json"],
        &["report", "recovery", "--json"],
        &["reps", "list", "--json"],
        &["queue", "--json"],
        &["notes", account, "--json"],
        &["export", "accounts", "--format", "json"],
        &["export", "interactions", "--format", "json"],
        &["export", "queue", "--format", "json"],
        &["backtest", "--as-of", "2026-06-01", "--json"],
    ] {
        pair.same(args);
    }
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_file_and_its_server_copy_answer_alike_before_and_after_the_same_writes() {
    let pair = Pair::new();
    let found = json(&pair.same(&["search", "a", "--json"]));
    let account = found[0]["account_id"].to_string();
    every_read(&pair, &account);

    // A rep's day: a call logged, the notes edited, a check-in scheduled away.
    pair.same(&[
        "log",
        &account,
        "--note",
        "Called about the renewal",
        "--kind",
        "call",
        "--outcome",
        "positive",
        "--tag",
        "pricing",
        "--follow-up",
        "2026-11-25",
    ]);
    let version = json(&pair.same(&["notes", &account, "--json"]))["version"].to_string();
    pair.same(&[
        "notes",
        &account,
        "--set",
        "Plan: upsell in Q1",
        "--version",
        &version,
    ]);
    // The same stale version is a conflict on both.
    pair.same(&[
        "notes",
        &account,
        "--set",
        "Overwritten?",
        "--version",
        &version,
    ]);
    pair.same(&["schedule", "--json"]);

    // An admin's work: CSV imported (twice: the second changes nothing), a rep added and
    // taken off.
    let accounts = pair.write(
        "accounts.csv",
        "external_id,name,mrr,currency,customer_since,billing_interval\n\
         NEW-1,Fresh Start Ltd,250.00,USD,2026-11-01,monthly\n\
         NEW-2,\"Second, Inc.\",99,EUR,2026-10-15,annual\n",
    );
    pair.same_as_admin(&["import", "accounts", &accounts, "--json"]);
    pair.same_as_admin(&["import", "accounts", &accounts, "--json"]);
    let interactions = pair.write(
        "interactions.csv",
        "account,kind,occurred_at,summary\n\
         NEW-1,call,2026-11-20T10:00:00Z,Kick-off call\n\
         NEW-2,email,2026-11-21T09:30:00Z,Sent the welcome pack\n",
    );
    pair.same_as_admin(&["import", "interactions", &interactions, "--json"]);
    let payments = pair.write(
        "payments.csv",
        "account,external_ref,amount,currency,first_failed_at,decline_code\n\
         NEW-1,in_new_1,250.00,USD,2026-11-18T08:00:00Z,insufficient_funds\n\
         NEW-2,in_new_2,99.00,EUR,2026-11-19T08:00:00Z,expired_card\n",
    );
    pair.same_as_admin(&["import", "payments", &payments, "--json"]);
    // Every other kind, then each again with changes: new rows, changed rows, rows the same, a
    // corrected MRR (an MRR change), in one file each.
    for (kind, first, then) in [
        (
            "accounts",
            "",
            "external_id,name,mrr,currency,customer_since,billing_interval,owner\n\
             NEW-1,Fresh Start Ltd,300.00,USD,2026-11-01,monthly,carmen\n\
             NEW-2,\"Second, Inc.\",99,EUR,2026-10-15,annual,\n\
             NEW-3,Third Time Ltd,10.00,USD,2026-11-05,monthly,\n",
        ),
        (
            "contacts",
            "account,name,email,phone,primary\n\
             NEW-1,Ann Ray,ann@fresh.example,+1 555 0100,yes\n\
             NEW-2,Bo Lin,,,no\n",
            "account,name,email,phone,primary\n\
             NEW-1,Ann Ray,ANN@fresh.example,+1 555 0199,yes\n\
             NEW-2,Bo Lin,,,no\n\
             NEW-3,Cy Moss,cy@third.example,,yes\n",
        ),
        (
            "tickets",
            "account,external_id,subject,severity,opened_at\n\
             NEW-1,T-1,Login broken,high,2026-11-19T10:00:00Z\n\
             NEW-2,T-2,Invoice question,,2026-11-20T10:00:00Z\n",
            "account,external_id,subject,severity,opened_at,resolved_at,satisfaction\n\
             NEW-1,T-1,Login broken,high,2026-11-19T10:00:00Z,2026-11-21T10:00:00Z,4\n\
             NEW-2,T-2,Invoice question,,2026-11-20T10:00:00Z,,\n",
        ),
        (
            "nps",
            "account,responded_at,score,comment\n\
             NEW-1,2026-11-20T10:00:00Z,9,Great\n",
            "account,responded_at,score,comment\n\
             NEW-1,2026-11-20T10:00:00Z,7,Good\n\
             NEW-2,2026-11-21T10:00:00Z,3,\n",
        ),
        (
            "usage",
            "account,period,active_users,seats\n\
             NEW-1,2026-11-01,12,20\n",
            "account,period,active_users,seats,logins\n\
             NEW-1,2026-11-01,15,20,40\n\
             NEW-2,2026-11-01,3,5,\n",
        ),
        (
            "payments",
            "",
            "account,external_ref,amount,currency,first_failed_at,decline_code\n\
             NEW-1,in_new_1,300.00,USD,2026-11-18T08:00:00Z,insufficient_funds\n\
             NEW-3,in_new_3,10.00,USD,2026-11-20T08:00:00Z,do_not_honor\n",
        ),
    ] {
        for (round, text) in [first, then].into_iter().enumerate() {
            if !text.is_empty() {
                let file = pair.write(&format!("{kind}-{round}.csv"), text);
                let counts = json(&pair.same_as_admin(&["import", kind, &file, "--json"]));
                let changed =
                    counts["inserted"].as_u64().unwrap() + counts["updated"].as_u64().unwrap();
                assert!(changed > 0, "{kind}, round {round}: {counts}");
            }
        }
    }
    // (On a server a rep writes as a role of their own, which a database admin makes.)
    make_role("newrep", "");
    pair.same_as_admin(&["reps", "add", "newrep", "--name", "New Rep"]);
    pair.same_as_admin(&["reps", "deactivate", "newrep"]);

    // The payments pane's actions, from a script.
    let listed = json(&pair.same_as_admin(&["payments", "--json"]));
    let ids: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "Fresh Start Ltd" || p["name"] == "Second, Inc.")
        .map(|p| p["payment_id"].to_string())
        .collect();
    assert_eq!(ids.len(), 2, "both imported payments are listed: {listed}");
    let (first, second) = (&ids[0], &ids[1]);
    for args in [
        &["payments", "due", "--json"][..],
        &["payments", "card-updated", second],
        &[
            "payments",
            "record",
            first,
            "--failed",
            "insufficient_funds",
        ],
        &[
            "payments",
            "pause",
            first,
            "--until",
            "2026-12-01",
            "--reason",
            "asked to wait",
        ],
        &["payments", "resume", first],
        &["payments", "outreach", first, "--json"],
        &["payments", "record", first, "--succeeded"],
        &[
            "payments",
            "write-off",
            second,
            "--reason",
            "closed the business",
        ],
        &["payments", "report", "--json"],
    ] {
        pair.same_as_admin(args);
    }

    every_read(&pair, &account);
    let last = json(&pair.same(&["search", "Fresh Start", "--json"]));
    pair.same(&["card", &last[0]["account_id"].to_string(), "--json"]);
    // And the two hold the same, row for row.
    assert_eq!(checksums(&pair, &pair.file), checksums(&pair, &pair.server));
}

/// Each table's rows, as `retain copy` reads them back from a fresh copy. (Audit entries and
/// fact counts carry this run's times; their counts must agree.)
fn checksums(pair: &Pair, db: &str) -> Vec<(String, u64)> {
    let copy = pair.dir.path().join(format!("check-{}.db", db.len()));
    let _ = std::fs::remove_file(&copy);
    copied(db, copy.to_str().unwrap())
        .into_iter()
        .map(|(table, rows, _)| (table, rows))
        .collect()
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_demo_made_on_a_server_holds_what_the_same_demo_makes_in_a_file() {
    let dir = temp_dir();
    let file = db_in(&dir, "demo.db");
    ok(run(&file, &["demo", "--accounts", "300"]));
    // On the server, as the same person (the OS user's role, owning the database).
    let db = PgDb::new();
    let me = me();
    make_role(&me, "CREATEROLE");
    db.client()
        .batch_execute(&format!("ALTER DATABASE {} OWNER TO \"{me}\"", db.name))
        .unwrap();
    let url = common::server::as_role(&db, &me);
    ok(retain()
        .args(["--db", &url, "--today", TODAY, "demo", "--accounts", "300"])
        .output()
        .unwrap());
    let tables = |db: &str| {
        let copy = dir.path().join(format!("of-{}.db", db.len()));
        copied(db, copy.to_str().unwrap())
    };
    assert_eq!(tables(file.to_str().unwrap()), tables(&url));
}
