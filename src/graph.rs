//! `sot graph`: indicators → categories → rules → adjustments, red flags and checks marked,
//! as Graphviz DOT, Mermaid, or SVG (drawn by `sot_report::graph`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use sot_compiler::{protocol_graph, visible_files};
use sot_report::graph::{dot, mermaid, svg};

use crate::check::print_errors;
use crate::load::load_one;

/// Arguments of `sot graph`.
#[derive(Args)]
pub struct GraphArgs {
    /// The protocol file.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
}

/// Formats of `sot graph`.
#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid (renders in Markdown on GitHub and many wikis).
    Mermaid,
    /// SVG, laid out without Graphviz.
    Svg,
}

/// Runs `sot graph`.
pub fn run(args: &GraphArgs, color: bool) -> ExitCode {
    let (loaded, file) = match load_one(&args.file) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let db = &loaded.db;
    if print_errors(db, visible_files(db, file), color) > 0 {
        eprintln!("sot graph: fix the errors first");
        return ExitCode::from(1);
    }
    let graph = protocol_graph(db, file);
    let text = match args.format {
        GraphFormat::Dot => dot(&graph),
        GraphFormat::Mermaid => mermaid(&graph),
        GraphFormat::Svg => svg(&graph),
    };
    out!("{text}");
    ExitCode::SUCCESS
}
