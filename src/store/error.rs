//! What can go wrong with the database file, worded for the person at the keyboard: each message
//! names the file and says what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no database at {path}: create one with `retain --db {path} init`, or fill one with demo data with `retain --db {path} demo`"
    )]
    Missing { path: PathBuf },

    #[error(
        "cannot create {path}: the directory {dir} does not exist (create it first, or choose another --db)"
    )]
    MissingDirectory { path: PathBuf, dir: PathBuf },

    #[error(
        "cannot create {path}: permission denied; the directory {dir} is not writable for this user (choose another --db, or ask its owner)"
    )]
    CannotCreate { path: PathBuf, dir: PathBuf },

    #[error("{path} is a directory, not a database file: give the path of a file with --db")]
    IsADirectory { path: PathBuf },

    #[error(
        "{path} is not a SQLite database (or it is damaged); retain left it untouched. Point --db at a retain database, or at a new file to create one"
    )]
    NotADatabase { path: PathBuf },

    #[error(
        "{path} is a SQLite database of another application; retain will not change it. Choose another --db"
    )]
    Foreign { path: PathBuf },

    #[error(
        "{path} is empty, not a retain database yet (nothing was written to it): `retain --db {path} init` makes it one"
    )]
    Empty { path: PathBuf },

    #[error(
        "{path} has schema version {found}, older than this retain's {known}: `retain --db {path} init` (or any command that writes) upgrades it, keeping its data; it was not changed"
    )]
    Outdated {
        path: PathBuf,
        found: u32,
        known: u32,
    },

    #[error(
        "{path} was written by a newer retain (schema version {found}; this retain knows up to {known}). Upgrade retain to open it; the file was not changed"
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        known: u32,
    },

    #[error(
        "cannot open {path}: permission denied ({detail}). Check the mode of the file and its directory (ls -l), or ask an admin to add you to the database's group"
    )]
    PermissionDenied { path: PathBuf, detail: String },

    #[error("{path} is read-only for this user: {detail}")]
    ReadOnly { path: PathBuf, detail: String },

    #[error("not written to {path}: {why}")]
    Refused { path: PathBuf, why: String },

    /// Text or a code that no door may store (see `domain::text`).
    #[error("not written to {path}: {field}: {why}")]
    Invalid {
        path: PathBuf,
        field: String,
        why: String,
    },

    #[error("{path} was deleted or replaced since it was opened: nothing was written")]
    Gone { path: PathBuf },

    #[error(
        "{path} is locked by another process's write, which has held it past {}s; nothing was written: try again, and if it goes on, {} shows who holds it",
        super::BUSY_TIMEOUT.as_secs(),
        who_holds(path)
    )]
    Locked { path: PathBuf },

    #[error(
        "{path}: the disk is full; nothing was written: free some space on its file system (df -h {dir}) and try again",
        dir = super::open::parent_dir(path).display()
    )]
    DiskFull { path: PathBuf },

    #[error(
        "{path} could not be read or written (an I/O error); nothing was written: check the disk (dmesg) and try again"
    )]
    Io { path: PathBuf },

    #[error(
        "{path} is damaged (\"{detail}\"); restore it from a backup, or see what `sqlite3 {path} .recover` saves"
    )]
    Corrupt { path: PathBuf, detail: String },

    #[error("cannot connect to {server}: {detail}")]
    ServerUnreachable { server: String, detail: String },

    /// The server went away under an open store (a restart, a failover, the network).
    #[error(
        "{path} is out of reach ({detail}); nothing was written: it is tried again when the server is back"
    )]
    ServerLost { path: PathBuf, detail: String },

    /// The server's own words for a statement it refused or failed.
    #[error("{server}: {detail}")]
    Server { server: String, detail: String },

    #[error(
        "{server} holds tables that retain did not make ({tables}); retain will not change it: choose an empty database"
    )]
    ServerForeign { server: String, tables: String },

    #[error(
        "{server} is an empty database, not a retain database yet: `retain --db URL init` makes it one (or `retain copy --to URL` copies a file into it)"
    )]
    ServerEmpty { server: String },

    #[error(
        "{server} has schema version {found}, older than this retain's {known}: `retain --db URL init` (or any command that writes) upgrades it, keeping its data; it was not changed"
    )]
    ServerOutdated {
        server: String,
        found: u32,
        known: u32,
    },

    #[error(
        "{server} was written by a newer retain (schema version {found}; this retain knows up to {known}). Upgrade retain to open it; nothing was changed"
    )]
    ServerNewerSchema {
        server: String,
        found: u32,
        known: u32,
    },

    #[error(
        "{target} is not empty ({tables}): a copy goes into a new file or an empty database only; nothing was copied"
    )]
    NotEmpty { target: String, tables: String },

    #[error("the copy in {target} differs from the source in {table}: {detail}; nothing was kept")]
    CopyMismatch {
        target: String,
        table: String,
        detail: String,
    },

    /// What the store's SQL said of a value or a missing row.
    #[error("{path}: {detail}")]
    Database { path: PathBuf, detail: String },

    /// SQLite's own words, said once: as an error source they were repeated by every layer
    /// that prints the chain.
    #[error("{path}: {error}")]
    Sqlite {
        path: PathBuf,
        error: rusqlite::Error,
    },
}

