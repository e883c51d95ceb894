//! The SVG of a placed protocol graph: boxes that fit their measured labels, edges styled by
//! what they mean (no per-edge labels to stack up), and a legend of both.

use std::fmt::Write;

use sot_compiler::{kind_word, NodeKind, ProtocolGraph};

use super::geometry::{Path, Placement, Point};
use super::measure::{text_width, FONT_FAMILY};
use crate::escape::xml_escape;

/// The size of a node's first line (its name).
const NAME_SIZE: f64 = 14.0;
/// The size of the lines below (title, urgency).
const DETAIL_SIZE: f64 = 12.0;
const NAME_LINE: f64 = 18.0;
const DETAIL_LINE: f64 = 16.0;
/// Space between a label and its box's sides.
const PAD_X: f64 = 12.0;
/// Space between a label and its box's top and bottom.
const PAD_Y: f64 = 7.0;
/// Space around the drawing.
const MARGIN: f64 = 20.0;

/// How a kind of node is drawn: fill, stroke, stroke width, corner radius, dashes, and the
/// legend's words.
struct NodeLook {
    fill: &'static str,
    stroke: &'static str,
    width: f64,
    radius: f64,
    dash: Option<&'static str>,
    words: &'static str,
}

fn node_look(kind: NodeKind) -> NodeLook {
    let look = |fill, stroke, width, radius, dash, words| NodeLook {
        fill,
        stroke,
        width,
        radius,
        dash,
        words,
    };
    match kind {
        NodeKind::Indicator => look("#e8f0fe", "#1a73e8", 1.2, 14.0, None, "indicator"),
        NodeKind::Table => look("#f1f3f4", "#5f6368", 1.2, 0.0, None, "table"),
        NodeKind::Category => look("#fef7e0", "#b06000", 2.0, 3.0, None, "category"),
        NodeKind::Rule => look("#ffffff", "#202124", 1.2, 3.0, None, "rule"),
        NodeKind::Adjustment => look("#e6f4ea", "#137333", 1.5, 8.0, None, "adjustment"),
        NodeKind::RedFlag => look("#fce8e6", "#c5221f", 2.5, 0.0, None, "red flag"),
        NodeKind::Check => look("#f3e8fd", "#8430ce", 1.5, 3.0, Some("5 3"), "check"),
    }
}

/// Every kind of node, in the legend's order.
const NODE_KINDS: [NodeKind; 7] = [
    NodeKind::Indicator,
    NodeKind::Table,
    NodeKind::Category,
    NodeKind::Rule,
    NodeKind::Adjustment,
    NodeKind::RedFlag,
    NodeKind::Check,
];

/// How a kind of edge is drawn: its relation (the graph's edge label), class, colour, width,
/// dashes, and the legend's words.
struct EdgeLook {
    relation: &'static str,
    class: &'static str,
    colour: &'static str,
    width: f64,
    dash: Option<&'static str>,
    words: &'static str,
}

const EDGE_LOOKS: [EdgeLook; 5] = [
    EdgeLook {
        relation: "reads",
        class: "reads",
        colour: "#80868b",
        width: 1.2,
        dash: None,
        words: "reads (indicator → what reads it)",
    },
    EdgeLook {
        relation: "in category",
        class: "in-category",
        colour: "#b06000",
        width: 2.0,
        dash: None,
        words: "in category (category → its rule, red flag)",
    },
    EdgeLook {
        relation: "recommends",
        class: "recommends",
        colour: "#137333",
        width: 2.0,
        dash: None,
        words: "recommends (rule → adjustment)",
    },
    EdgeLook {
        relation: "after",
        class: "after",
        colour: "#8430ce",
        width: 1.5,
        dash: Some("6 4"),
        words: "checked after (adjustment → check)",
    },
    EdgeLook {
        relation: "coexists with",
        class: "coexists",
        colour: "#b06000",
        width: 1.5,
        dash: Some("2 3"),
        words: "coexists with (category → category)",
    },
];

fn edge_look(relation: &str) -> &'static EdgeLook {
    EDGE_LOOKS
        .iter()
        .find(|l| l.relation == relation)
        .unwrap_or(&EDGE_LOOKS[0])
}

