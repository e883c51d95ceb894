//! Loading `.sot` files for a command: [`sot_files::load`] with the problems said on
//! standard error and turned into exit statuses.

use std::path::{Path, PathBuf};

use sot_compiler::SourceFile;
pub use sot_files::load::{is_stdin, load, sot_files, Loaded, STDIN_NAME};
pub use sot_files::{read_source_marked, read_stdin, read_text, ReadError};

/// Loads one protocol file (and what it uses) for a command that works on one file; when it
/// cannot, says why and gives the exit status (2: I/O, 1: not UTF-8).
pub fn load_one(path: &Path) -> Result<(Loaded, SourceFile), std::process::ExitCode> {
    let loaded = load(&[path.to_path_buf()]).map_err(|message| {
        eprintln!("error: {message}");
        std::process::ExitCode::from(2)
    })?;
    for message in &loaded.io_errors {
        eprintln!("error: {message}");
    }
    for (path, problem) in &loaded.not_text {
        eprintln!("error[E0001]: `{}` is {problem}", path.display());
    }
    match loaded.roots.first().copied() {
        Some(file) => Ok((loaded, file)),
        None if !loaded.io_errors.is_empty() => Err(std::process::ExitCode::from(2)),
        None => Err(std::process::ExitCode::from(1)),
    }
}

/// Loads the files at `paths` (the current folder when there are none) for a command that
/// works on many files; when a path does not exist, says so and gives exit status 2.
pub fn load_paths(paths: &[PathBuf]) -> Result<Loaded, std::process::ExitCode> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    load(paths).map_err(|message| {
        eprintln!("error: {message}");
        std::process::ExitCode::from(2)
    })
}

/// Loads one protocol file as [`load_one`] does, but with `text` as the file's text instead
/// of what is on disk (an earlier version of it: `sot diff --git`); the files it uses are
/// read from disk.
pub fn load_one_as(
    path: &Path,
    text: String,
) -> Result<(Loaded, SourceFile), std::process::ExitCode> {
    let (mut loaded, _) = load_one(path)?;
    let file = sot_files::load::replace_text(&mut loaded, path, text);
    Ok((loaded, file))
}
