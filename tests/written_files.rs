//! Files retain writes hold customers' data: private whatever the umask, never written through
//! a link another user planted, and safe to open in a spreadsheet. Real files, real links.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;
use rusqlite::Connection;

fn demo(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = db_in(dir, "files.db");
    ok(run(&db, &["demo", "--accounts", "200"]));
    db
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `retain ARGS` under `umask 000`, as a careless shell profile has it.
fn run_umask_000(db: &Path, args: &[&str]) -> std::process::Output {
    let mut line = format!(
        "umask 000; exec '{}' --db '{}' --today {TODAY}",
        env!("CARGO_BIN_EXE_retain"),
        db.display()
    );
    for a in args {
        line.push_str(&format!(" '{a}'"));
    }
    std::process::Command::new("sh")
        .args(["-c", &line])
        .env_remove("RETAIN_DB")
        .output()
        .unwrap()
}

#[test]
fn exports_and_rejects_are_private_whatever_the_umask() {
    let dir = temp_dir();
    let db = demo(&dir);
    for what in [
        "accounts",
        "interactions",
        "at-risk",
        "checkins",
        "payments",
    ] {
        let out = dir.path().join(format!("{what}.csv"));
        ok(run_umask_000(
            &db,
            &["export", what, "--out", out.to_str().unwrap()],
        ));
        assert_eq!(mode(&out), 0o600, "{what}");
    }
    // An existing export is replaced by a private one, whatever its mode was.
    let out = dir.path().join("accounts.csv");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o666)).unwrap();
    ok(run_umask_000(
        &db,
        &["export", "accounts", "--out", out.to_str().unwrap()],
    ));
    assert_eq!(mode(&out), 0o600);

    let csv = dir.path().join("some.csv");
    std::fs::write(
        &csv,
        "external_id,name,mrr,customer_since\nX-1,Good Ltd,10.00,2026-01-05\nX-2,Bad Ltd,ten,2026-01-05\n",
    )
    .unwrap();
    ok(run_umask_000(
        &db,
        &["import", "accounts", csv.to_str().unwrap(), "--skip-bad"],
    ));
    assert_eq!(mode(&dir.path().join("some.rejects.csv")), 0o600);
    // Nothing half-written is left beside them.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".retain-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_planted_link_is_refused_and_its_target_left_alone() {
    let dir = temp_dir();
    let db = demo(&dir);
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    // Another rep's start-up file, and a link to it where the weekly export goes.
    let victim = dir.path().join("bashrc");
    std::fs::write(&victim, "export PATH=/usr/bin\n").unwrap();
    let weekly = shared.join("weekly.csv");
    std::os::unix::fs::symlink(&victim, &weekly).unwrap();
    let err = fails(run(
        &db,
        &["export", "at-risk", "--out", weekly.to_str().unwrap()],
    ));
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "export PATH=/usr/bin\n"
    );

    // A dangling link does not create its target.
    let nowhere = dir.path().join("created-by-retain");
    let dangling = shared.join("dangling.csv");
    std::os::unix::fs::symlink(&nowhere, &dangling).unwrap();
    let err = fails(run(
        &db,
        &["export", "accounts", "--out", dangling.to_str().unwrap()],
    ));
    assert!(err.contains("symbolic link"), "{err}");
    assert!(!nowhere.exists());

    // A rejects file planted as a link stops the import before anything is written.
    let csv = shared.join("bad.csv");
    std::fs::write(
        &csv,
        "external_id,name,mrr,customer_since\nX-1,Good Ltd,10.00,2026-01-05\nX-2,Bad Ltd,ten,2026-01-05\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&victim, shared.join("bad.rejects.csv")).unwrap();
    let before = dump(&db);
    let err = fails(run(
        &db,
        &["import", "accounts", csv.to_str().unwrap(), "--skip-bad"],
    ));
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(dump(&db), before);
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "export PATH=/usr/bin\n"
    );
}

#[test]
fn a_formula_in_a_cell_opens_as_text_and_imports_back_exactly() {
    let dir = temp_dir();
    let db = demo(&dir);
    let names = [
        "=HYPERLINK(\"http://x\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1)",
        "-2+3",
        "'=already quoted",
    ];
    let conn = Connection::open(&db).unwrap();
    for (i, name) in names.iter().enumerate() {
        conn.execute(
            "UPDATE accounts SET name = ?1, industry = ?1 WHERE id = ?2",
            rusqlite::params![name, i as i64 + 1],
        )
        .unwrap();
    }
    conn.execute(
        "UPDATE interactions SET summary = '=1+1' WHERE id = (SELECT min(id) FROM interactions)",
        [],
    )
    .unwrap();
    drop(conn);
    for what in [
        "accounts",
        "interactions",
        "at-risk",
        "checkins",
        "payments",
    ] {
        let csv = ok(run(&db, &["export", what]));
        for line in csv.lines().skip(1) {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            for record in reader.records() {
                for cell in record.unwrap().iter() {
                    let bad = cell.starts_with(['=', '+', '@', '\t', '\r'])
                        || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                    assert!(!bad, "{what}: a cell a spreadsheet runs: {cell:?}");
                }
            }
        }
    }
    // Imported back, the export gives the very names it holds.
    let file = dir.path().join("accounts.csv");
    ok(run(
        &db,
        &["export", "accounts", "--out", file.to_str().unwrap()],
    ));
    let before = dump(&db);
    let out = ok(run(&db, &["import", "accounts", file.to_str().unwrap()]));
    assert!(out.contains(" 0 added, 0 updated"), "{out}");
    assert_eq!(dump(&db), before);
}

#[test]
fn the_world_readable_warning_is_said_once_and_only_when_others_can_reach_the_file() {
    let dir = temp_dir();
    let db = demo(&dir);
    let warns = |db: &Path| {
        stderr(&run(db, &["summary"]))
            .matches("readable by every user")
            .count()
    };
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(warns(&db), 1);
    // A private folder keeps everyone else out, whatever the file's own mode.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(warns(&db), 0);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(warns(&db), 0);
}
