//! The protocol graph (computed by the compiler's `protocol_graph`) drawn as Graphviz DOT,
//! Mermaid, or SVG laid out in pure Rust (layout-rs: no Graphviz needed).

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
        out.push_str(&format!(
            "  {} [label={}, shape={shape}, fillcolor=\"{fill}\"];\n",
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

/// The graph as SVG, laid out by layout-rs.
pub fn svg(graph: &ProtocolGraph) -> String {
    use layout::backends::svg::SVGWriter;
    use layout::core::base::Orientation;
    use layout::core::geometry::Point;
    use layout::core::style::StyleAttr;
    use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
    use layout::topo::layout::VisualGraph;

    let mut vg = VisualGraph::new(Orientation::LeftToRight);
    let mut handles = std::collections::HashMap::new();
    for node in &graph.nodes {
        let (_, fill) = style(node.kind);
        let label = node.label.replace('\n', " — ");
        let shape = match node.kind {
            NodeKind::Indicator => ShapeKind::new_circle(&label),
            _ => ShapeKind::new_box(&label),
        };
        let look = StyleAttr::new(
            layout::core::color::Color::fast("black"),
            1,
            layout::core::color::Color::from_name(fill)
                .or(Some(layout::core::color::Color::fast("white"))),
            0,
            14,
        );
        let width = 20.0 + 8.0 * label.chars().count().min(60) as f64;
        let element = Element::create(
            shape,
            look,
            Orientation::LeftToRight,
            Point::new(width, 40.0),
        );
        handles.insert(node.id.clone(), vg.add_node(element));
    }
    for edge in &graph.edges {
        if let (Some(from), Some(to)) = (handles.get(&edge.from), handles.get(&edge.to)) {
            vg.add_edge(Arrow::simple(edge.label), *from, *to);
        }
    }
    let mut writer = SVGWriter::new();
    if !graph.nodes.is_empty() {
        vg.do_it(false, false, false, &mut writer);
    }
    sorted_styles(writer.finalize())
}

/// layout-rs writes its font classes from a `HashMap`, in a different order on every run;
/// sorting the lines of the `<style>` block makes `sot graph --format svg` deterministic.
fn sorted_styles(svg: String) -> String {
    let (Some(start), Some(end)) = (svg.find("<style>\n"), svg.find("</style>")) else {
        return svg;
    };
    let body = start + "<style>\n".len();
    if body > end {
        return svg;
    }
    let mut lines: Vec<&str> = svg[body..end].lines().collect();
    lines.sort_unstable();
    let mut out = String::with_capacity(svg.len());
    out.push_str(&svg[..body]);
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&svg[end..]);
    out
}
