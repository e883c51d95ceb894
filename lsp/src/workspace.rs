//! The workspace on disk: the folders the client opened, every `*.sot` below them (as
//! `.gitignore` and the other ignore files say, with the `ignore` crate's walker), and reading
//! one file from disk as the command line does (`sot_files`). The server loads what is not
//! open into the database, so rename and references reach files no editor shows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sot_compiler::{normalize, Database};
use sot_files::Project;
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

/// The text of the protocol file at `path` on disk, read as the command line reads it
/// ([`sot_files::read_source`]: a regular file within the size limit, protocol text, a byte
/// order mark dropped); otherwise why not, for the client's log.
pub(crate) fn read(path: &Path) -> Result<String, String> {
    sot_files::read_source(path).map_err(|error| match error {
        sot_files::ReadError::Io(message) => message,
        sot_files::ReadError::Content(problem) => {
            format!("`{}` not read: {problem}", path.display())
        }
    })
}

/// Loads what the loaded files `use` and is not loaded yet from disk, confined as the
/// command line confines it: a `use` reads only inside the project of the file that names it
/// ([`Project::of_document`]: the nearest folder with `.git` or `sot.toml`, else the workspace
/// folder that holds the file, else its own folder; a file read for a `use` belongs to the
/// project of the file that named it), and one outside is E0103 "outside the project". A
/// file that cannot be read stays missing (E0103 in the file that uses it), and `skipped`
/// says why. `projects` keeps each loaded file's project between calls.
pub(crate) fn load_uses(
    db: &mut Database,
    folders: &[PathBuf],
    projects: &mut HashMap<PathBuf, Project>,
    skipped: &mut Vec<String>,
) {
    db.load_uses_from(|db, from, path| {
        let project = projects
            .entry(from.to_path_buf())
            .or_insert_with(|| Project::of_document(from, folders))
            .clone();
        if let Err(help) = project.admits(path) {
            return db.refuse_use(path, help);
        }
        match read(path) {
            Ok(text) => {
                db.set_file(path, text);
                projects.entry(normalize(path)).or_insert(project);
            }
            Err(why) => skipped.push(why),
        }
    });
}
