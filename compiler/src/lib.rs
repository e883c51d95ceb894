//! The sot compiler: a salsa database over source files, name resolution, type checking and
//! diagnostics.
//!
//! Architecture invariant: no IO (the edges load files into the [`Database`]), nothing of the
//! terminal or the language server; diagnostics are values.

mod case_json;
mod check;
mod db;
mod diagnostic;
pub mod ir;
mod line_index;
mod lower;
mod resolve;
mod types;

pub use case_json::json_cases;
pub use check::{check_item, file_diagnostics, ItemCheck};
pub use db::{file_items, normalize, parse_item, Database, EventLog, Item, SourceFile, Workspace};
pub use diagnostic::{Code, Diagnostic, Label, Severity};
pub use line_index::{LineColumn, LineIndex};
pub use lower::lower_file;
pub use resolve::{file_scope, file_uses, visible_files, Namespace, Scope, ValueDef};
pub use types::Ty;
