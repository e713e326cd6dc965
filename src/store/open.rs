//! Opening the one database file that many processes share.
//!
//! The file is inspected before anything is written to it: a file that is not a SQLite database,
//! belongs to another application or comes from a newer retain is refused untouched.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, MAIN_DB, OpenFlags};

use super::error::StoreError;
use super::migrations::{self, Outcome};

/// How long a statement waits for another process's write lock before giving up. Writers hold
/// the lock for milliseconds; measured with 32 concurrent writers the p99 wait was ~0.1 s.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Marks a retain file (`PRAGMA application_id`, set by migration 1): 'RTN1'.
pub const APPLICATION_ID: i32 = 0x5254_4E31;

/// Whether a missing file may be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    IfMissing,
    Never,
}

/// What the opener will do with the file: a read never creates, upgrades or converts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Read,
    Write,
}

/// An open, migrated connection, and whether this process may write through it.
pub struct Opened {
    pub conn: Connection,
    pub read_only: bool,
}

pub fn open(path: &Path, create: Create, purpose: Purpose) -> Result<Opened, StoreError> {
    let create = if purpose == Purpose::Read {
        Create::Never
    } else {
        create
    };
    let is_new = check_path(path, create)?;
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if is_new {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let sqlite = |e| StoreError::from_sqlite(path, e);
    let mut conn = Connection::open_with_flags(path, flags).map_err(|e| {
        if is_new && e.sqlite_error_code() == Some(rusqlite::ErrorCode::CannotOpen) {
            StoreError::CannotCreate {
                path: path.to_path_buf(),
                dir: parent_dir(path),
            }
        } else {
            sqlite(e)
        }
    })?;
    if is_new {
        restrict_new_file(path)?;
    }
    conn.busy_handler(Some(wait_while_busy)).map_err(sqlite)?;

    let header = read_header(&conn).map_err(sqlite)?;
    let known = migrations::latest();
    if header.user_version > known {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: header.user_version,
            known,
        });
    }
    let blank = header.user_version == 0 && header.objects == 0;
    if header.application_id != APPLICATION_ID && !blank {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
        });
    }

    if purpose == Purpose::Read {
        if blank {
            return Err(StoreError::Empty {
                path: path.to_path_buf(),
            });
        }
        if header.user_version < known {
            return Err(StoreError::Outdated {
                path: path.to_path_buf(),
                found: header.user_version,
                known,
            });
        }
    }

    // SQLite falls back to read-only when the file is write-protected for this user.
    let read_only = conn.is_readonly(MAIN_DB).map_err(sqlite)? || purpose == Purpose::Read;
    if purpose == Purpose::Read {
        // Nothing to set up: the file is read as it is.
    } else if read_only {
        if header.user_version < known {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                detail: format!(
                    "it needs upgrading from schema version {} to {known}, which only a user who may write it can do",
                    header.user_version
                ),
            });
        }
    } else {
        enable_wal(&conn, path)?;
    }
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sqlite)?;
    // FULL: a commit is on disk before the rep sees "saved". WAL with NORMAL stays consistent
    // but may drop the last commits on power loss, and a commit here is a rep's call note.
    // FULL still allows thousands of commits a second; bulk loads commit once.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(sqlite)?;

    if !read_only {
        match migrations::migrate(&mut conn, &migrations::embedded()).map_err(sqlite)? {
            Outcome::TooNew { found } => {
                return Err(StoreError::NewerSchema {
                    path: path.to_path_buf(),
                    found,
                    known,
                });
            }
            Outcome::UpToDate | Outcome::Upgraded { .. } => {}
        }
    }
    Ok(Opened { conn, read_only })
}

/// Checks what is at `path` before SQLite sees it; returns whether the file is to be created.
fn check_path(path: &Path, create: Create) -> Result<bool, StoreError> {
    let owned = || path.to_path_buf();
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(StoreError::IsADirectory { path: owned() }),
        Ok(_) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if create == Create::Never {
                return Err(StoreError::Missing { path: owned() });
            }
            let dir = parent_dir(path);
            if !dir.is_dir() {
                return Err(StoreError::MissingDirectory { path: owned(), dir });
            }
            Ok(true)
        }
        Err(e) => Err(StoreError::PermissionDenied {
            path: owned(),
            detail: e.to_string(),
        }),
    }
}

