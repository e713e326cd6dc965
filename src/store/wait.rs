//! Waiting for another process's long write (an import), told to whoever waits: the console
//! shows it in its footer, the command line says it once on stderr.

use std::sync::{Mutex, OnceLock};

use super::RunHolder;

/// What this process waits for now, if it waits for an announced long write.
static WAITING: Mutex<Option<String>> = Mutex::new(None);

/// Called with a sentence once each time a wait starts that a person should hear of (the
/// command line prints it).
static NOTIFY: OnceLock<fn(&str)> = OnceLock::new();

/// Has `notify` told of each long write this process starts to wait for.
pub fn on_long_wait(notify: fn(&str)) {
    let _ = NOTIFY.set(notify);
}

/// "the import of accounts.csv by amara (since 09:31 UTC)" while a write of this process waits
/// for it.
pub fn long_wait() -> Option<String> {
    WAITING.lock().ok()?.clone()
}

pub(super) fn for_long_write(holder: &RunHolder) {
    let text = format!(
        "{} by {} (since {})",
        holder.what,
        holder.os_user,
        holder.started_at.format("%H:%M")
    );
    let Ok(mut waiting) = WAITING.lock() else {
        return;
    };
    if waiting.as_deref() != Some(text.as_str()) {
        if let Some(notify) = NOTIFY.get() {
            notify(&format!(
                "waiting for {text} to finish; this goes through when it does"
            ));
        }
        *waiting = Some(text);
    }
}

thread_local! {
    /// True while this thread runs a write transaction's tries (`Store::write`).
    static IN_WRITE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

pub(super) fn writing(on: bool) {
    IN_WRITE.with(|w| w.set(on));
}

/// Another process has held the lock for a while and said nothing of it (a `sqlite3` shell, a
/// script): said once, for writes only, which are what wait for it. (The console shows its own
/// "waiting for the database…".)
pub(super) fn for_unannounced() {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !IN_WRITE.with(std::cell::Cell::get) || SAID.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        return;
    }
    if let Some(notify) = NOTIFY.get() {
        notify(&format!(
            "another process holds the database's write lock; this gives up after {} s in all",
            super::BUSY_TIMEOUT.as_secs()
        ));
    }
}

/// Whether a write waits for a lost server as long as it takes (the console, until it closes).
static WAIT_FOREVER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on a write of this process waits for a lost server for as long as it takes.
pub fn wait_for_server_forever() {
    WAIT_FOREVER.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// How long a command's write waits for a lost server to come back, in seconds: half a
/// minute, or `RETAIN_SERVER_WAIT`.
fn patience() -> u64 {
    if WAIT_FOREVER.load(std::sync::atomic::Ordering::Relaxed) {
        return u64::MAX;
    }
    static SET: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SET.get_or_init(|| {
        std::env::var("RETAIN_SERVER_WAIT")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(30)
    })
}

/// Whether a write that began at `started` still waits for its lost server; said once.
pub(super) fn for_server(started: std::time::Instant) -> bool {
    if started.elapsed().as_secs() >= patience() {
        return false;
    }
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        if let Some(notify) = NOTIFY.get() {
            notify(
                "the connection to the server is lost: reconnecting; this goes through when it is back",
            );
        }
    }
    true
}

pub(super) fn done() {
    writing(false);
    if let Ok(mut waiting) = WAITING.lock() {
        *waiting = None;
    }
}
