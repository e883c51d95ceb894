//! The sot interpreter: evaluates the cases of a lowered program (`sot_ir`) visit by visit,
//! explains every recommendation (the data that `sot_report` renders), checks `expect`
//! lines, and describes case data as a JSON Schema.
//!
//! Architecture invariant: this crate depends on `sot-ir` only of sot's crates: nothing of
//! the compiler's syntax trees, salsa database or diagnostics, and no renderer.

pub mod condition;
pub mod diff;
pub mod evaluate;
pub mod expect;
pub mod explain;
pub mod practice;
pub mod schema;
pub mod visit;
pub mod why;
