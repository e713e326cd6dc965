//! The console's log: what went wrong, what was slow and how long the index took, in a file of
//! the rep's own (`$XDG_STATE_HOME/retain/retain.log`, `~/.local/state/retain/retain.log`), never
//! on the terminal the console draws. `RETAIN_LOG` sets the level (error, warn, info, debug,
//! trace, off; info when unset).

use std::fs::OpenOptions;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::Mutex;

use tracing::level_filters::LevelFilter;

/// Where the log goes.
pub fn path() -> Option<PathBuf> {
    let state = dirs::state_dir().or_else(dirs::data_local_dir)?;
    Some(state.join("retain").join("retain.log"))
}

/// Starts logging to the file; what stood in the way, if anything (the console says it once
/// and goes on without a log).
pub fn start() -> Option<String> {
    let level = match std::env::var("RETAIN_LOG") {
        Err(_) => LevelFilter::INFO,
        Ok(word) => match word.trim().parse::<LevelFilter>() {
            Ok(level) => level,
            Err(_) => {
                return Some(format!(
                    "RETAIN_LOG={word:?} is not a level (error, warn, info, debug, trace or off): no log"
                ));
            }
        },
    };
    if level == LevelFilter::OFF {
        return None;
    }
    let path = path()?;
    let opened = path
        .parent()
        .map_or(Ok(()), |dir| {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
        })
        .and_then(|()| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(&path)
        });
    let file = match opened {
        Ok(file) => file,
        Err(e) => return Some(format!("no log at {}: {e}", path.display())),
    };
    let installed = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_target(false)
        .with_max_level(level)
        .try_init();
    installed
        .err()
        .map(|e| format!("no log at {}: {e}", path.display()))
}
