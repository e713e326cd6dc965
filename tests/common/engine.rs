//! One test, both engines: a database that is a file in a temp dir or a database of its own on
//! the test server, and the macro that runs a test's body once on each. A test looks into its
//! database only through these helpers, in SQL both engines read alike (`?1` placeholders,
//! `RETURNING` for new ids).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::server::{PgDb, as_role, make_role};

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    File,
    Server,
}

/// A database for one test: what `--db` names, and the means to look into it.
pub struct TestDb {
    /// What `--db` is given: the file's path, or the server database's URL as the OS user's role.
    arg: String,
    server: Option<PgDb>,
    /// Where the file is, or (on a server) nothing of the database.
    dir: tempfile::TempDir,
}

impl TestDb {
    /// A database not yet made: `retain init` or `demo` makes it. On the server, an empty
    /// database owned by the role of the OS user running the tests, who is thus its admin as he
    /// is of a file he makes.
    pub fn new(engine: Engine) -> TestDb {
        let dir = super::temp_dir();
        match engine {
            Engine::File => TestDb {
                arg: super::db_in(&dir, "team.db").to_str().unwrap().to_string(),
                server: None,
                dir,
            },
            Engine::Server => {
                let db = PgDb::new();
                let me = super::me();
                make_role(&me, "CREATEROLE");
                db.client()
                    .batch_execute(&format!("ALTER DATABASE {} OWNER TO \"{me}\"", db.name))
                    .expect("the test database changes hands");
                TestDb {
                    arg: as_role(&db, &me),
                    server: Some(db),
                    dir,
                }
            }
        }
    }

    /// A demo of `accounts` accounts, made by `retain demo`.
    pub fn demo(engine: Engine, accounts: u32) -> TestDb {
        let db = TestDb::new(engine);
        super::ok(super::run(
            &db,
            &["demo", "--accounts", &accounts.to_string()],
        ));
        db
    }

    /// A file made elsewhere (its folder is its maker's).
    pub fn of_file(path: &Path) -> TestDb {
        TestDb {
            arg: path.to_str().unwrap().to_string(),
            server: None,
            dir: super::temp_dir(),
        }
    }

    /// What rep `login` gives `--db`: the file, or the server database as `login`'s own role,
    /// which joins the team's writers (and an admin's its admins) when `login` is an active rep
    /// of it, as `retain copy` lets copied reps write.
    pub fn as_login(&self, login: &str) -> String {
        let Some(db) = &self.server else {
            return self.arg.clone();
        };
        make_role(login, "");
        let role = self.rows(
            "SELECT role FROM reps WHERE login = ?1 AND active = 1",
            &[login],
        );
        let grants = match role.first().and_then(|r| r[0].as_deref()) {
            None => String::new(),
            Some("admin") => format!(
                "GRANT retain_writers_{name}, retain_admins_{name} TO \"{login}\" WITH ADMIN OPTION",
                name = db.name
            ),
            Some(_) => format!("GRANT retain_writers_{} TO \"{login}\"", db.name),
        };
        db.client()
            .batch_execute(&grants)
            .expect("a rep's role joins the team");
        as_role(db, login)
    }

    pub fn engine(&self) -> Engine {
        if self.server.is_some() {
            Engine::Server
        } else {
            Engine::File
        }
    }

    /// What `--db` is given.
    pub fn arg(&self) -> &str {
        &self.arg
    }

    /// The same database by another name: a symbolic link to the file, or the server by
    /// another of its host names.
    pub fn another_name(&self) -> String {
        match &self.server {
            None => {
                let link = self.dir.path().join("same-team.db");
                std::os::unix::fs::symlink(&self.arg, &link).unwrap();
                link.to_str().unwrap().to_string()
            }
            Some(_) => {
                assert!(self.arg.contains("@127.0.0.1:"), "{}", self.arg);
                self.arg.replacen("@127.0.0.1:", "@localhost:", 1)
            }
        }
    }

    /// The server database, for tests that act on the server itself.
    pub fn server(&self) -> &PgDb {
        self.server.as_ref().expect("a database on the test server")
    }
}

impl AsRef<OsStr> for TestDb {
    fn as_ref(&self) -> &OsStr {
        OsStr::new(&self.arg)
    }
}

/// A database a test can look into: a file by its path, or a [`TestDb`] of either engine.
pub trait Db: AsRef<OsStr> {
    /// The first column of the one row `sql` answers, as a number; text parameters bound in
    /// order.
    fn query_i64(&self, sql: &str, params: &[&str]) -> i64;

    /// Runs `sql`, text parameters bound in order; how many rows it changed.
    fn execute(&self, sql: &str, params: &[&str]) -> u64;

    /// Every row `sql` answers, its columns text (cast what is not) or NULL. Order by a cast
    /// column qualified (`ORDER BY c.id`): PostgreSQL names `CAST(id AS TEXT)` `id`, and a bare
    /// `ORDER BY id` would sort the text.
    fn rows(&self, sql: &str, params: &[&str]) -> Vec<Vec<Option<String>>>;

    /// Every table's rows, as text: equal dumps of one database hold the same data.
    fn dump(&self) -> String;

    /// The first column of the one row `sql` answers, as text.
    fn query_text(&self, sql: &str, params: &[&str]) -> Option<String> {
        let rows = self.rows(sql, params);
        assert_eq!(rows.len(), 1, "{sql}");
        rows[0][0].clone()
    }

