//! Where the database lives when `--db` and `$RETAIN_DB` say nothing.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

/// `~/.local/share/retain/retain.db` (or `demo.db`), creating the folder, private to this user,
/// on first use.
pub fn default_db(demo: bool) -> Result<PathBuf> {
    let Some(data) = dirs::data_dir() else {
        bail!("cannot tell where your data directory is (is $HOME set?); pass --db PATH");
    };
    let dir = data.join("retain");
    if !dir.is_dir() {
        create_private_dir(&dir)
            .with_context(|| format!("cannot create {}; pass --db PATH", dir.display()))?;
    }
    Ok(dir.join(if demo { "demo.db" } else { "retain.db" }))
}

fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}
