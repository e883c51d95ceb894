//! `sot doc`: the handbook of a protocol, as Markdown or one self-contained HTML page.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sot_compiler::{lower_file, visible_files};
use sot_report::handbook::{handbook_html, handbook_markdown};

use crate::check::print_errors;
use crate::load::load_one;

/// Arguments of `sot doc`.
#[derive(Args)]
pub struct DocArgs {
    /// The protocol file.
    file: PathBuf,
    /// Write the handbook into this folder (as `<file>.md` or `<file>.html`) instead of
    /// printing it.
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// With `-o`: replace a handbook that is already there (never an input file, never
    /// through a symbolic link).
    #[arg(long, requires = "output")]
    force: bool,
    /// Markdown, or one self-contained HTML page.
    #[arg(long, value_enum, default_value_t = DocFormat::Markdown)]
    format: DocFormat,
}

/// Formats of `sot doc`.
#[derive(Clone, Copy, ValueEnum)]
enum DocFormat {
    /// Markdown.
    Markdown,
    /// One HTML page, no external assets.
    Html,
}

/// Runs `sot doc`.
pub fn run(args: &DocArgs, color: bool) -> ExitCode {
    let (loaded, file) = match load_one(&args.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let db = &loaded.db;
    if lower_file(db, file).is_none() {
        print_errors(db, visible_files(db, file), color);
        eprintln!("sot doc: fix the errors first");
        return ExitCode::from(1);
    }
    let markdown = handbook_markdown(db, file);
    let (text, extension) = match args.format {
        DocFormat::Markdown => (markdown, "md"),
        DocFormat::Html => (handbook_html(&markdown), "html"),
    };
    match &args.output {
        None => {
            out!("{text}");
            ExitCode::SUCCESS
        }
        Some(dir) => {
            let stem = args
                .file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("handbook");
            let path = dir.join(format!("{stem}.{extension}"));
            let inputs: Vec<&std::path::Path> = visible_files(db, file)
                .iter()
                .map(|f| f.path(db).as_path())
                .collect();
            if let Err(message) = check_destination(&path, &inputs, args.force) {
                eprintln!("error: not writing `{}`: {message}", path.display());
                return ExitCode::from(2);
            }
            match std::fs::create_dir_all(dir)
                .and_then(|_| crate::write::replace(&path, text.as_bytes(), None))
            {
                Ok(()) => {
                    eprintln!("wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: cannot write `{}`: {e}", path.display());
                    ExitCode::from(2)
                }
            }
        }
    }
}

/// Whether the handbook may be written at `path`: never over one of the protocol's files
/// (`inputs`), never when `path` is a symbolic link, and over an existing file only with
/// `--force`.
fn check_destination(
    path: &std::path::Path,
    inputs: &[&std::path::Path],
    force: bool,
) -> Result<(), String> {
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return Ok(()); // nothing there
    };
    if metadata.file_type().is_symlink() {
        return Err("it is a symbolic link; `sot doc` does not write through links".into());
    }
    if !metadata.is_file() {
        return Err("something that is not a regular file is there".into());
    }
    let destination = path.canonicalize().map_err(|e| e.to_string())?;
    if inputs
        .iter()
        .any(|input| input.canonicalize().is_ok_and(|i| i == destination))
    {
        return Err("it is one of the protocol's own files".into());
    }
    if !force {
        return Err("the file exists; pass `--force` to replace it".into());
    }
    Ok(())
}