/// The command that shows who holds the write lock: a file's processes, or a server's sessions.
fn who_holds(path: &std::path::Path) -> String {
    if super::postgres::conninfo::names_a_server(&path.to_string_lossy()) {
        format!(
            "`SELECT pid, usename, state FROM pg_stat_activity WHERE pid IN (SELECT pid FROM pg_locks WHERE relation = '{}'::regclass)`",
            super::postgres::migrate::WRITE_LOCK_TABLE
        )
    } else {
        format!("`fuser -v {}`", path.display())
    }
}

impl StoreError {
    /// The error as the console says it: a refusal of what the rep typed needs no file name
    /// (the console works on one file, and the rep is fixing a word, not a path).
    pub fn brief(&self) -> String {
        match self {
            StoreError::Refused { why, .. } => why.clone(),
            StoreError::ServerLost { .. } => "the server is out of reach; reconnecting…".into(),
            StoreError::Invalid { field, why, .. } => format!("{field}: {why}"),
            other => other.to_string(),
        }
    }

    /// Wraps an error of the store's SQL from working on `path`: a refusal is said as one.
    pub fn from_sql(path: &std::path::Path, source: super::sql::Error) -> StoreError {
        use super::sql::Error;
        match source {
            Error::Sqlite(e) => StoreError::from_sqlite(path, e),
            Error::Aborted(inner) => match inner.downcast::<super::access::Refused>() {
                Ok(refused) => StoreError::Refused {
                    path: path.to_path_buf(),
                    why: refused.to_string(),
                },
                Err(other) => StoreError::Database {
                    path: path.to_path_buf(),
                    detail: other.to_string(),
                },
            },
            Error::Busy => StoreError::Locked {
                path: path.to_path_buf(),
            },
            Error::Disconnected(detail) => StoreError::ServerLost {
                path: path.to_path_buf(),
                detail,
            },
            Error::Postgres(e) => {
                use postgres::error::SqlState;
                let path = path.to_path_buf();
                match e.code() {
                    Some(&SqlState::INSUFFICIENT_PRIVILEGE) => StoreError::Refused {
                        path,
                        // Most often a rep taken off the team since this connection opened.
                        why: format!(
                            "the server refused it ({}): this role may not make this change there (taken off the team since it connected? an admin adds reps with `retain reps add`)",
                            super::postgres::words(&e)
                        ),
                    },
                    Some(&SqlState::LOCK_NOT_AVAILABLE) => StoreError::Locked { path },
                    _ => StoreError::Database {
                        path,
                        detail: super::postgres::words(&e),
                    },
                }
            }
            other => StoreError::Database {
                path: path.to_path_buf(),
                detail: other.to_string(),
            },
        }
    }

    /// Wraps a SQLite error from working on `path`, recognising the ones a person can act on.
    pub fn from_sqlite(path: &std::path::Path, source: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        let path = path.to_path_buf();
        match source.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::NotADatabase { path },
            Some(ErrorCode::PermissionDenied) | Some(ErrorCode::CannotOpen) => {
                StoreError::PermissionDenied {
                    detail: source.to_string(),
                    path,
                }
            }
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly {
                detail: format!(
                    "{source}; a read needs the folder {} to be writable too (SQLite keeps a -shm file beside the database), or ask an admin to open it up",
                    super::open::parent_dir(&path).display()
                ),
                path,
            },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Locked { path }
            }
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
            Some(ErrorCode::SystemIoFailure) => StoreError::Io { path },
            Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                detail: source.to_string(),
                path,
            },
            _ => StoreError::Sqlite {
                path,
                error: source,
            },
        }
    }
}
