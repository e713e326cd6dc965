//! `retain payments outreach ID [--send]`: the letter a failed payment calls for, from our
//! templates or the team's (per language), and its sending through the team's mail command,
//! logged only once the command took it.

mod common;

on_both_engines!(
    the_letter_greets_the_billing_contact_and_says_what_the_payment_needs,
    a_team_template_in_the_customers_language_is_used_and_a_bad_one_is_named,
    send_hands_the_email_to_the_mail_command_and_logs_it_only_when_taken,
    a_stored_address_that_would_smuggle_a_header_is_never_sent,
    someone_who_is_not_a_rep_may_read_a_letter_but_not_send_one,
    a_command_that_reads_none_of_the_letter_is_a_failure_said_not_a_silent_death,
    no_letter_for_a_payment_recovered_or_paused_and_none_sent_without_a_link,
    a_contact_name_on_two_lines_is_sent_on_one,
    payments_toml_errors_keep_their_lines_and_a_bad_mail_key_stops_only_sending,
);

use common::engine::{Db, Engine, TestDb};
use common::payments::{failing, script};
use common::*;

/// A demo whose account 1 (in `country`, billed to `billing_email`) has a payment failing on
/// an expired card; a folder for scripts and mail, the database, the payment and an empty
/// configuration.
fn expired_card(
    engine: Engine,
    country: &str,
    billing_email: &str,
) -> (tempfile::TempDir, TestDb, String, tempfile::TempDir) {
    let db = TestDb::demo(engine, 300);
    contacts(&db, country, billing_email);
    let payment = failing(&db, "ch_1", "2026-11-21T09:00:00Z", "expired_card").to_string();
    (temp_dir(), db, payment, temp_dir())
}

/// Mail settings that send through `command`, from billing@acme.example, with a link.
fn sends_with(config: &tempfile::TempDir, command: &str) {
    std::fs::write(
        config.path().join("payments.toml"),
        format!(
            "mail_command = {command:?}\nmail_from = \"billing@acme.example\"\nupdate_link = \"https://pay.example/k\"\n"
        ),
    )
    .unwrap();
}

/// `retain payments outreach ARGS...` on `db` with the configuration folder `config`.
fn outreach(db: &TestDb, config: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    let mut all = vec!["payments", "outreach"];
    all.extend_from_slice(args);
    run_with_config(db, config.path(), &all)
}

/// Account 1 gets one billing contact and one primary contact, and `country`.
fn contacts(db: &TestDb, country: &str, billing_email: &str) {
    db.execute("DELETE FROM contacts WHERE account_id = 1", &[]);
    db.execute(
        "INSERT INTO contacts (account_id, name, email, role, is_primary)
         VALUES (1, 'Paula Primary', 'paula@example.com', 'CEO', 1),
                (1, 'Jürgen Kasse', ?1, 'Finance Director', 0)",
        &[billing_email],
    );
    db.execute("UPDATE accounts SET country = ?1 WHERE id = 1", &[country]);
}

fn emails_logged(db: &TestDb) -> i64 {
    query_i64(
        db,
        "SELECT count(*) FROM interactions WHERE account_id = 1 AND kind = 'email'
           AND tags LIKE '%outreach%'",
    )
}

fn the_letter_greets_the_billing_contact_and_says_what_the_payment_needs(engine: Engine) {
    let db = TestDb::demo(engine, 300);
    contacts(&db, "US", "juergen@example.com");
    let expired = failing(&db, "ch_expired", "2026-11-21T09:00:00Z", "expired_card");
    let config = temp_dir();

    let out = ok(outreach(&db, &config, &[&expired.to_string()]));
    assert!(
        out.starts_with("To: Jürgen Kasse <juergen@example.com>\n"),
        "{out}"
    );
    assert!(
        out.contains("Subject: Please update your card for"),
        "{out}"
    );
    assert!(out.contains("Hello Jürgen,"), "{out}");
    assert!(out.contains("99.00 USD"), "{out}");
    assert!(out.contains("(from our new-card letter)"), "{out}");

    let stolen = failing(&db, "ch_stolen", "2026-11-21T09:00:00Z", "stolen_card");
    let json: serde_json::Value = serde_json::from_str(&ok(outreach(
        &db,
        &config,
        &[&stolen.to_string(), "--json"],
    )))
    .unwrap();
    assert_eq!(json["situation"], "declined");
    let body = json["body"].as_str().unwrap().to_lowercase();
    assert!(
        !body.contains("retry") && !body.contains("try again"),
        "{body}"
    );
    assert_eq!(emails_logged(&db), 0, "printing a letter logs nothing");
}

