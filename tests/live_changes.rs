//! A console hears of another process's change within a second, on either engine: SQLite's
//! `data_version`, the server's announcements (LISTEN/NOTIFY).

mod common;

use std::time::{Duration, Instant};

use common::server::copy_as_me;
use common::*;
use retain::store::{Create, Store, Target};

/// Opens `db` as a console does, then has another process log a call: the store must see a
/// change within a second, and see none while nothing happens.
fn hears_of_changes(db: &str) {
    let target = Target::parse(db, &me()).unwrap();
    let store = Store::open_target(&target, Create::Never).unwrap();
    let first = store.data_version().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(store.data_version().unwrap(), first, "nothing changed yet");
    ok(retain()
        .args([
            "--db",
            db,
            "--today",
            TODAY,
            "log",
            "1",
            "--note",
            "Called back",
        ])
        .output()
        .unwrap());
    let started = Instant::now();
    while store.data_version().unwrap() == first {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "another process's change was not seen within a second"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn demo(dir: &tempfile::TempDir) -> String {
    let file = db_in(dir, "team.db");
    ok(run(&file, &["demo", "--accounts", "50"]));
    file.to_str().unwrap().to_string()
}

#[test]
fn a_file_tells_of_another_process_s_change() {
    let dir = temp_dir();
    hears_of_changes(&demo(&dir));
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_server_tells_of_another_connection_s_change() {
    let dir = temp_dir();
    let file = demo(&dir);
    let (_db, url) = copy_as_me(&file);
    hears_of_changes(&url);
}
