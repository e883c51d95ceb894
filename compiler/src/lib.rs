//! The sot compiler: a salsa database over source files, name resolution, type checking and
//! diagnostics.
//!
//! Architecture invariant: no IO (the edges load files into the [`Database`]), nothing of the
//! terminal or the language server; diagnostics are values.

mod analyse;
mod case_json;
mod check;
mod db;
mod diagnostic;
mod foreign_cases;
mod graph;
mod graph_views;
mod line_index;
mod lower;
mod resolve;
mod types;

// The IR lives in its own crate (the runtime needs it without the compiler); the
// compiler lowers into it under its old paths.
use sot_ir::{self as ir, eval};

pub use analyse::exercise::{exercise_rule, show_finding, Strictness};
/// A question's answer, and why one was not decided (the analyses' solver).
pub use analyse::solver::{Answer, Undecided};
pub use analyse::{category_overlaps, compare_programs, file_analyses};
/// The analyses' questions, for the tests that hold the solver to the search (its oracle).
#[doc(hidden)]
pub use analyse::{
    search::search as oracle_search,
    solver::{Solver, Want},
};
pub use case_json::json_cases;
pub use check::{check_item, file_diagnostics, syntax_code, ItemCheck};
pub use db::{
    chunk_items, file_items, item_tokens, normalize, parse_in_parallel, parse_item, Chunk,
    Database, EventLog, Item, ItemHead, SourceFile, Workspace, MAX_FILE_BYTES,
};
pub use diagnostic::{did_you_mean, Code, Diagnostic, Label, Severity};
pub use foreign_cases::foreign_cases;
pub use graph::{kind_word, protocol_graph, Edge, Node, NodeKind, ProtocolGraph};
pub use line_index::{file_line_index, Encoding, LineColumn, LineIndex};
pub use lower::lower_file;
pub use resolve::{file_scope, file_uses, visible_files, Namespace, Scope, ValueDef};
pub use types::{domain_size, vertebra_name, Ty};

/// Every diagnostic of a file: the checker's, then (when it has no errors) the static
/// analyses', in source order. This is what `sot check` reports.
pub fn all_diagnostics(db: &dyn salsa::Database, file: SourceFile) -> Vec<Diagnostic> {
    let mut out = file_diagnostics(db, file).clone();
    out.extend(file_analyses(db, file).iter().cloned());
    out.sort_by_key(|d| (d.primary.span.start, d.code));
    out
}

/// Whether a name is a vertebra (`T4`, `sacrum`).
pub fn types_vertebra(name: &str) -> bool {
    types::vertebra_index(name).is_some()
}
