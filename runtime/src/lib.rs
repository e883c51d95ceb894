//! The sot interpreter: evaluates the cases of a lowered program (`sot_compiler::ir`) visit
//! by visit, explains every recommendation, checks `expect` lines, and writes reports.
//!
//! Architecture invariant: this crate knows only the IR of the compiler (`sot_compiler::ir`),
//! nothing of its syntax trees, salsa database or diagnostics.

pub mod evaluate;
pub mod expect;
pub mod explain;
pub mod report;
pub mod schema;
pub mod visit;
