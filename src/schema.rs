//! `sot schema`: the JSON Schema of case data for a protocol.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sot_compiler::{lower_file, visible_files};

use crate::check::print_errors;
use crate::load::load;

/// Arguments of `sot schema`.
#[derive(Args)]
pub struct SchemaArgs {
    /// The protocol file.
    file: PathBuf,
}

/// Runs `sot schema`.
pub fn run(args: &SchemaArgs, color: bool) -> ExitCode {
    let loaded = match load(std::slice::from_ref(&args.file)) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let db = &loaded.db;
    let Some(file) = loaded.roots.first().copied() else {
        eprintln!(
            "error: cannot read `{}` as a UTF-8 protocol file",
            args.file.display()
        );
        return ExitCode::from(1);
    };
    let Some(program) = lower_file(db, file) else {
        print_errors(db, visible_files(db, file), color);
        return ExitCode::from(1);
    };
    let schema = sot_runtime::schema::case_schema(program);
    match serde_json::to_string_pretty(&schema) {
        Ok(text) => {
            outln!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
