//! Files retain writes outside the database (exports, rejects, a rep's text that the database
//! could not take) and text the command line sends to a terminal.
//!
//! A file holds customers' data, so it is created readable by its owner only, whatever the umask,
//! and never through a symbolic link: in a shared folder another user could plant
//! `weekly.csv -> ~amara/.bashrc` and have amara's export overwrite her shell's start-up file.
//! The rows go to a new file beside the target (created exclusively, so nothing planted can be
//! opened in its place), which is renamed over the target once whole: a reader never sees half an
//! export, and a failed one leaves what was there.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A private file being written; `commit` puts it at its path.
pub struct PrivateFile {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl PrivateFile {
    pub fn create(path: &Path) -> Result<PrivateFile> {
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => bail!(
                "{} is a symbolic link; retain does not write through links (remove it, or choose another path)",
                path.display()
            ),
            Ok(meta) if !meta.is_file() => bail!(
                "{} is not a regular file; choose another path",
                path.display()
            ),
            _ => {}
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !dir.is_dir() {
            bail!(
                "cannot write {}: the folder {} does not exist",
                path.display(),
                dir.display()
            );
        }
        // tempfile creates with O_EXCL and mode 0600.
        let tmp = tempfile::Builder::new()
            .prefix(".retain-")
            .suffix(".part")
            .tempfile_in(dir)
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot write {}: {} in the folder {}",
                    path.display(),
                    match e.kind() {
                        std::io::ErrorKind::PermissionDenied => "no permission to create a file",
                        _ => "a file cannot be created",
                    },
                    dir.display()
                )
            })?;
        Ok(PrivateFile {
            tmp,
            path: path.to_path_buf(),
        })
    }

    /// Makes the whole file the one at its path.
    pub fn commit(mut self) -> Result<()> {
        self.tmp.flush()?;
        self.tmp.as_file().sync_all()?;
        self.tmp
            .persist(&self.path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

impl Write for PrivateFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tmp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tmp.flush()
    }
}

/// Passes whole lines on, each made terminal-safe: an export read on a terminal rather than piped
/// to a file must not let a stored escape sequence drive it.
pub struct TerminalLines<W: Write> {
    out: W,
    pending: Vec<u8>,
}

impl<W: Write> TerminalLines<W> {
    pub fn new(out: W) -> TerminalLines<W> {
        TerminalLines {
            out,
            pending: Vec::new(),
        }
    }
}

impl<W: Write> Write for TerminalLines<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(end) = self.pending.iter().rposition(|&b| b == b'\n') {
            let lines: Vec<u8> = self.pending.drain(..=end).collect();
            let text = String::from_utf8_lossy(&lines);
            self.out
                .write_all(crate::display::terminal_text(&text).as_bytes())?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            let text = String::from_utf8_lossy(&rest);
            self.out
                .write_all(crate::display::terminal_text(&text).as_bytes())?;
        }
        self.out.flush()
    }
}

/// The files this process kept a rep's text in, to be said again as the console closes (what
/// was kept while it closed was said to no one).
static KEPT: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Where this process kept text the database could not take.
pub fn kept_unsaved() -> Vec<PathBuf> {
    KEPT.lock().map(|kept| kept.clone()).unwrap_or_default()
}

/// A kept file whose text a later one holds whole: removed, and not named as the console
/// closes.
pub fn forget_unsaved(path: &Path) {
    if let Ok(mut kept) = KEPT.lock() {
        kept.retain(|p| p != path);
    }
    let _ = std::fs::remove_file(path);
}

/// Keeps a rep's text that the database could not take (its file was deleted or replaced, its
/// server out of reach) in a private file under the state folder
/// (`$XDG_STATE_HOME/retain/unsaved/`), and says where.
pub fn keep_unsaved(db: &Path, account_id: i64, text: &str) -> Result<PathBuf> {
    let Some(state) = dirs::state_dir().or_else(dirs::data_local_dir) else {
        bail!("no state folder to keep the text in (is $HOME set?)");
    };
    let dir = state.join("retain").join("unsaved");
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let stem = db
        .file_stem()
        .map_or("retain".into(), |s| s.to_string_lossy().into_owned());
    let at = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f");
    let path = dir.join(format!("{stem}-account-{account_id}-{at}.txt"));
    let mut file = PrivateFile::create(&path)?;
    file.write_all(text.as_bytes())?;
    file.commit()?;
    if let Ok(mut kept) = KEPT.lock() {
        kept.push(path.clone());
    }
    Ok(path)
}
