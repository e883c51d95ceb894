//! Hover: the declaration and doc comment of the name under the cursor, or what a word of
//! LANGUAGE.md §7 means (`coexist`, the urgency words, `ruled_out`, `not_ruled_out`,
//! `history`, `previous`, `untestable`), as Markdown or as plain text, whichever the client
//! prefers.

use tower_lsp_server::ls_types::*;

use crate::analysis::{self, definitions, resolve};
use crate::{offset, Snapshot};

/// The hover of the name at `p`.
pub(crate) fn hover(s: &Snapshot, p: TextDocumentPositionParams) -> Option<Hover> {
    let file = s.file(&p.text_document.uri)?;
    let index = s.index(file);
    let (_, _, word) = analysis::word_at(&s.db, file, offset(index, p.position, s.encoding))?;
    let defs = definitions(&s.db, file);
    let (signature, doc) = match resolve(&defs, word) {
        Some(def) => (def.signature.clone(), def.doc.clone()),
        None => {
            let (form, meaning) = keyword_meaning(word)?;
            (form.to_string(), Some(meaning.to_string()))
        }
    };
    let (kind, mut value) = if s.markdown_hover {
        (MarkupKind::Markdown, format!("```sot\n{signature}\n```"))
    } else {
        (MarkupKind::PlainText, signature)
    };
    if let Some(doc) = &doc {
        value.push_str("\n\n");
        value.push_str(doc);
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind, value }),
        range: None,
    })
}

/// The form and meaning of a word that v0.2 adds (LANGUAGE.md §7), for a hover on it.
fn keyword_meaning(word: &str) -> Option<(&'static str, &'static str)> {
    Some(match word {
        "coexist" => (
            "coexist A, B, …",
            "Categories that may hold in one visit together. When the true categories that \
             nothing outranks are all on one coexist line, they are all the visit's \
             categories, in the first such line's order; otherwise the visit is ambiguous.",
        ),
        "emergency" | "urgent" | "routine" => (
            "refer emergency | urgent | routine \"text\"",
            "Referral urgency. Reports list raised red flags most urgent first: emergency, \
             urgent, routine, then those with no stated urgency; ties in declaration order.",
        ),
        "ruled_out" => (
            "expect ruled_out NAME",
            "That red flag's condition is known false.",
        ),
        "not_ruled_out" => (
            "expect not_ruled_out NAME",
            "That red flag is neither raised nor ruled out (its condition is unknown).",
        ),
        "history" => (
            "history { indicator = value … }",
            "Findings that hold for the whole case, given once before the first visit. Each \
             visit's findings are its own plus the history's for what its own do not cover; \
             `after` blocks and checks (`before.`, `after.`) do not read the history.",
        ),
        "previous" => (
            "previous.indicator",
            "The previous visit's finding (history applied), in categories, red flags and \
             rules. Unknown at the first visit, and where neither the previous visit nor the \
             history has it; in a check, write `before.` instead.",
        ),
        "untestable" => (
            "indicator = untestable \"reason\"",
            "The examiner tried and could not test this finding: unknown for evaluation, named \
             apart in reports with its reason, never asked to be examined. A visit's \
             `untestable` beats the history's value.",
        ),
        _ => return None,
    })
}