pub(super) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A new file holds customers' personal data: readable by its owner only until someone widens
/// it on purpose. (SQLite creates files 0644 whatever the umask; the -wal and -shm files follow
/// the database's mode.)
fn restrict_new_file(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|e| {
            StoreError::PermissionDenied {
                path: path.to_path_buf(),
                detail: e.to_string(),
            }
        })?;
    }
    Ok(())
}

/// A warning when every user of the machine may read the file: it holds customers' names,
/// emails and phone numbers.
pub fn world_readable(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).ok().map(|m| m.permissions().mode());
    // Others can read the file only if they may also pass through every folder above it.
    let file = std::fs::canonicalize(path).ok()?;
    let reachable = file
        .ancestors()
        .skip(1)
        .all(|dir| mode(dir).is_some_and(|m| m & 0o001 != 0));
    (mode(&file)? & 0o004 != 0 && reachable).then(|| {
        format!(
            "{} is readable by every user of this machine, and it holds customers' personal data: chmod o-rwx it (or retain init --group GROUP)",
            path.display()
        )
    })
}

struct Header {
    application_id: i32,
    user_version: u32,
    objects: i64,
}

/// Reads the file's header and schema size; the first read fails on a file that is not SQLite.
fn read_header(conn: &Connection) -> rusqlite::Result<Header> {
    Ok(Header {
        application_id: conn.pragma_query_value(None, "application_id", |r| r.get(0))?,
        user_version: conn.pragma_query_value(None, "user_version", |r| r.get(0))?,
        objects: conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?,
    })
}

/// WAL lets readers go on while one process writes. It needs the -wal and -shm files beside the
/// database, so it fails in a directory this user cannot write.
fn enable_wal(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    // Already so (every file after its first open): asking is a read, setting it is not.
    let now: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .map_err(|e| StoreError::from_sqlite(path, e))?;
    if now.eq_ignore_ascii_case("wal") {
        return Ok(());
    }
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(|e| StoreError::from_sqlite(path, e))?;
    if mode.eq_ignore_ascii_case("wal") {
        Ok(())
    } else {
        Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
            detail: format!(
                "could not switch it to WAL mode (still {mode}); the directory {} must be writable for its -wal and -shm files",
                parent_dir(path).display()
            ),
        })
    }
}

/// When a connection of this process last found the file locked by another and waited
/// (milliseconds since the epoch): the console shows "waiting for the database" meanwhile.
static LAST_WAIT: AtomicU64 = AtomicU64::new(0);

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Set when the process is closing: a write that waits gives up at once, and what it held is
/// kept elsewhere by its caller (a console's draft at a hang-up).
static CLOSING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on no write of this process waits for another process.
pub fn closing() {
    CLOSING.store(true, Ordering::Relaxed);
}

pub(super) fn is_closing() -> bool {
    CLOSING.load(Ordering::Relaxed)
}

/// SQLite calls this while another process holds the lock: wait a little and try again, up to
/// `BUSY_TIMEOUT` in all, short naps first since most writes take milliseconds. A wait past
/// half of it is a stall, not a queue of reps (20 writers at once wait ~0.1 s): said once.
pub(super) fn wait_while_busy(tries: i32) -> bool {
    let tries = u64::try_from(tries).unwrap_or(0);
    let waited_ms = if tries < 20 {
        5 * tries
    } else {
        100 + 20 * (tries - 20)
    };
    if waited_ms >= BUSY_TIMEOUT.as_millis() as u64 || is_closing() {
        return false;
    }
    if waited_ms >= BUSY_TIMEOUT.as_millis() as u64 / 2 {
        super::wait::for_unannounced();
    }
    LAST_WAIT.store(now_millis(), Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(if tries < 20 { 5 } else { 20 }));
    true
}

/// True while some connection of this process is waiting for another process's write.
pub fn waiting_for_lock() -> bool {
    now_millis().saturating_sub(LAST_WAIT.load(Ordering::Relaxed)) < 300
}
