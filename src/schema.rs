//! `sot schema`: the JSON Schema of case data for a protocol (`sot schema FILE`), or of the
//! JSON that `sot run`, `sot check`, `sot test` and `sot diff` print (`sot schema --output run`). The
//! output schemas are derived from the very types that are serialised, so they cannot drift.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use schemars::generate::SchemaSettings;
use schemars::transform::{RecursiveTransform, Transform};
use schemars::{JsonSchema, Schema};
use serde::Serialize;
use sot_compiler::{lower_file, visible_files};
use sot_runtime::diff::ProtocolDiff;
use sot_runtime::explain::CaseReport;

use crate::check::print_errors;
use crate::load::load_one;
use crate::report::DiagnosticJson;
use crate::test::TestJson;

/// Arguments of `sot schema`.
#[derive(Args)]
pub struct SchemaArgs {
    /// The protocol file whose case data (`sot run FILE --cases DATA.json`) to describe.
    #[arg(required_unless_present = "output", conflicts_with = "output")]
    file: Option<PathBuf>,
    /// Instead: the JSON Schema of a command's `--format json` output.
    #[arg(long, value_enum, value_name = "COMMAND")]
    output: Option<Output>,
}

/// The commands whose JSON output has a schema.
#[derive(Clone, Copy, ValueEnum)]
enum Output {
    /// `sot run --format json`: a report per case.
    Run,
    /// `sot check --format json`: an array of diagnostics.
    Check,
    /// `sot test --format json`: every expectation, the problems, the totals.
    Test,
    /// `sot diff --format json`: the items added and removed, the visits that change.
    Diff,
}

/// `sot run --format json` (the shape `sot_report::run::json` prints).
#[derive(Serialize, JsonSchema)]
#[schemars(title = "sot run --format json")]
struct RunJson {
    /// A report per case run, in order.
    cases: Vec<CaseReport>,
}

/// `sot check --format json`: every diagnostic of the files checked.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "sot check --format json")]
struct CheckJson(Vec<DiagnosticJson>);

/// Runs `sot schema`.
pub fn run(args: &SchemaArgs, color: bool) -> ExitCode {
    let schema = match (args.output, &args.file) {
        (Some(output), _) => serde_json::to_value(output_schema(output)),
        (None, Some(path)) => {
            let (loaded, file) = match load_one(path) {
                Ok(loaded) => loaded,
                Err(code) => return code,
            };
            let db = &loaded.db;
            let Some(program) = lower_file(db, file) else {
                print_errors(db, visible_files(db, file), color);
                return ExitCode::from(1);
            };
            Ok(sot_runtime::schema::case_schema(program))
        }
        (None, None) => {
            eprintln!("error: name a protocol file, or `--output run|check|test|diff`");
            return ExitCode::from(2);
        }
    };
    match schema.and_then(|schema| serde_json::to_string_pretty(&schema)) {
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

/// The JSON Schema (draft 2020-12) of a command's JSON output.
fn output_schema(output: Output) -> Schema {
    let generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(RecursiveTransform(Closed))
        .into_generator();
    match output {
        Output::Run => generator.into_root_schema_for::<RunJson>(),
        Output::Check => generator.into_root_schema_for::<CheckJson>(),
        Output::Test => generator.into_root_schema_for::<TestJson>(),
        Output::Diff => generator.into_root_schema_for::<ProtocolDiff>(),
    }
}

/// Makes every object with named properties closed (`additionalProperties: false`): the
/// output has those fields and no others, so a field renamed or added without its type
/// changing is caught by the schema.
#[derive(Clone)]
struct Closed;

impl Transform for Closed {
    fn transform(&mut self, schema: &mut Schema) {
        if schema.get("properties").is_some() && schema.get("additionalProperties").is_none() {
            schema.insert("additionalProperties".into(), false.into());
        }
    }
}
