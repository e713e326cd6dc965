//! Phone numbers through every door: an accounts file's country, a contacts file's numbers in
//! any writing, the team's region, the numbers that read as none (listed by `summary`), and
//! the search from the shell.

mod common;

on_both_engines!(
    a_country_is_read_as_iso_and_a_wrong_one_is_named_with_its_line,
    numbers_are_read_for_the_accounts_country_else_the_teams,
    summary_lists_the_numbers_that_read_as_none,
    numbers_copied_with_invisible_marks_or_in_arabic_digits_are_found,
    a_config_file_that_is_no_file_or_too_large_is_refused_at_once,
    a_long_bad_cell_is_quoted_in_part,
);

use std::path::{Path, PathBuf};

use common::engine::{Engine, TestDb};
use common::*;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn search(db: &TestDb, config: &Path, query: &str) -> Vec<serde_json::Value> {
    let out = run_with_config(db, config, &["search", query, "--json"]);
    serde_json::from_str::<serde_json::Value>(&ok(out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Two accounts in Germany and Britain, one with no country, and their contacts (their files
/// written in `dir`).
fn team(engine: Engine, dir: &tempfile::TempDir) -> TestDb {
    let db = TestDb::new(engine);
    ok(run(&db, &["init"]));
    let accounts = write(
        dir,
        "accounts.csv",
        "external_id,name,country_code,customer_since\n\
         DE-1,Spree Logistik,de,2025-01-01\n\
         GB-1,Thames Dental,UK,2025-01-01\n\
         XX-1,Nowhere Ltd,,2025-01-01\n",
    );
    ok(run(
        &db,
        &["import", "accounts", accounts.to_str().unwrap()],
    ));
    let contacts = write(
        dir,
        "contacts.csv",
        "account,name,email,phone\n\
         DE-1,Jana Wolf,jana@spree.example,030 / 23125-017\n\
         GB-1,Tom Hale,tom@thames.example,+44 (0)20 7946 0321\n\
         XX-1,Ann Reed,ann@nowhere.example,020 7946 0999\n\
         XX-1,Front Desk,desk@nowhere.example,ask for Bob\n\
         GB-1,Night Line,night@thames.example,7946 0321\n",
    );
    ok(run(
        &db,
        &["import", "contacts", contacts.to_str().unwrap()],
    ));
    db
}

fn a_country_is_read_as_iso_and_a_wrong_one_is_named_with_its_line(engine: Engine) {
    let dir = temp_dir();
    let db = team(engine, &dir);
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM accounts WHERE (external_id, country) IN (VALUES ('DE-1', 'DE'), ('GB-1', 'GB'))"
        ),
        2
    );
    assert_eq!(
        query_i64(
            &db,
            "SELECT count(*) FROM accounts WHERE external_id = 'XX-1' AND country IS NULL"
        ),
        1
    );
    let before = dump(&db);
    let bad = write(
        &dir,
        "bad.csv",
        "external_id,name,country,customer_since\nOK-1,Fine,FR,2025-01-01\nBAD-1,Wrong,Germany,2025-01-01\n",
    );
    let err = fails(run(&db, &["import", "accounts", bad.to_str().unwrap()]));
    assert!(
        err.contains("bad.csv")
            && err.contains("line 3, column \"country\": \"Germany\" is not a country code of two letters (ISO 3166-1)"),
        "{err}"
    );
    assert_eq!(dump(&db), before, "nothing of the file is written");
}

fn numbers_are_read_for_the_accounts_country_else_the_teams(engine: Engine) {
    let dir = temp_dir();
    let db = team(engine, &dir);
    let us = dir.path().join("us");
    std::fs::create_dir(&us).unwrap();
    // Berlin, typed as the caller-ID shows it: the German account's number.
    let hits = search(&db, &us, "+49 30 23125017");
    assert_eq!(hits[0]["external_id"], "DE-1", "{hits:?}");
    assert_eq!(hits[0]["matched_field"], "phone");
    assert_eq!(hits[0]["matched_value"], "Jana Wolf · 030 / 23125-017");
    // Nowhere Ltd has no country: with the team in the US its London number is no number...
    let hits = search(&db, &us, "+44 20 7946 0999");
    assert!(hits.iter().all(|h| h["external_id"] != "XX-1"), "{hits:?}");
    // ... and with the team in Britain it is.
    let gb = dir.path().join("gb");
    std::fs::create_dir(&gb).unwrap();
    std::fs::write(gb.join("team.toml"), "region = \"GB\"\n").unwrap();
    let hits = search(&db, &gb, "+44 20 7946 0999");
    assert_eq!(hits[0]["external_id"], "XX-1", "{hits:?}");
    // A region that is no country is an error that names the file.
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("team.toml"), "region = \"Europe\"\n").unwrap();
    let out = run_with_config(&db, &bad, &["search", "x"]);
    let err = fails(out);
    assert!(
        err.contains("team.toml") && err.contains("\"Europe\" is not a country code"),
        "{err}"
    );
}

fn summary_lists_the_numbers_that_read_as_none(engine: Engine) {
    let dir = temp_dir();
    let db = team(engine, &dir);
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    let out = run_with_config(&db, &config, &["summary", "--json"]);
    let summary: serde_json::Value = serde_json::from_str(&ok(out)).unwrap();
    let unparsed: Vec<(String, String)> = summary["unparsed_phones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["contact"].as_str().unwrap().to_string(),
                u["phone"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Words, a number without its area code, and a London number read for the US team.
    assert_eq!(
        unparsed,
        [
            ("Night Line".to_string(), "7946 0321".to_string()),
            ("Ann Reed".to_string(), "020 7946 0999".to_string()),
            ("Front Desk".to_string(), "ask for Bob".to_string()),
        ],
        "{summary}"
    );
    let text = ok(run_with_config(&db, &config, &["summary"]));
    assert!(
        text.contains("phone numbers  3 read as no number") && text.contains("\"ask for Bob\""),
        "{text}"
    );
    // Still found by their digits.
    let hits = search(&db, &config, "7946 0321");
    assert!(hits.iter().any(|h| h["external_id"] == "GB-1"), "{hits:?}");
}

fn numbers_copied_with_invisible_marks_or_in_arabic_digits_are_found(engine: Engine) {
    let dir = temp_dir();
    let db = team(engine, &dir);
    let contacts = write(
        &dir,
        "arabic.csv",
        "account,name,email,phone\nGB-1,Layla Haddad,layla@thames.example,+٤٤ ٢٠ ٧٩٤٦ ٠٥٥٥\n",
    );
    ok(run(
        &db,
        &["import", "contacts", contacts.to_str().unwrap()],
    ));
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    for typed in [
        "\u{202a}+44 20 7946 0555\u{202c}",
        "\u{200e}+44\t20 7946 0555\u{200b}",
        "\u{feff}+442079460555",
    ] {
        let hits = search(&db, &config, typed);
        assert_eq!(hits[0]["external_id"], "GB-1", "{typed:?}: {hits:?}");
        assert_eq!(hits[0]["matched_field"], "phone", "{typed:?}");
    }
}

fn a_config_file_that_is_no_file_or_too_large_is_refused_at_once(engine: Engine) {
    let dir = temp_dir();
    let db = team(engine, &dir);
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    let team_toml = config.join("team.toml");
    let status = std::process::Command::new("mkfifo")
        .arg(&team_toml)
        .status()
        .unwrap();
    assert!(status.success());
    let started = std::time::Instant::now();
    let err = fails(run_with_config(&db, &config, &["search", "x"]));
    assert!(err.contains("team.toml is not a regular file"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    std::fs::remove_file(&team_toml).unwrap();
    let big = format!("region = \"{}\"\n", "A".repeat(2 << 20));
    std::fs::write(&team_toml, big).unwrap();
    let err = fails(run_with_config(&db, &config, &["search", "x"]));
    assert!(
        err.contains("larger than a configuration file can be"),
        "{err}"
    );
    assert!(err.len() < 1_000, "the file is named, not printed");
}

fn a_long_bad_cell_is_quoted_in_part(engine: Engine) {
    let dir = temp_dir();
    let db = team(engine, &dir);
    let bad = write(
        &dir,
        "long.csv",
        &format!(
            "external_id,name,country,customer_since\nL-1,Long,{},2025-01-01\n",
            "D".repeat(10_000)
        ),
    );
    let err = fails(run(&db, &["import", "accounts", bad.to_str().unwrap()]));
    assert!(
        err.contains("(10000 characters) is not a country code"),
        "{err}"
    );
    assert!(err.len() < 1_000, "{} bytes", err.len());
}