fn a_team_template_in_the_customers_language_is_used_and_a_bad_one_is_named(engine: Engine) {
    let (_dir, db, payment, config) = expired_card(engine, "DE", "juergen@example.com");
    let folder = config.path().join("outreach");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("new-card.de.txt"),
        "Subject: Bitte aktualisieren Sie Ihre Karte\n\nHallo {first_name},\n\nbitte hier: {link}\n\n{rep}\n",
    )
    .unwrap();
    std::fs::write(
        config.path().join("payments.toml"),
        "update_link = \"https://pay.example/k\"\n",
    )
    .unwrap();

    let out = ok(outreach(&db, &config, &[&payment]));
    assert!(
        out.contains("Subject: Bitte aktualisieren Sie Ihre Karte"),
        "{out}"
    );
    assert!(out.contains("Hallo Jürgen,"), "{out}");
    assert!(out.contains("bitte hier: https://pay.example/k"), "{out}");
    assert!(out.contains("new-card.de.txt"), "{out}");

    // A customer whose language the team wrote nothing in gets ours, and is told so.
    db.execute("UPDATE accounts SET country = 'FR' WHERE id = 1", &[]);
    let out = ok(outreach(&db, &config, &[&payment]));
    assert!(
        out.contains("in English: the team has no outreach/new-card.fr.txt"),
        "{out}"
    );
    // A customer elsewhere still gets our English one.
    db.execute("UPDATE accounts SET country = 'GB' WHERE id = 1", &[]);
    let out = ok(outreach(&db, &config, &[&payment]));
    assert!(out.contains("Hello Jürgen,"), "{out}");

    // A placeholder mistyped is an error naming the file, the line and the word.
    std::fs::write(
        folder.join("new-card.txt"),
        "Subject: Card\n\nHello {first_name},\nYou owe {amout}.\n",
    )
    .unwrap();
    let err = fails(outreach(&db, &config, &[&payment]));
    assert!(
        err.contains("new-card.txt: line 4: {amout} is not a placeholder"),
        "{err}"
    );
}

fn send_hands_the_email_to_the_mail_command_and_logs_it_only_when_taken(engine: Engine) {
    let (dir, db, payment, config) = expired_card(engine, "US", "juergen@example.com");
    let outbox = dir.path().join("outbox.eml");
    let taker = script(
        &dir,
        "sendmail.sh",
        &format!("cat > '{}'", outbox.display()),
    );
    let settings = |command: &str, from: &str| {
        std::fs::write(
            config.path().join("payments.toml"),
            format!(
                "mail_command = {command:?}\nmail_from = {from:?}\nupdate_link = \"https://pay.example/k\"\n"
            ),
        )
        .unwrap();
    };

    // Without a sender it says what to set; nothing runs, nothing is logged.
    std::fs::write(
        config.path().join("payments.toml"),
        format!("mail_command = {taker:?}\n"),
    )
    .unwrap();
    let err = fails(outreach(&db, &config, &[&payment, "--send"]));
    assert!(
        err.contains("mail_from is not set in") && err.contains("payments.toml"),
        "{err}"
    );
    assert!(!outbox.exists());

    // A command that refuses it: said, nothing logged.
    let refuser = script(
        &dir,
        "refuse.sh",
        "cat > /dev/null; echo 'relay denied' >&2; exit 75",
    );
    settings(&refuser, "Acme Billing <billing@acme.example>");
    let err = fails(outreach(&db, &config, &[&payment, "--send"]));
    assert!(
        err.contains("did not take the letter") && err.contains("relay denied"),
        "{err}"
    );
    assert_eq!(emails_logged(&db), 0);

    settings(&taker, "Acme Billing <billing@acme.example>");
    let out = ok(outreach(&db, &config, &[&payment, "--send"]));
    assert!(
        out.contains("sent to juergen@example.com and logged as email #"),
        "{out}"
    );
    let sent = std::fs::read_to_string(&outbox).unwrap();
    assert!(
        sent.contains("From: \"Acme Billing\" <billing@acme.example>"),
        "{sent}"
    );
    assert!(sent.contains("juergen@example.com>"), "{sent}");
    assert!(
        sent.contains("Subject: Please update your card for"),
        "{sent}"
    );
    assert!(
        sent.contains("Content-Type: text/plain; charset=utf-8"),
        "{sent}"
    );
    assert_eq!(emails_logged(&db), 1);
    let outreach_at = db.query_text(
        &format!("SELECT last_outreach_at FROM failed_payments WHERE id = {payment}"),
        &[],
    );
    assert!(outreach_at.is_some(), "the payment knows it was chased");
}

