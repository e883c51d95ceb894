//! The nesting limit is what keeps parsing inside the stack (pest's own per-call stack probe
//! is patched out, see vendor/pest_stack_guard): the deepest item allowed parses, and is
//! formatted, on a thread with half of the default 2 MiB stack in a debug build, whose frames
//! are the largest (a release build needs less than 256 KiB); one level more is E0001 before
//! pest runs.

use sot_grammar::{format_file, parse_item, MAX_NESTING};

/// A rule whose brackets nest `depth` deep: its body's braces, then parentheses.
fn nested(depth: usize) -> String {
    let depth = depth - 1;
    format!(
        "rule r {{\n  when {}not a >= 1 and b{}\n  then x\n}}\n",
        "(not ".repeat(depth),
        ")".repeat(depth)
    )
}

#[test]
fn the_deepest_item_allowed_parses_on_a_small_stack() {
    let text = nested(MAX_NESTING);
    let outcome = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            let parsed = parse_item(&text);
            (
                parsed.item.is_some(),
                parsed.errors.len(),
                format_file(&text).is_ok(),
            )
        })
        .expect("a thread")
        .join()
        .expect("no stack overflow");
    assert_eq!(outcome, (true, 0, true));
}

#[test]
fn one_level_deeper_is_refused_before_parsing() {
    let parsed = parse_item(&nested(MAX_NESTING + 1));
    assert!(parsed.item.is_none());
    assert_eq!(parsed.errors.len(), 1);
    assert!(parsed.errors[0].message.contains("nest more than 64"));
}
