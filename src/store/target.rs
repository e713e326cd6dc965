//! Where the database is: a SQLite file (a path), or a PostgreSQL server (a URL or a libpq
//! connection string).

use std::path::PathBuf;

use super::catalog::Catalog;
use super::postgres::{Server, conninfo};
use super::{Store, StoreError};

#[derive(Debug, Clone)]
pub enum Target {
    File(PathBuf),
    Server(Box<Server>),
}

impl Target {
    /// What `--db` or `RETAIN_DB` says; `os_user` is a server's role when nothing names one.
    pub fn parse(text: &str, os_user: &str) -> Result<Target, String> {
        if conninfo::names_a_server(text) {
            Server::parse(text, os_user).map(|server| Target::Server(Box::new(server)))
        } else {
            Ok(Target::File(PathBuf::from(text)))
        }
    }

    /// The database as messages name it (a server without its password).
    pub fn shown(&self) -> String {
        match self {
            Target::File(path) => path.display().to_string(),
            Target::Server(server) => server.shown().to_string(),
        }
    }

    /// The schema of the database as it is, read without changing anything.
    pub fn catalog(&self) -> Result<Catalog, StoreError> {
        match self {
            Target::File(path) => {
                let conn = Store::open_to_read(path)?.into_file_connection();
                Catalog::of_sqlite(&conn).map_err(|e| StoreError::from_sqlite(path, e))
            }
            Target::Server(server) => {
                let mut client = server.connect()?;
                super::postgres::catalog::read(&mut client).map_err(|e| server.error(&e))
            }
        }
    }
}
