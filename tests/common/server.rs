//! A database of its own on the test server that `tests/with-postgres` starts (named by
//! `RETAIN_TEST_PG`), dropped when the test ends. The tests that need one are ignored in a
//! build without `RETAIN_TEST_PG`, with the line that says how to run them.

use std::sync::atomic::{AtomicU32, Ordering};

use retain::store::postgres::Server;

static NEXT: AtomicU32 = AtomicU32::new(0);

/// The test server's superuser URL.
pub fn admin_url() -> String {
    std::env::var("RETAIN_TEST_PG")
        .expect("RETAIN_TEST_PG names the test server: run the tests under tests/with-postgres")
}

/// A connection as the test server's superuser.
pub fn admin() -> postgres::Client {
    Server::parse(&admin_url(), "postgres")
        .expect("RETAIN_TEST_PG parses")
        .connect()
        .expect("the test server answers")
}

/// An empty database on the test server.
pub struct PgDb {
    pub name: String,
    pub url: String,
}

impl PgDb {
    pub fn new() -> PgDb {
        let name = format!(
            "retain_t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a test database is made");
        PgDb {
            url: url_of(&name),
            name,
        }
    }

    /// A connection to this database as the superuser.
    pub fn client(&self) -> postgres::Client {
        Server::parse(&self.url, "postgres")
            .expect("the test database's URL parses")
            .connect()
            .expect("the test database answers")
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        // Never a panic here: a test that failed is unwinding already.
        let admin = Server::parse(&admin_url(), "postgres")
            .ok()
            .and_then(|s| s.connect().ok());
        if let Some(mut admin) = admin {
            // Its writers' and admins' roles too: they are the cluster's, and would outlive it.
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE);
                 DROP ROLE IF EXISTS retain_writers_{name}, retain_admins_{name};",
                name = self.name
            ));
        }
    }
}

/// The admin URL with another database (and query, if any, kept).
pub fn url_of(database: &str) -> String {
    let admin = admin_url();
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base.to_string(), format!("?{query}")),
        None => (admin.clone(), String::new()),
    };
    let (server, _) = base
        .rsplit_once('/')
        .expect("RETAIN_TEST_PG is a URL with a database");
    format!("{server}/{database}{query}")
}

/// The database's URL for connecting as `role`.
pub fn as_role(db: &PgDb, role: &str) -> String {
    db.url.replacen("postgres@", &format!("{role}@"), 1)
}

/// A role of the test server gone, if it was there (with its memberships).
pub fn drop_role(name: &str) {
    admin()
        .batch_execute(&format!("DROP ROLE IF EXISTS \"{name}\""))
        .expect("a role is dropped");
}

/// A login role on the test server (roles are the cluster's: one made before is kept).
pub fn make_role(name: &str, more: &str) {
    admin()
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE \"{name}\" LOGIN {more};
             EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
        ))
        .expect("a role is made");
}

/// A copy of `file` on a new server database, connected to as the role of the OS user running
/// the tests: the demo's admin there as on the file.
pub fn copy_as_me(file: &str) -> (PgDb, String) {
    let db = PgDb::new();
    let me = super::me();
    make_role(&me, "CREATEROLE");
    super::ok(
        super::retain()
            .args(["--db", file, "copy", "--to", &db.url])
            .output()
            .expect("retain runs"),
    );
    let url = as_role(&db, &me);
    (db, url)
}
