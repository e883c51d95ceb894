//! sot's stand-in for `pest_stack_guard` (pest's per-rule native stack probe), patched in
//! through `[patch.crates-io]` in the workspace manifest.
//!
//! pest asks for the remaining native stack before every rule call so that deeply nested
//! input fails instead of overflowing. In `sot` that depth is bounded before pest ever runs:
//! `sot-grammar` refuses an item nested deeper than 64 levels with E0001 (tested with
//! 100,000 open parentheses and 100,000 `not`s, and fuzzed), and the grammar's only recursion
//! is through such nesting: the deepest item allowed parses and formats in less than 256 KiB
//! of stack in a release build and 1 MiB in a debug build (`grammar/tests/nesting.rs`);
//! threads get 2 MiB. The probe cost about a fifth of all parsing time (a thread-local
//! read and a stack-pointer read per rule call), so this crate answers "unknown", which pest
//! treats as "no stack limit to enforce".

/// The remaining native stack in bytes: never known here (see the crate documentation).
#[inline]
pub fn remaining_stack() -> Option<usize> {
    None
}
