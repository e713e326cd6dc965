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

/// Gives the database file (and its -wal and -shm files, when there) to `group`, readable and
/// writable by it and no one else. SQLite creates the -wal and -shm files anew with the
/// database's mode but the creating rep's own group, so the folder must hand its group down
/// (setgid): said in the returned advice when it does not.
pub fn share_with_group(db: &std::path::Path, group: &str) -> Result<Option<String>> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let gid = group_id(group)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        if suffix.is_empty() || path.exists() {
            std::os::unix::fs::chown(&path, None, Some(gid)).with_context(|| {
                format!(
                    "cannot give {} to the group {group} (you must own the file and be in the group)",
                    path.display()
                )
            })?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o660))
                .with_context(|| format!("cannot set the mode of {}", path.display()))?;
        }
    }
    let dir = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let meta = std::fs::metadata(&dir).with_context(|| format!("cannot read {}", dir.display()))?;
    let hands_down = meta.gid() == gid && meta.mode() & 0o2000 != 0;
    Ok((!hands_down).then(|| {
        format!(
            "the folder {dir} must let the group create the -wal and -shm files with its group: chgrp {group} {dir} && chmod 2770 {dir}",
            dir = dir.display()
        )
    }))
}

/// The id of a group by name.
pub(super) fn group_id(group: &str) -> Result<u32> {
    let name = std::ffi::CString::new(group).context("a group name has no NUL byte")?;
    // SAFETY: getgrnam_r writes only into the buffers passed to it; the result is read only
    // when it reports success and a non-null pointer.
    unsafe {
        let mut grp: libc::group = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 16384];
        let mut result: *mut libc::group = std::ptr::null_mut();
        let rc = libc::getgrnam_r(
            name.as_ptr(),
            &mut grp,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc == 0 && !result.is_null() {
            Ok(grp.gr_gid)
        } else {
            bail!("there is no group {group:?} on this machine (getent group lists them)")
        }
    }
}
