//! The one HTML page skeleton of every document sot writes (run reports, handbooks): a
//! self-contained page with its style sheet inline and no external assets.

use crate::escape::html_escape;

/// A whole HTML page: `title` is escaped, `style` is a style sheet and `body` HTML already
/// made safe by the caller.
pub(crate) fn page(title: &str, style: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{style}</style></head><body>\n{body}</body></html>\n",
        html_escape(title)
    )
}
