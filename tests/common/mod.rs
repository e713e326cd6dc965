//! Helpers shared by the integration tests: the real binary, real files in temp dirs.
#![allow(dead_code)] // each test file uses its own subset

pub mod console;
pub mod engine;
pub mod payments;
pub mod server;
pub mod tmux;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rusqlite::Connection;

pub const TODAY: &str = "2026-11-22";

/// The `retain` binary with a clean environment: no database from the caller's shell.
pub fn retain() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_retain"));
    cmd.env_remove("RETAIN_DB");
    cmd
}

/// `retain --db DB --today TODAY`, to be given its arguments.
fn on(db: &(impl AsRef<OsStr> + ?Sized)) -> Command {
    let mut cmd = retain();
    cmd.arg("--db").arg(db).args(["--today", TODAY]);
    cmd
}

/// Runs `retain --db DB --today TODAY ARGS...`.
pub fn run(db: &(impl AsRef<OsStr> + ?Sized), args: &[&str]) -> Output {
    on(db).args(args).output().expect("the retain binary runs")
}

/// The same, with `config` as its configuration folder.
pub fn run_with_config(db: &(impl AsRef<OsStr> + ?Sized), config: &Path, args: &[&str]) -> Output {
    on(db)
        .env("RETAIN_CONFIG_DIR", config)
        .args(args)
        .output()
        .expect("the retain binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "retain failed: {}\n{}",
        stderr(&out),
        stdout(&out)
    );
    stdout(&out)
}

/// Asserts a clean failure: exit code 1, one message on stderr, no panic.
pub fn fails(out: Output) -> String {
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "expected failure, got: {err}");
    assert!(!err.contains("panicked"), "panicked: {err}");
    assert!(err.starts_with("retain: "), "unexpected stderr: {err}");
    err
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp dir")
}

pub fn db_in(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

/// Every table's rows, as text: equal dumps of one database hold the same data.
pub fn dump(db: &(impl engine::Db + ?Sized)) -> String {
    db.dump()
}

/// [`dump`] of a file: every table's rows in the order of their columns.
fn dump_file(db: &Path) -> String {
    let conn = Connection::open(db).unwrap();
    let mut out = String::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in tables {
        out.push_str(&format!("## {table}\n"));
        // Ordered by every column, which works for tables without a rowid too.
        let columns = conn
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .unwrap()
            .column_count();
        let order: Vec<String> = (1..=columns).map(|i| i.to_string()).collect();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT * FROM \"{table}\" ORDER BY {}",
                order.join(", ")
            ))
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i).unwrap();
                out.push_str(&format!("{value:?}|"));
            }
            out.push('\n');
        }
    }
    out
}

/// The schema objects of a database: (type, name, sql).
pub fn schema_of(conn: &Connection) -> Vec<(String, String, Option<String>)> {
    conn.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

pub fn schema_sql() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.sql")).unwrap()
}

pub fn query_i64(db: &(impl engine::Db + ?Sized), sql: &str) -> i64 {
    db.query_i64(sql, &[])
}

/// A command that runs `retain` as a user other than root, for permission tests: as root the
/// kernel grants every access, so a copy of the binary (in a folder anyone may enter, wherever
/// the checkout is) is run as `nobody` through setpriv. `None` when that is impossible here.
/// Keep the returned folder alive while the command runs.
pub fn retain_as_unprivileged() -> Option<(Command, tempfile::TempDir)> {
    let bin_dir = temp_dir();
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some((retain(), bin_dir));
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    open_up(bin_dir.path(), 0o755);
    let bin = bin_dir.path().join("retain");
    std::fs::copy(env!("CARGO_BIN_EXE_retain"), &bin).ok()?;
    open_up(&bin, 0o755);
    // Another test thread that forks while the copy is being written holds the file open for
    // write until its child execs: run then, the copy is "busy" (ETXTBSY, setpriv exits 126).
    // Wait until it runs.
    for _ in 0..50 {
        let probe = Command::new(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .arg("--version")
            .output()
            .ok()?;
        if probe.status.code() != Some(126) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut cmd = Command::new(setpriv);
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin);
    cmd.env_remove("RETAIN_DB");
    Some((cmd, bin_dir))
}

/// Sets a path's mode, so that the unprivileged user can (or cannot) reach it.
pub fn open_up(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The OS user running the tests: the admin of every demo file they make.
pub fn me() -> String {
    let out = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A connection that writes as rep `login` does, on a server as `login`'s own role.
pub fn store_as(db: &engine::TestDb, login: &str) -> retain::store::Store {
    let target = retain::store::Target::parse(&db.as_login(login), login).unwrap();
    retain::store::Store::open_target(&target, retain::store::Create::Never)
        .unwrap()
        .acting_as(login, login)
}

/// A connection that writes as the OS user running the tests, as the command line does.
pub fn store_as_me(db: &(impl AsRef<OsStr> + ?Sized)) -> retain::store::Store {
    let me = me();
    let target = retain::store::Target::parse(db.as_ref().to_str().unwrap(), &me).unwrap();
    retain::store::Store::open_target(&target, retain::store::Create::Never)
        .unwrap()
        .acting_as(&me, &me)
}

/// `retain --db FROM copy --to TO --json`, which must succeed: each table's rows and checksum,
/// in table order.
pub fn copied(from: &str, to: &str) -> Vec<(String, u64, String)> {
    let out = ok(retain()
        .args(["--db", from, "copy", "--to", to, "--json"])
        .output()
        .expect("retain runs"));
    let value: serde_json::Value = serde_json::from_str(&out).expect("copy --json prints JSON");
    let mut tables: Vec<(String, u64, String)> = value["tables"]
        .as_array()
        .expect("a list of tables")
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_string(),
                t["rows"].as_u64().unwrap(),
                t["checksum"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    tables.sort();
    tables
}
