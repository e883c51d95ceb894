//! Writing files without losing them: the new contents go to a temporary file in the same
//! folder, which is flushed to disk and renamed over the destination, so that a failure at
//! any point leaves the destination as it was.

use std::fs::{File, OpenOptions, Permissions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary file beside `path` that [`replace`] writes first.
pub fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.sot-tmp"))
}

/// Writes `contents` to `path` through a temporary file in the same folder (flushed, then
/// renamed over `path`), with `permissions` when given. `path` itself is replaced, never
/// written through: when it is a symbolic link, the link is replaced (callers that mean the
/// target resolve it first, callers that must not replace a link refuse it first). On an
/// error, `path` is unchanged and the temporary file is removed.
pub fn replace(
    path: &Path,
    contents: &[u8],
    permissions: Option<Permissions>,
) -> std::io::Result<()> {
    let temporary = temporary_path(path);
    // A stale temporary file (or a link there) from an interrupted run: removed, not followed.
    if let Ok(metadata) = std::fs::symlink_metadata(&temporary) {
        if !metadata.is_dir() {
            std::fs::remove_file(&temporary)?;
        }
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)?;
    let written = write_all(&mut file, contents, permissions)
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    } else if let Some(folder) = path.parent() {
        // The rename itself on disk (best effort: not every system can open a folder).
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        if let Ok(folder) = File::open(folder) {
            let _ = folder.sync_all();
        }
    }
    written
}

fn write_all(
    file: &mut File,
    contents: &[u8],
    permissions: Option<Permissions>,
) -> std::io::Result<()> {
    file.write_all(contents)?;
    if let Some(permissions) = permissions {
        file.set_permissions(permissions)?;
    }
    file.sync_all()
}
