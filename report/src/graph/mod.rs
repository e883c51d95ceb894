//! The protocol graph (computed by the compiler's `protocol_graph`) drawn as Graphviz DOT,
//! Mermaid, or SVG: laid out by Graphviz `dot` when the caller can run it, else by sot's own
//! layered layout (`layered`); drawn by `draw` with labels measured in the font it names
//! (`measure`).

mod draw;
mod geometry;
mod graphviz;
mod layered;
mod measure;
mod parts;

use sot_compiler::{kind_word, NodeKind, ProtocolGraph};

fn style(kind: NodeKind) -> (&'static str, &'static str) {
    // (shape, fill colour)
    match kind {
        NodeKind::Indicator => ("ellipse", "#e8f0fe"),
        NodeKind::Table => ("box", "#f1f3f4"),
        NodeKind::Category => ("box", "#fef7e0"),
        NodeKind::RedFlag => ("octagon", "#fce8e6"),
        NodeKind::Rule => ("box", "#ffffff"),
        NodeKind::Adjustment => ("box", "#e6f4ea"),
        NodeKind::Check => ("diamond", "#f3e8fd"),
    }
}

/// A DOT string literal.
fn dot_string(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
    )
}

/// The graph in Graphviz DOT.
pub fn dot(graph: &ProtocolGraph) -> String {
    let mut out = String::from(
        "digraph protocol {\n  rankdir=LR;\n  node [style=filled, fontname=\"sans-serif\"];\n",
    );
    for node in &graph.nodes {
        let (shape, fill) = style(node.kind);
        let stronger = if graph.focus.as_ref() == Some(&node.id) {
            ", penwidth=3"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {} [label={}, shape={shape}, fillcolor=\"{fill}\"{stronger}];\n",
            dot_string(&node.id),
            dot_string(&node.label)
        ));
    }
    for edge in &graph.edges {
        out.push_str(&format!(
            "  {} -> {} [label={}];\n",
            dot_string(&edge.from),
            dot_string(&edge.to),
            dot_string(edge.label)
        ));
    }
    out.push_str("}\n");
    out
}

/// A Mermaid node id (letters, digits and `_` only).
fn mermaid_id(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A Mermaid label, quoted, with the characters Mermaid would read written as entities.
fn mermaid_label(label: &str) -> String {
    let escaped: String = label
        .chars()
        .map(|c| match c {
            '"' => "#quot;".to_string(),
            '<' => "#lt;".to_string(),
            '>' => "#gt;".to_string(),
            '\n' => "<br/>".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("\"{escaped}\"")
}

/// The graph in Mermaid.
pub fn mermaid(graph: &ProtocolGraph) -> String {
    let mut out = String::from("flowchart LR\n");
    for node in &graph.nodes {
        let id = mermaid_id(&node.id);
        let label = mermaid_label(&node.label);
        let shaped = match node.kind {
            NodeKind::Indicator => format!("{id}([{label}])"),
            NodeKind::RedFlag => format!("{id}{{{{{label}}}}}"),
            NodeKind::Check => format!("{id}{{{label}}}"),
            _ => format!("{id}[{label}]"),
        };
        out.push_str(&format!("  {shaped}\n"));
    }
    if let Some(focus) = &graph.focus {
        out.push_str(&format!("  style {} stroke-width:4px\n", mermaid_id(focus)));
    }
    for edge in &graph.edges {
        out.push_str(&format!(
            "  {} -->|{}| {}\n",
            mermaid_id(&edge.from),
            edge.label,
            mermaid_id(&edge.to)
        ));
    }
    for kind in [
        NodeKind::RedFlag,
        NodeKind::Check,
        NodeKind::Category,
        NodeKind::Adjustment,
    ] {
        let (_, fill) = style(kind);
        out.push_str(&format!("  classDef {} fill:{fill}\n", kind_word(kind)));
        let members: Vec<String> = graph
            .nodes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| mermaid_id(&n.id))
            .collect();
        if !members.is_empty() {
            out.push_str(&format!(
                "  class {} {}\n",
                members.join(","),
                kind_word(kind)
            ));
        }
    }
    out
}

/// Which layout placed the boxes of an SVG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Graphviz `dot`, run by the caller.
    Graphviz,
    /// sot's own layered layout (no Graphviz needed).
    BuiltIn,
}

impl Layout {
    /// The layout's name, as the legend says it.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Graphviz => "Graphviz dot",
            Layout::BuiltIn => "sot's built-in layered layout",
        }
    }
}

/// Runs Graphviz: `dot -Tplain` on the DOT text it is handed, its output or `None`.
pub type RunGraphviz<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The graph as SVG: boxes sized to their measured labels, edges styled by what they mean,
/// a legend. `graphviz`, when given, runs `dot -Tplain` on the DOT text it is handed and
/// returns its output; when it is not given or fails, the built-in layout places the boxes.
/// Returns the SVG and the layout that placed it.
pub fn svg(graph: &ProtocolGraph, graphviz: Option<RunGraphviz<'_>>) -> (String, Layout) {
    let sizes: Vec<(f64, f64)> = graph
        .nodes
        .iter()
        .map(|n| draw::box_size(&n.label))
        .collect();
    let index: std::collections::HashMap<&str, usize> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    // The compiler keeps only edges between nodes that exist; an edge to anything else
    // would have no box to end at, and is not drawn.
    let drawn: Vec<&sot_compiler::Edge> = graph
        .edges
        .iter()
        .filter(|e| index.contains_key(e.from.as_str()) && index.contains_key(e.to.as_str()))
        .collect();
    let ends: Vec<(usize, usize, bool)> = drawn
        .iter()
        .map(|e| {
            (
                index[e.from.as_str()],
                index[e.to.as_str()],
                e.label == "coexists with",
            )
        })
        .collect();
    let shown = ProtocolGraph {
        nodes: graph.nodes.clone(),
        edges: drawn.into_iter().cloned().collect(),
        focus: graph.focus.clone(),
    };
    if let Some(run) = graphviz {
        let placed = run(&graphviz::input(&sizes, &ends))
            .and_then(|plain| graphviz::placement(&plain, sizes.len(), &ends));
        if let Some(placement) = placed {
            let layout = Layout::Graphviz;
            return (draw::svg(&shown, &placement, layout.name()), layout);
        }
    }
    let red_flags: Vec<bool> = graph
        .nodes
        .iter()
        .map(|n| n.kind == NodeKind::RedFlag)
        .collect();
    let placement = parts::stacked(&sizes, &ends, &red_flags, layered::layered);
    let layout = Layout::BuiltIn;
    (draw::svg(&shown, &placement, layout.name()), layout)
}
