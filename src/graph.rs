//! `sot graph`: indicators → categories → rules → adjustments, red flags and checks marked,
//! as Graphviz DOT, Mermaid, or SVG (drawn by `sot_report::graph`); the whole protocol, one
//! item's neighbourhood (`--focus`) or one category (`--category`). The SVG is laid out by
//! Graphviz `dot` when it is installed, else by the built-in layout.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use clap::{Args, ValueEnum};
use sot_compiler::{protocol_graph, visible_files};
use sot_report::graph::{dot, mermaid, svg, Layout};

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
    /// Only this item and its neighbourhood: what it reads and what reads it (a name, or
    /// `kind:name` such as `rule:block_category_two`).
    #[arg(long, value_name = "ITEM", conflicts_with = "category")]
    focus: Option<String>,
    /// How many steps from the focused item, each way.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "focus")]
    depth: usize,
    /// Only this category: what it reads, its rules, their adjustments and checks, the red
    /// flags bound to it.
    #[arg(long, value_name = "CATEGORY")]
    category: Option<String>,
    /// Who lays out the SVG: Graphviz `dot` when installed, else the built-in layout (auto);
    /// or either one.
    #[arg(long, value_enum, default_value_t = GraphLayout::Auto)]
    layout: GraphLayout,
}

/// Formats of `sot graph`.
#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// Mermaid (renders in Markdown on GitHub and many wikis).
    Mermaid,
    /// SVG with a legend.
    Svg,
}

/// Layouts of `sot graph --format svg`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GraphLayout {
    /// Graphviz `dot` if it is installed, else the built-in layout.
    Auto,
    /// Graphviz `dot` (an error if it is not installed).
    Graphviz,
    /// The built-in layered layout.
    Builtin,
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
    let whole = protocol_graph(db, file);
    let graph = match (&args.focus, &args.category) {
        (Some(item), _) => whole.focus(item, args.depth),
        (None, Some(category)) => whole.category(category),
        (None, None) => Ok(whole),
    };
    let graph = match graph {
        Ok(graph) => graph,
        Err(message) => {
            eprintln!("sot graph: {message}");
            return ExitCode::from(2);
        }
    };
    let text = match args.format {
        GraphFormat::Dot => dot(&graph),
        GraphFormat::Mermaid => mermaid(&graph),
        GraphFormat::Svg => {
            let runner: &dyn Fn(&str) -> Option<String> = &run_dot;
            let graphviz = (args.layout != GraphLayout::Builtin).then_some(runner);
            let (text, layout) = svg(&graph, graphviz);
            if layout == Layout::BuiltIn && args.layout == GraphLayout::Graphviz {
                eprintln!("sot graph: Graphviz `dot` did not run (is graphviz installed?)");
                return ExitCode::from(2);
            }
            text
        }
    };
    out!("{text}");
    ExitCode::SUCCESS
}

/// `dot -Tplain` on `input`: its output, or `None` when it is not installed or fails.
fn run_dot(input: &str) -> Option<String> {
    let mut child = Command::new("dot")
        .arg("-Tplain")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let text = input.to_string();
    // Written from a thread, so that a large graph cannot fill both pipes at once.
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let mut output = String::new();
    let read = child
        .stdout
        .take()
        .map(|mut out| out.read_to_string(&mut output));
    let wrote = writer.join().ok().and_then(Result::ok);
    let status = child.wait().ok()?;
    (status.success() && wrote.is_some() && matches!(read, Some(Ok(_)))).then_some(output)
}
