//! The PostgreSQL engine: a server named as libpq names one, its schema's migrations, and what
//! it holds as the store's catalog sees it.

pub mod catalog;
mod connect;
pub mod conninfo;
pub mod migrate;
mod pgpass;

use super::migrations::Outcome;
use super::{Create, StoreError};
use conninfo::ConnInfo;

/// The server's message for an error, then what it adds: the detail, and where (`COPY accounts,
/// line 5, column mrr_cents: "lots"`); for a connection's error, its cause.
pub fn words(e: &postgres::Error) -> String {
    use std::error::Error;
    match e.as_db_error() {
        Some(db) => [Some(db.message()), db.detail(), db.where_()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; "),
        None => match e.source() {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

/// A PostgreSQL server and database, as `--db` or `RETAIN_DB` named it.
#[derive(Debug, Clone)]
pub struct Server {
    info: ConnInfo,
    shown: String,
}

impl Server {
    /// Parses a URL or connection string; `os_user` is the role when nothing names one.
    pub fn parse(text: &str, os_user: &str) -> Result<Server, String> {
        let info = conninfo::parse(text, &conninfo::ProcessEnv, os_user)?;
        let shown = conninfo::shown(&info.config);
        Ok(Server { info, shown })
    }

    /// The role this server is connected to as (the string's user, else `PGUSER`, else the
    /// login): the person the server will authenticate.
    pub fn role(&self) -> &str {
        self.info.config.get_user().unwrap_or_default()
    }

    /// The server as messages name it, without the password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// A connection of its own (no schema check: see `open_migrated`).
    pub fn connect(&self) -> Result<postgres::Client, StoreError> {
        self.connect_with_tls().map(|(client, _)| client)
    }

    /// A connection of its own as the store's SQL runs on it.
    pub fn conn(&self) -> Result<super::sql::Conn, StoreError> {
        let (client, tls) = self.connect_with_tls()?;
        Ok(super::sql::Conn::postgres(client, tls, self.reconnect()))
    }

    /// How a lost connection is made again: as the first was, its schema already checked.
    fn reconnect(&self) -> super::sql::Reconnect {
        let info = self.info.clone();
        Box::new(move || connect::connect(&info))
    }

    fn connect_with_tls(
        &self,
    ) -> Result<
        (
            postgres::Client,
            Option<postgres_native_tls::MakeTlsConnector>,
        ),
        StoreError,
    > {
        connect::connect(&self.info).map_err(|detail| StoreError::ServerUnreachable {
            server: self.shown.clone(),
            detail,
        })
    }

    /// The server's words for a failed statement, as an error naming the server.
    pub(crate) fn error(&self, e: &postgres::Error) -> StoreError {
        StoreError::Server {
            server: self.shown.clone(),
            detail: words(e),
        }
    }

    /// Connects and brings the schema up to this build's, refusing a database of something
    /// else or of a newer retain.
    pub(crate) fn open_migrated(&self) -> Result<postgres::Client, StoreError> {
        self.checked(Create::IfMissing, true)
            .map(|(client, _)| client)
    }

    /// The store's connection to the database, checked as a file is when it opens: a blank
    /// database becomes retain's only when `create` allows, an older schema is upgraded only
    /// by a connection that will write, and a database of something else or of a newer retain
    /// is refused untouched.
    pub(crate) fn open(&self, create: Create, write: bool) -> Result<super::sql::Conn, StoreError> {
        let (client, tls) = self.checked(create, write)?;
        Ok(super::sql::Conn::postgres(client, tls, self.reconnect()))
    }

    fn checked(
        &self,
        create: Create,
        write: bool,
    ) -> Result<
        (
            postgres::Client,
            Option<postgres_native_tls::MakeTlsConnector>,
        ),
        StoreError,
    > {
        let (mut client, tls) = self.connect_with_tls()?;
        let migrations = migrate::embedded();
        let known = migrations.len() as u32;
        let server = || self.shown.clone();
        match migrate::found(&mut client).map_err(|e| self.error(&e))? {
            migrate::Found::Foreign(tables) => {
                return Err(StoreError::ServerForeign {
                    server: server(),
                    tables: tables.join(", "),
                });
            }
            migrate::Found::Blank if create == Create::Never => {
                return Err(StoreError::ServerEmpty { server: server() });
            }
            migrate::Found::Version(found) if found > known => {
                return Err(StoreError::ServerNewerSchema {
                    server: server(),
                    found,
                    known,
                });
            }
            migrate::Found::Version(found) if found < known && !write => {
                return Err(StoreError::ServerOutdated {
                    server: server(),
                    found,
                    known,
                });
            }
            // Up to date: no lock is taken (the schema's lock is an advisory one, which any role
            // could hold), so an open never waits on anyone.
            migrate::Found::Version(found) if found == known => return Ok((client, tls)),
            _ if !write => return Ok((client, tls)),
            _ => {}
        }
        let migrated = migrate::migrate(&mut client, &migrations).map_err(|e| {
            if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
                StoreError::Server {
                    server: server(),
                    detail: format!(
                        "{}: the role {role} may not make or change retain's tables in this database; make it the database's owner (createdb -O {role} NAME, or ALTER DATABASE NAME OWNER TO {role}) and set it up as that role",
                        words(&e),
                        role = self.role()
                    ),
                }
            } else {
                self.error(&e)
            }
        })?;
        match migrated {
            migrate::Migrated::Foreign(tables) => Err(StoreError::ServerForeign {
                server: server(),
                tables: tables.join(", "),
            }),
            migrate::Migrated::Done(Outcome::TooNew { found }) => {
                Err(StoreError::ServerNewerSchema {
                    server: server(),
                    found,
                    known,
                })
            }
            migrate::Migrated::Done(_) => Ok((client, tls)),
        }
    }
}
