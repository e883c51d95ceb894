//! The evaluation workload compiled as native Rust (written by `build.rs`): typed fields,
//! straight-line comparisons, no interpretation. The physical limit.

// Generated code: one `if` per rule, as written; not style-checked.
#![allow(clippy::all)]

include!(concat!(env!("OUT_DIR"), "/native.rs"));
