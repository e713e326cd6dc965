//! TLS to the server as libpq's `sslmode` means it. The test server takes TCP connections over
//! TLS only, with a certificate for localhost and 127.0.0.1 signed by itself
//! (`RETAIN_TEST_PG_CA`).

mod common;

use std::process::Output;

use common::server::PgDb;
use common::*;

/// `retain copy` of a new file to the server database named `url`, with no
/// `~/.postgresql/root.crt` to fall back on.
fn copy_to(url: &str) -> Output {
    let dir = temp_dir();
    let file = db_in(&dir, "new.db");
    ok(run(&file, &["init"]));
    retain()
        .env("HOME", dir.path())
        .env_remove("PGSSLMODE")
        .env_remove("PGSSLROOTCERT")
        .args(["--db", file.to_str().unwrap(), "copy", "--to", url])
        .output()
        .expect("retain runs")
}

fn ca() -> String {
    std::env::var("RETAIN_TEST_PG_CA").expect("tests/with-postgres names the server's certificate")
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn the_server_refuses_a_connection_without_tls() {
    let db = PgDb::new();
    let err = fails(copy_to(&format!("{}?sslmode=disable", db.url)));
    assert!(
        err.contains("no encryption") && err.contains("the server wants TLS: drop sslmode=disable"),
        "{err}"
    );
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn verify_full_connects_to_the_host_its_certificate_names_and_to_no_other() {
    let db = PgDb::new();
    let name = &db.name;
    let port = db
        .url
        .rsplit_once(':')
        .unwrap()
        .1
        .split('/')
        .next()
        .unwrap();
    let ca = ca();
    ok(copy_to(&format!(
        "host=localhost port={port} user=postgres dbname={name} sslmode=verify-full sslrootcert={ca}"
    )));

    // The certificate is right, but the name connected to is not in it.
    let other = PgDb::new();
    let err = fails(copy_to(&format!(
        "host=retain-test.invalid hostaddr=127.0.0.1 port={port} user=postgres dbname={} sslmode=verify-full sslrootcert={ca}",
        other.name
    )));
    assert!(err.contains("certificate verify failed"), "{err}");
    // verify-ca checks the signature only.
    ok(copy_to(&format!(
        "host=retain-test.invalid hostaddr=127.0.0.1 port={port} user=postgres dbname={} sslmode=verify-ca sslrootcert={ca}",
        other.name
    )));
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn verification_needs_a_root_certificate_that_signed_the_servers() {
    let db = PgDb::new();
    let err = fails(copy_to(&format!("{}?sslmode=verify-full", db.url)));
    assert!(
        err.contains("needs the root certificate that signs it: add sslrootcert=FILE"),
        "{err}"
    );
    // The system's authorities did not sign the test server's certificate.
    let err = fails(copy_to(&format!(
        "{}?sslmode=verify-full&sslrootcert=system",
        db.url
    )));
    assert!(err.contains("certificate verify failed"), "{err}");
    // `require` encrypts without checking, as libpq does without a root certificate.
    ok(copy_to(&format!("{}?sslmode=require", db.url)));
}

#[test]
#[cfg_attr(
    not(retain_pg),
    ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
)]
fn a_password_file_others_may_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let db = PgDb::new();
    let dir = temp_dir();
    let file = db_in(&dir, "new.db");
    ok(run(&file, &["init"]));
    let pgpass = dir.path().join(".pgpass");
    std::fs::write(&pgpass, "*:*:*:postgres:not-needed-here\n").unwrap();
    let copy = |mode: u32| {
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(mode)).unwrap();
        retain()
            .env("HOME", dir.path())
            .env_remove("PGPASSFILE")
            .args(["--db", file.to_str().unwrap(), "copy", "--to", &db.url])
            .output()
            .unwrap()
    };
    let err = fails(copy(0o644));
    assert!(
        err.contains(".pgpass holds passwords and others may read it (mode 644): chmod 600 it"),
        "{err}"
    );
    ok(copy(0o600));
}
