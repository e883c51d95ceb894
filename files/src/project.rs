//! The project a protocol file belongs to: the folder its `use` paths are confined to, and
//! why that folder.

use std::path::{Path, PathBuf};

/// Where `use` may read, for a file and what it uses: the project root (canonical), and why
/// it is the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    root: PathBuf,
    reason: Reason,
}

/// Why a folder is a project root.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reason {
    /// It is the nearest folder above that holds this marker (`.git` or `sot.toml`).
    Marker(&'static str),
    /// No folder above holds a marker: the folder named on the command line, or the named
    /// file's own.
    Named,
    /// No folder above holds a marker: the editor's workspace folder that holds the file.
    WorkspaceFolder,
    /// No folder above holds a marker and no workspace folder holds the file: its own folder.
    OwnFolder,
}

/// The nearest folder at or above `dir` that holds `.git` or `sot.toml`, and which of them.
fn project_root(dir: &Path) -> Option<(PathBuf, &'static str)> {
    dir.ancestors().find_map(|folder| {
        [".git", "sot.toml"]
            .into_iter()
            .find(|marker| folder.join(marker).exists())
            .map(|marker| (folder.to_path_buf(), marker))
    })
}

/// `path` with symbolic links resolved, or as it is when it cannot be (it does not exist).
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl Project {
    /// The project of a path named on the command line (a file or a folder): the nearest
    /// folder above it with a marker, else the folder named or the named file's own.
    pub fn of(named: &Path) -> Project {
        let start = if named.is_dir() {
            named.to_path_buf()
        } else {
            folder_of(named)
        };
        let start = canonical(&start);
        match project_root(&start) {
            Some((root, marker)) => Project {
                root,
                reason: Reason::Marker(marker),
            },
            None => Project {
                root: start,
                reason: Reason::Named,
            },
        }
    }

    /// The project of a file an editor has open or that its workspace holds: the nearest
    /// folder above it with a marker, else the workspace folder (of `folders`) that holds it,
    /// else the file's own folder.
    pub fn of_document(file: &Path, folders: &[PathBuf]) -> Project {
        let start = canonical(&folder_of(file));
        if let Some((root, marker)) = project_root(&start) {
            return Project {
                root,
                reason: Reason::Marker(marker),
            };
        }
        let folder = folders
            .iter()
            .map(|f| canonical(f))
            .filter(|f| start.starts_with(f))
            .max_by_key(|f| f.components().count());
        match folder {
            Some(root) => Project {
                root,
                reason: Reason::WorkspaceFolder,
            },
            None => Project {
                root: start,
                reason: Reason::OwnFolder,
            },
        }
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether a `use` of `path` may be read: what it names on disk (symbolic links
    /// followed) is inside the root. `Err` holds the help of the E0103 that refuses it;
    /// `Ok(false)`: there is nothing at `path` (the `use` is a missing file).
    pub fn admits(&self, path: &Path) -> Result<bool, String> {
        let Ok(real) = path.canonicalize() else {
            return Ok(false);
        };
        if real.starts_with(&self.root) {
            Ok(true)
        } else {
            Err(self.help(&real))
        }
    }

    /// The help of E0103 for a `use` of `real`, outside the project.
    fn help(&self, real: &Path) -> String {
        let why = match self.reason {
            Reason::Marker(marker) => format!("the nearest folder above it that has `{marker}`"),
            Reason::Named => "no folder above it has `.git` or `sot.toml`, so the root is the \
                              folder named on the command line or the named file's own"
                .to_string(),
            Reason::WorkspaceFolder => "no folder above it has `.git` or `sot.toml`, so the \
                                        root is the editor's workspace folder that holds it"
                .to_string(),
            Reason::OwnFolder => "no folder above it has `.git` or `sot.toml` and no workspace \
                                  folder holds it, so the root is its own folder"
                .to_string(),
        };
        format!(
            "`use` reads only files inside the project root `{}` ({why}); `{}` is not \
             inside it. Put a `sot.toml` in a folder that holds both files to make it the root",
            self.root.display(),
            real.display()
        )
    }
}
