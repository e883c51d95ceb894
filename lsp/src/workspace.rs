//! The workspace on disk: the folders the client opened, every `*.sot` below them (as
//! `.gitignore` and the other ignore files say, with the `ignore` crate's walker), and reading
//! one file from disk within the compiler's limits. The server loads what is not open into the
//! database, so rename and references reach files no editor shows.

use std::path::{Path, PathBuf};

use sot_compiler::{normalize, Database, MAX_FILE_BYTES};
use tower_lsp_server::ls_types::{InitializeParams, Uri};

/// The folders of the workspace: `workspaceFolders`, else `rootUri`, else `rootPath`; only
/// those with a file path.
#[allow(deprecated)] // rootUri and rootPath: the fallback of older clients.
pub(crate) fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    let path = |uri: &Uri| uri.to_file_path().map(|p| p.into_owned());
    if let Some(folders) = params.workspace_folders.as_ref().filter(|f| !f.is_empty()) {
        return folders.iter().filter_map(|f| path(&f.uri)).collect();
    }
    if let Some(root) = params.root_uri.as_ref().and_then(path) {
        return vec![root];
    }
    params
        .root_path
        .as_ref()
        .map(PathBuf::from)
        .into_iter()
        .collect()
}

/// Every `*.sot` regular file below `roots`, skipping what ignore files (`.gitignore`, also
/// outside a git repository, `.ignore`, the global git excludes) leave out and hidden folders;
/// symbolic links are not followed. Folders that cannot be read are reported in `skipped`.
pub(crate) fn sot_files(roots: &[PathBuf], skipped: &mut Vec<String>) -> Vec<PathBuf> {
    let Some((first, rest)) = roots.split_first() else {
        return Vec::new();
    };
    let mut walk = ignore::WalkBuilder::new(first);
    for root in rest {
        walk.add(root);
    }
    walk.require_git(false).follow_links(false);
    let mut found = Vec::new();
    for entry in walk.build() {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && entry.path().extension().is_some_and(|e| e == "sot") {
                    found.push(normalize(entry.path()));
                }
            }
            Err(error) => skipped.push(format!("workspace scan: {error}")),
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The text of the file at `path` on disk: a regular file of at most [`MAX_FILE_BYTES`], in
/// UTF-8; otherwise why not.
pub(crate) fn read(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("`{shown}` not read: {e}"))?;
    if !meta.is_file() {
        return Err(format!("`{shown}` not read: not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(format!(
            "`{shown}` not read: larger than {} MiB",
            MAX_FILE_BYTES >> 20
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("`{shown}` not read: {e}"))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "`{shown}` not read: larger than {} MiB",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("`{shown}` not read: not UTF-8"))
}

/// Loads what the loaded files `use` and is not loaded yet from disk; a file that cannot be
/// read stays missing (E0103 in the file that uses it), and `skipped` says why.
pub(crate) fn load_uses(db: &mut Database, skipped: &mut Vec<String>) {
    db.load_uses(|db, path| match read(path) {
        Ok(text) => {
            db.set_file(path, text);
        }
        Err(why) => skipped.push(why),
    });
}
