//! The one HTML page skeleton of every document sot writes (run reports, handbooks), made
//! with maud, which escapes every value it is given: a self-contained page with its style
//! sheet inline, no external assets and no scripts (its Content-Security-Policy forbids them).
//! A page has a title, a style sheet (the shared [`BASE_STYLE`] comes first), an optional
//! navigation (a table of contents) and a body. A server renders the same pages in a
//! [`Frame`]: a bar of links above the heading and its own scripts, loaded from the server
//! (`script-src 'self'`), never inline.

use maud::{html, Markup, PreEscaped, DOCTYPE};

/// The policy every page carries: inline styles only; no scripts, frames, fetches or images
/// from anywhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// The policy of a page served in a [`Frame`] with scripts: scripts, styles and fetches from
/// the server itself only; no inline script, no forms posted elsewhere (a server adds
/// `frame-ancestors 'none'` in its header, where alone browsers honour it).
pub const SERVED_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'";

/// What a server adds around a document: a bar above its heading (links to its other pages)
/// and the scripts the page loads, by URL on the same server.
#[derive(Default)]
pub struct Frame<'a> {
    /// Shown above the document's heading.
    pub bar: Option<Markup>,
    /// Script URLs (same origin), loaded deferred.
    pub scripts: &'a [&'a str],
    /// Style for the bar and what the scripts show, after the document's own.
    pub style: &'a str,
}

/// The style every page shares: readable type, tables and code that wrap instead of widening
/// the page (no horizontal scrolling on a phone), and print styles.
pub const BASE_STYLE: &str = "\
*{box-sizing:border-box}\
body{font-family:system-ui,sans-serif;max-width:56rem;margin:1.5rem auto;padding:0 1rem;color:#222;line-height:1.45;overflow-wrap:break-word}\
h1{font-size:1.6rem;margin-bottom:.3rem}h2{font-size:1.3rem;border-bottom:1px solid #ccc;margin-top:2.2rem}\
h3{font-size:1.1rem;margin-top:1.6rem}h4{font-size:1rem;margin:1rem 0 .3rem}\
code{font-family:ui-monospace,monospace;font-size:.85em;background:#f3f3f3;padding:0 .2rem;border-radius:3px;overflow-wrap:anywhere}\
.id{font-size:.75em;color:#555;font-weight:normal}.muted{color:#555}a{color:#245}\
ul{padding-left:1.3rem}li{margin:.15rem 0}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#eee;white-space:nowrap}\
nav.toc{border:1px solid #ccc;border-radius:4px;padding:.4rem 1rem;margin:1rem 0;background:#fafafa}\
nav.toc h2{font-size:1.05rem;border:0;margin:.4rem 0}nav.toc ol{margin:.2rem 0;padding-left:1.3rem}\
@media (max-width:40rem){body{margin:.8rem auto;padding:0 .6rem}\
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}\
table.stack thead{display:none}table.stack tr{border:1px solid #bbb;margin:.5rem 0}\
table.stack td{border:0;border-top:1px solid #e4e4e4}table.stack td:first-child{border-top:0;background:#eee;font-weight:600}\
table.stack td[data-label]:not(:first-child)::before{content:attr(data-label) \": \";font-weight:600}}\
@media print{body{max-width:none;margin:0;padding:0;font-size:10.5pt;color:#000}\
a{color:#000;text-decoration:none}nav.toc{background:none;break-after:page}\
h2,h3,h4{break-after:avoid}tr,li{break-inside:avoid}code{background:none;padding:0}\
th{background:#ddd}}";

/// A page's parts, in the order shown: `header` (the document's heading), `nav` (a table of
/// contents), `body`. `style` is a style sheet added after [`BASE_STYLE`].
pub struct Page<'a> {
    /// The page's title (the browser's tab and the printed header).
    pub title: &'a str,
    /// The document's own style sheet.
    pub style: &'a str,
    /// The document's heading, in a `<header>`.
    pub header: Markup,
    /// Navigation after the heading, if any.
    pub nav: Option<Markup>,
    /// The page's content, in a `<main>`.
    pub body: Markup,
}

impl Page<'_> {
    /// The whole page as HTML.
    pub fn render(self) -> String {
        self.render_in(&Frame::default())
    }

    /// The whole page as HTML, in `frame`: its bar first in the body, its scripts in the
    /// head; with scripts, the page's policy is [`SERVED_POLICY`].
    pub fn render_in(self, frame: &Frame) -> String {
        let policy = if frame.scripts.is_empty() {
            CONTENT_SECURITY_POLICY
        } else {
            SERVED_POLICY
        };
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    meta http-equiv="Content-Security-Policy" content=(policy);
                    title { (self.title) }
                    style { (PreEscaped(BASE_STYLE)) (PreEscaped(self.style)) (PreEscaped(frame.style)) }
                    @for src in frame.scripts { script src=(src) defer {} }
                }
                body {
                    @if let Some(bar) = &frame.bar { (bar) }
                    header { (self.header) }
                    @if let Some(nav) = self.nav { (nav) }
                    main { (self.body) }
                }
            }
        }
        .into_string()
    }
}