fn a_stored_address_that_would_smuggle_a_header_is_never_sent(engine: Engine) {
    let (dir, db, payment, config) = expired_card(
        engine,
        "US",
        "juergen@example.com\r\nBcc: everyone@evil.example",
    );
    let outbox = dir.path().join("outbox.eml");
    let taker = script(
        &dir,
        "sendmail.sh",
        &format!("cat > '{}'", outbox.display()),
    );
    sends_with(&config, &taker);
    let err = fails(outreach(&db, &config, &[&payment, "--send"]));
    assert!(err.contains("is not an address"), "{err}");
    assert!(!outbox.exists(), "the mail command never ran");
    assert_eq!(emails_logged(&db), 0);
}

fn someone_who_is_not_a_rep_may_read_a_letter_but_not_send_one(engine: Engine) {
    let (_dir, db, payment, config) = expired_card(engine, "US", "juergen@example.com");
    // The OS user running the tests is the demo's admin: take that away.
    db.execute("UPDATE reps SET active = 0 WHERE login = ?1", &[&me()]);
    ok(outreach(&db, &config, &[&payment]));
    let err = fails(outreach(&db, &config, &[&payment, "--send"]));
    assert!(err.contains("is not an active rep"), "{err}");
}

fn a_command_that_reads_none_of_the_letter_is_a_failure_said_not_a_silent_death(engine: Engine) {
    let (dir, db, payment, config) = expired_card(engine, "US", "juergen@example.com");
    // Exits at once, without reading: the letter's write meets a closed pipe.
    let quitter = script(&dir, "quit.sh", "exit 3");
    sends_with(&config, &quitter);
    for _ in 0..5 {
        let err = fails(outreach(&db, &config, &[&payment, "--send"]));
        assert!(err.contains("did not take the letter"), "{err}");
    }
    assert_eq!(emails_logged(&db), 0);
}

fn no_letter_for_a_payment_recovered_or_paused_and_none_sent_without_a_link(engine: Engine) {
    let (dir, db, payment, config) = expired_card(engine, "US", "juergen@example.com");
    let taker = script(&dir, "take.sh", "cat > /dev/null");
    std::fs::write(
        config.path().join("payments.toml"),
        format!("mail_command = {taker:?}\nmail_from = \"billing@acme.example\"\n"),
    )
    .unwrap();
    let err = fails(outreach(&db, &config, &[&payment, "--send"]));
    assert!(err.contains("update_link is not set"), "{err}");
    ok(run(
        &db,
        &[
            "payments",
            "pause",
            &payment,
            "--until",
            "2026-12-20",
            "--reason",
            "dispute",
        ],
    ));
    let err = fails(outreach(&db, &config, &[&payment]));
    assert!(err.contains("is paused"), "{err}");
    ok(run(&db, &["payments", "resume", &payment]));
    ok(run(&db, &["payments", "record", &payment, "--succeeded"]));
    let err = fails(outreach(&db, &config, &[&payment]));
    assert!(err.contains("was recovered"), "{err}");
    assert_eq!(emails_logged(&db), 0);
}

fn a_contact_name_on_two_lines_is_sent_on_one(engine: Engine) {
    let (dir, db, payment, config) = expired_card(engine, "US", "juergen@example.com");
    db.execute(
        "UPDATE contacts SET name = 'Jürgen\r\nBcc: x@evil.example' WHERE email = 'juergen@example.com'",
        &[],
    );
    let outbox = dir.path().join("outbox.eml");
    let taker = script(
        &dir,
        "sendmail.sh",
        &format!("cat > '{}'", outbox.display()),
    );
    sends_with(&config, &taker);
    ok(outreach(&db, &config, &[&payment, "--send"]));
    let sent = std::fs::read_to_string(&outbox).unwrap();
    assert!(
        !sent.lines().any(|l| l.starts_with("Bcc:")),
        "a header smuggled in a name: {sent}"
    );
}

fn payments_toml_errors_keep_their_lines_and_a_bad_mail_key_stops_only_sending(engine: Engine) {
    let (_dir, db, payment, config) = expired_card(engine, "US", "juergen@example.com");
    let file = config.path().join("payments.toml");
    std::fs::write(
        &file,
        "mail_command = \"sendmail -t -i\"\nmail_from = \"billing@acme.example\"\n\nmax_attempts = \"six\"\n",
    )
    .unwrap();
    let err = fails(run_with_config(&db, config.path(), &["payments"]));
    assert!(
        err.contains("payments.toml is not a valid retry policy"),
        "{err}"
    );
    assert!(
        err.contains("line 4"),
        "the policy's line, as written: {err}"
    );

    std::fs::write(&file, "max_attempts = 6\nmail_command = 5\n").unwrap();
    ok(run_with_config(&db, config.path(), &["payments"]));
    ok(run_with_config(&db, config.path(), &["queue"]));
    let err = fails(outreach(&db, &config, &[&payment, "--send"]));
    assert!(
        err.contains("payments.toml: line 2: mail_command: a string that is not empty"),
        "{err}"
    );
}