    /// The first column of every row `sql` answers (cast to text, as for [`Db::rows`]), as
    /// numbers: a list of ids.
    fn numbers(&self, sql: &str, params: &[&str]) -> Vec<i64> {
        self.rows(sql, params)
            .into_iter()
            .map(|r| {
                let cell = r[0].as_deref().unwrap_or_else(|| panic!("NULL: {sql}"));
                cell.parse()
                    .unwrap_or_else(|e| panic!("{cell:?}: {e}: {sql}"))
            })
            .collect()
    }

    /// The first row `sql` answers: a number (cast to text, as for [`Db::rows`]) and a text.
    fn id_and_text(&self, sql: &str, params: &[&str]) -> (i64, String) {
        let rows = self.rows(sql, params);
        let row = rows.first().unwrap_or_else(|| panic!("no row: {sql}"));
        let id = row[0].as_deref().unwrap_or_else(|| panic!("NULL: {sql}"));
        (
            id.parse().unwrap_or_else(|e| panic!("{id:?}: {e}: {sql}")),
            row[1].clone().unwrap_or_else(|| panic!("NULL: {sql}")),
        )
    }
}

impl Db for Path {
    fn query_i64(&self, sql: &str, params: &[&str]) -> i64 {
        rusqlite::Connection::open(self)
            .unwrap()
            .query_row(sql, rusqlite::params_from_iter(params), |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}: {sql}"))
    }

    fn execute(&self, sql: &str, params: &[&str]) -> u64 {
        rusqlite::Connection::open(self)
            .unwrap()
            .execute(sql, rusqlite::params_from_iter(params))
            .unwrap_or_else(|e| panic!("{e}: {sql}")) as u64
    }

    fn rows(&self, sql: &str, params: &[&str]) -> Vec<Vec<Option<String>>> {
        let conn = rusqlite::Connection::open(self).unwrap();
        let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
        let columns = stmt.column_count();
        stmt.query_map(rusqlite::params_from_iter(params), |r| {
            (0..columns).map(|i| r.get(i)).collect()
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}: {sql}"))
    }

    fn dump(&self) -> String {
        super::dump_file(self)
    }
}

impl Db for PathBuf {
    fn query_i64(&self, sql: &str, params: &[&str]) -> i64 {
        self.as_path().query_i64(sql, params)
    }

    fn execute(&self, sql: &str, params: &[&str]) -> u64 {
        self.as_path().execute(sql, params)
    }

    fn rows(&self, sql: &str, params: &[&str]) -> Vec<Vec<Option<String>>> {
        self.as_path().rows(sql, params)
    }

    fn dump(&self) -> String {
        self.as_path().dump()
    }
}

impl Db for TestDb {
    fn query_i64(&self, sql: &str, params: &[&str]) -> i64 {
        let Some(db) = &self.server else {
            return Path::new(&self.arg).query_i64(sql, params);
        };
        db.client()
            .query_one(&dollars(sql), &text(params))
            .unwrap_or_else(|e| panic!("{e}: {sql}"))
            .get(0)
    }

    fn execute(&self, sql: &str, params: &[&str]) -> u64 {
        let Some(db) = &self.server else {
            return Path::new(&self.arg).execute(sql, params);
        };
        db.client()
            .execute(&dollars(sql), &text(params))
            .unwrap_or_else(|e| panic!("{e}: {sql}"))
    }

    fn rows(&self, sql: &str, params: &[&str]) -> Vec<Vec<Option<String>>> {
        let Some(db) = &self.server else {
            return Path::new(&self.arg).rows(sql, params);
        };
        db.client()
            .query(&dollars(sql), &text(params))
            .unwrap_or_else(|e| panic!("{e}: {sql}"))
            .iter()
            .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
            .collect()
    }

    fn dump(&self) -> String {
        let Some(db) = &self.server else {
            return Path::new(&self.arg).dump();
        };
        let mut client = db.client();
        let tables = client
            .query(
                "SELECT table_name::text FROM information_schema.tables
                 WHERE table_schema = 'public' ORDER BY 1",
                &[],
            )
            .unwrap();
        let mut out = String::new();
        for table in tables {
            let table: String = table.get(0);
            out.push_str(&format!("## {table}\n"));
            for row in client
                .query(
                    &format!("SELECT t::text FROM \"{table}\" t ORDER BY 1"),
                    &[],
                )
                .unwrap()
            {
                out.push_str(row.get::<_, &str>(0));
                out.push('\n');
            }
        }
        out
    }
}

fn text<'a>(params: &'a [&'a str]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    params.iter().map(|p| p as _).collect()
}

/// `?1` placeholders as PostgreSQL's `$1`.
fn dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

/// Tests run on both engines: for each `fn name(engine: Engine)` named, the tests
/// `name::file` and `name::server`, the second ignored, with the line that says how to run it,
/// in a build without a test server.
#[macro_export]
macro_rules! on_both_engines {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            #[test]
            fn file() {
                super::$test($crate::common::engine::Engine::File)
            }

            #[test]
            #[cfg_attr(
                not(retain_pg),
                ignore = "needs PostgreSQL: run the tests under tests/with-postgres, or set RETAIN_TEST_PG=postgres://…"
            )]
            fn server() {
                super::$test($crate::common::engine::Engine::Server)
            }
        }
    )+};
}
