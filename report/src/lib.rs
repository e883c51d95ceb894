//! Every renderer of sot's results and documents, in one place: `sot run`'s case reports
//! (text, Markdown, HTML, JSON), the handbook of `sot doc` (Markdown, HTML) and the protocol
//! graph of `sot graph` (DOT, Mermaid, SVG). Their HTML pages share one skeleton ([`page`],
//! made with maud, which escapes every value) and their Markdown one escaper ([`escape`]), so
//! protocol text such as a title with `<script>` always stays text.
//!
//! Architecture invariant: renderers only. What is shown is computed by the compiler (the
//! syntax trees, scope and protocol graph) and the runtime (evaluated cases); this crate
//! never evaluates, checks or reads files, and neither the compiler nor the runtime depends
//! on it.

pub mod diff;
pub mod escape;
pub mod graph;
pub mod handbook;
pub mod page;
pub mod practice;
pub mod run;
pub mod why;