/// The size (width, height) of the box that fits `label` (lines: the name, then details)
/// with padding.
pub fn box_size(label: &str) -> (f64, f64) {
    let mut width: f64 = 0.0;
    let mut height = 2.0 * PAD_Y;
    for (k, line) in label.lines().enumerate() {
        let (size, line_h) = line_style(k);
        width = width.max(text_width(line, size));
        height += line_h;
    }
    ((width + 2.0 * PAD_X).ceil(), height)
}

fn line_style(k: usize) -> (f64, f64) {
    if k == 0 {
        (NAME_SIZE, NAME_LINE)
    } else {
        (DETAIL_SIZE, DETAIL_LINE)
    }
}

/// A `<text>` whose width is the measured one, so it is drawn at that width in any font.
fn text(out: &mut String, x: f64, y: f64, size: f64, anchor: &str, fill: &str, words: &str) {
    let width = text_width(words, size);
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\" \
         fill=\"{fill}\" textLength=\"{width:.2}\" lengthAdjust=\"spacingAndGlyphs\">{}</text>",
        xml_escape(words)
    );
}

fn path_data(path: &Path, dx: f64, dy: f64) -> String {
    let Some(start) = path.start else {
        return String::new();
    };
    let p = |q: Point| format!("{:.1},{:.1}", q.x + dx, q.y + dy);
    let mut d = format!("M{}", p(start));
    for piece in &path.pieces {
        let _ = write!(d, " C{} {} {}", p(piece[0]), p(piece[1]), p(piece[2]));
    }
    d
}

fn dash_attr(dash: Option<&str>) -> String {
    dash.map(|d| format!(" stroke-dasharray=\"{d}\""))
        .unwrap_or_default()
}

/// The legend, laid out in rows no wider than `width` (or 560 pixels); returns its frame's
/// width and height.
fn legend(out: &mut String, width: f64, engine: &str) -> (f64, f64) {
    let mut body = String::new();
    let row_h = 26.0;
    let (x0, mut x, mut y) = (MARGIN + 10.0, MARGIN + 10.0, MARGIN + 10.0);
    let right = MARGIN + width.max(560.0) - 10.0;
    let mut widest: f64 = 0.0;
    let mut place = |x: &mut f64, y: &mut f64, item_w: f64| {
        if *x > x0 && *x + item_w > right {
            *x = x0;
            *y += row_h;
        }
        let at = (*x, *y);
        *x += item_w + 18.0;
        widest = widest.max(*x - 18.0);
        at
    };
    let heading = |body: &mut String, x: &mut f64, y: &mut f64, words: &str| {
        text(body, *x, *y + 13.0, 13.0, "start", "#202124", words);
        *x += text_width(words, 13.0) + 12.0;
    };
    heading(&mut body, &mut x, &mut y, "Items:");
    for kind in NODE_KINDS {
        let look = node_look(kind);
        let item_w = 30.0 + 6.0 + text_width(look.words, 12.0);
        let (ix, iy) = place(&mut x, &mut y, item_w);
        let _ = writeln!(
            body,
            "<rect class=\"swatch {}\" x=\"{ix:.1}\" y=\"{:.1}\" width=\"30\" height=\"16\" \
             rx=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>",
            kind_word(kind),
            iy + 1.0,
            look.radius.min(8.0),
            look.fill,
            look.stroke,
            look.width,
            dash_attr(look.dash)
        );
        text(
            &mut body,
            ix + 36.0,
            iy + 13.0,
            12.0,
            "start",
            "#202124",
            look.words,
        );
    }
    x = x0;
    y += row_h;
    heading(&mut body, &mut x, &mut y, "Arrows:");
    for look in &EDGE_LOOKS {
        let item_w = 40.0 + 6.0 + text_width(look.words, 12.0);
        let (ix, iy) = place(&mut x, &mut y, item_w);
        let _ = writeln!(
            body,
            "<path class=\"swatch {}\" d=\"M{ix:.1},{:.1} H{:.1}\" stroke=\"{}\" \
             stroke-width=\"{}\" fill=\"none\"{} marker-end=\"url(#arrow-{})\"/>",
            look.class,
            iy + 9.0,
            ix + 38.0,
            look.colour,
            look.width,
            dash_attr(look.dash),
            look.class
        );
        text(
            &mut body,
            ix + 46.0,
            iy + 13.0,
            12.0,
            "start",
            "#202124",
            look.words,
        );
    }
    x = x0;
    y += row_h;
    let note = format!("Laid out by {engine}.");
    text(&mut body, x, y + 13.0, 12.0, "start", "#5f6368", &note);
    widest = widest.max(x + text_width(&note, 12.0));
    let height = y + row_h - MARGIN;
    let frame_w = (widest - MARGIN + 10.0).ceil();
    let _ = writeln!(
        out,
        "<g class=\"legend\">\n<rect class=\"legend-frame\" x=\"{MARGIN}\" y=\"{MARGIN}\" \
         width=\"{frame_w}\" height=\"{height:.1}\" fill=\"#fafafa\" stroke=\"#dadce0\"/>"
    );
    out.push_str(&body);
    out.push_str("</g>\n");
    (frame_w, height)
}

