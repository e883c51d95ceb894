//! `sot schema`: the JSON Schema of case data for a protocol.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sot_compiler::{lower_file, visible_files};

use crate::check::print_errors;
use crate::load::load_one;

/// Arguments of `sot schema`.
#[derive(Args)]
pub struct SchemaArgs {
    /// The protocol file.
    file: PathBuf,
}

/// Runs `sot schema`.
pub fn run(args: &SchemaArgs, color: bool) -> ExitCode {
    let (loaded, file) = match load_one(&args.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let db = &loaded.db;
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
