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
            match std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, text)) {
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