/// The SVG of `graph` placed by `placement` (whose boxes were sized by [`box_size`]), with
/// a legend naming `engine`, the layout used.
pub fn svg(graph: &ProtocolGraph, placement: &Placement, engine: &str) -> String {
    let mut legend_svg = String::new();
    let (legend_w, legend_h) = legend(&mut legend_svg, placement.width, engine);
    let (dx, dy) = (MARGIN, MARGIN + legend_h + 24.0);
    let width = (placement.width.max(legend_w) + 2.0 * MARGIN).ceil();
    let height = (dy + placement.height + MARGIN).ceil();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         font-family=\"{FONT_FAMILY}\">\n<!-- sot graph: laid out by {engine} -->"
    );
    out.push_str("<defs>\n");
    for look in &EDGE_LOOKS {
        let _ = writeln!(
            out,
            "<marker id=\"arrow-{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
             markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" \
             orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker>",
            look.class, look.colour
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    out.push_str(&legend_svg);

    out.push_str("<g class=\"edges\" fill=\"none\">\n");
    for (edge, path) in graph.edges.iter().zip(&placement.edges) {
        let look = edge_look(edge.label);
        let _ = writeln!(
            out,
            "<path class=\"edge {}\" data-from=\"{}\" data-to=\"{}\" d=\"{}\" stroke=\"{}\" \
             stroke-width=\"{}\"{} marker-end=\"url(#arrow-{})\"><title>{} {} {}</title></path>",
            look.class,
            xml_escape(&edge.from),
            xml_escape(&edge.to),
            path_data(path, dx, dy),
            look.colour,
            look.width,
            dash_attr(look.dash),
            look.class,
            xml_escape(&edge.from),
            edge.label,
            xml_escape(&edge.to)
        );
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for (node, rect) in graph.nodes.iter().zip(&placement.nodes) {
        let look = node_look(node.kind);
        let (x, y) = (rect.x + dx, rect.y + dy);
        // The item a `--focus` view is centred on: a stronger outline.
        let focused = graph.focus.as_ref() == Some(&node.id);
        let _ = writeln!(
            out,
            "<g class=\"node {}{}\" data-id=\"{}\"><title>{}</title>\n<rect x=\"{x:.1}\" \
             y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"{}\" fill=\"{}\" stroke=\"{}\" \
             stroke-width=\"{}\"{}/>",
            kind_word(node.kind),
            if focused { " focus" } else { "" },
            xml_escape(&node.id),
            xml_escape(&node.id),
            rect.w,
            rect.h,
            look.radius.min(rect.h / 2.0),
            look.fill,
            look.stroke,
            if focused {
                look.width + 2.5
            } else {
                look.width
            },
            dash_attr(look.dash)
        );
        let lines: Vec<&str> = node.label.lines().collect();
        let label_h: f64 = (0..lines.len()).map(|k| line_style(k).1).sum();
        let mut line_top = y + (rect.h - label_h) / 2.0;
        for (k, line) in lines.iter().enumerate() {
            let (size, line_h) = line_style(k);
            let baseline = line_top + (line_h + size * 0.72) / 2.0;
            let fill = if k == 0 { "#202124" } else { "#3c4043" };
            text(
                &mut out,
                x + rect.w / 2.0,
                baseline,
                size,
                "middle",
                fill,
                line,
            );
            line_top += line_h;
        }
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n</svg>\n");
    out
}
