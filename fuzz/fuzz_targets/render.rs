//! The diagnostics renderer of the command line (the very `src/report.rs` the binary uses)
//! on any text: every diagnostic the checker finds, and one more at a span taken from the
//! input (long lines, columns past 65,536, spans of any length), is drawn
//! by miette in colour and without, and as JSON, without a panic; the graphical report names
//! the diagnostic's code.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sot_compiler::{all_diagnostics, Code, Database, Diagnostic, LineIndex};
use sot_grammar::ast::Span;

#[path = "../../src/report.rs"]
#[allow(dead_code)]
mod report;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (head, rest) = data.split_at(4);
    let Ok(text) = std::str::from_utf8(rest) else { return };
    // Long lines are what the renderer must survive: widen one at random.
    let mut text = text.to_string();
    if head[0] % 8 == 1 {
        let at = (usize::from(head[1]) << 8 | usize::from(head[2])) % (text.len() + 1);
        if text.is_char_boundary(at) {
            text.insert_str(at, &" ".repeat(70_000));
        }
    }
    let mut db = Database::default();
    let path = Path::new("fuzz.sot");
    let file = db.set_file(path, text.clone());
    let mut diagnostics = all_diagnostics(&db, file);
    // Inside the text on character boundaries, as the checker's spans are (the `check`
    // target asserts it).
    let boundary = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at as u32
    };
    let start = boundary((usize::from(head[1]) << 16 | usize::from(head[2]) << 8 | usize::from(head[3])) % (text.len() + 1));
    let end = boundary(start as usize + usize::from(head[3]));
    diagnostics.push(
        Diagnostic::new(Code::E0001, Span { start, end }, "a span from the input")
            .with_secondary(Span { start: end, end }, "and another"),
    );
    let index = LineIndex::new(&text);
    for renderer in [report::Renderer::new(false), report::Renderer::new(true)] {
        for d in &diagnostics {
            let out = renderer.render(path, &text, d);
            assert!(out.contains(d.code.as_str()), "{out}");
            let _ = report::json(path, &text, &index, d);
        }
    }
});
