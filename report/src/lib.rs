//! Every renderer of sot's results and documents, in one place: `sot run`'s case reports
//! (text, Markdown, HTML, JSON), the handbook of `sot doc` (Markdown, HTML) and the protocol
//! graph of `sot graph` (DOT, Mermaid, SVG). They share one HTML page skeleton and one pair
//! of escapers, so protocol text such as a title with `<script>` always stays text.
//!
//! Architecture invariant: renderers only. What is shown is computed by the compiler (the
//! syntax trees, scope and protocol graph) and the runtime (evaluated cases); this crate
//! never evaluates, checks or reads files, and neither the compiler nor the runtime depends
//! on it.

pub mod escape;
pub mod graph;
pub mod handbook;
mod page;
pub mod run;
pub mod why;
