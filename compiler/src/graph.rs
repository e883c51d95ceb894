//! `sot graph`: the protocol as a graph — indicators → categories → rules → adjustments, with
//! red flags (their category and urgency) and checks, and the categories that coexist — as
//! data; the edges draw it (DOT, Mermaid, SVG).

use std::collections::BTreeMap;

use sot_grammar::ast::ItemData;

use crate::check::check_item;
use crate::db::{file_items, parse_item, SourceFile};
use crate::resolve::{file_scope, visible_files, Namespace, ValueDef};

/// What a node of the graph is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// An indicator.
    Indicator,
    /// A table.
    Table,
    /// A category.
    Category,
    /// A red flag.
    RedFlag,
    /// A rule.
    Rule,
    /// An adjustment.
    Adjustment,
    /// A before/after check.
    Check,
}

/// A node: a stable id (`rule:block_two`), its kind and its label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Unique id: kind and name.
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// The label to show (the name, and the title where there is one).
    pub label: String,
}

/// An edge from one node id to another, with what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// From (e.g. an indicator).
    pub from: String,
    /// To (e.g. the rule that reads it).
    pub to: String,
    /// `reads`, `in category`, `recommends`, `after`, `coexists with`.
    pub label: &'static str,
}

/// The graph of a protocol file and the files it uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProtocolGraph {
    /// Nodes in declaration order.
    pub nodes: Vec<Node>,
    /// Edges.
    pub edges: Vec<Edge>,
    /// The node a `--focus` view is centred on, drawn stronger.
    pub focus: Option<String>,
}

fn id(kind: &str, name: &str) -> String {
    format!("{kind}:{name}")
}

/// The graph of `file` and the files it uses.
pub fn protocol_graph(db: &dyn salsa::Database, file: SourceFile) -> ProtocolGraph {
    let scope = file_scope(db, file);
    let mut graph = ProtocolGraph::default();
    let mut seen = BTreeMap::new();
    for f in visible_files(db, file) {
        for item in file_items(db, *f) {
            let Some(parsed) = &parse_item(db, *item).item else {
                continue;
            };
            let titled = |name: &str, title: &Option<sot_grammar::ast::StringLit>| match title {
                Some(t) => format!("{name}\n{}", t.value),
                None => name.to_string(),
            };
            let (kind, name, label) = match &parsed.data {
                ItemData::Indicator(i) => (
                    NodeKind::Indicator,
                    i.name.text.clone(),
                    i.name.text.clone(),
                ),
                ItemData::Table(t) => (NodeKind::Table, t.name.text.clone(), t.name.text.clone()),
                ItemData::Category(c) => (
                    NodeKind::Category,
                    c.name.text.clone(),
                    titled(&format!("category {}", c.name.text), &c.title),
                ),
                ItemData::RedFlag(r) => {
                    let mut label = titled(&r.name.text, &r.title);
                    if let Some(u) = r.urgency {
                        label.push_str(&format!("\n{} referral", u.as_str()));
                    }
                    (NodeKind::RedFlag, r.name.text.clone(), label)
                }
                ItemData::Coexist(names) => {
                    // Each category to the next on the line: they may hold together.
                    for pair in names.windows(2) {
                        graph.edges.push(Edge {
                            from: id("category", &pair[0].text),
                            to: id("category", &pair[1].text),
                            label: "coexists with",
                        });
                    }
                    continue;
                }
                ItemData::Rule(r) => (
                    NodeKind::Rule,
                    r.name.text.clone(),
                    titled(&r.name.text, &r.title),
                ),
                ItemData::Adjustment(a) => (
                    NodeKind::Adjustment,
                    a.name.text.clone(),
                    a.name.text.clone(),
                ),
                ItemData::Check(c) => (
                    NodeKind::Check,
                    c.name.text.clone(),
                    titled(&c.name.text, &c.title),
                ),
                _ => continue,
            };
            let node_id = id(kind_word(kind), &name);
            if seen.insert(node_id.clone(), ()).is_some() {
                continue;
            }
            graph.nodes.push(Node {
                id: node_id.clone(),
                kind,
                label,
            });
            // What it reads, recommends, belongs to.
            for (ns, referenced) in &check_item(db, *item).references {
                let from = match (ns, scope.values.get(referenced)) {
                    (Namespace::Value, Some(ValueDef::Indicator(..))) => {
                        id("indicator", referenced)
                    }
                    (Namespace::Value, Some(ValueDef::Table(..))) => id("table", referenced),
                    _ => continue,
                };
                graph.edges.push(Edge {
                    from,
                    to: node_id.clone(),
                    label: "reads",
                });
            }
            match &parsed.data {
                ItemData::RedFlag(r) => {
                    if let Some(c) = &r.in_category {
                        graph.edges.push(Edge {
                            from: id("category", &c.text),
                            to: node_id.clone(),
                            label: "in category",
                        });
                    }
                }
                ItemData::Rule(r) => {
                    if let Some(c) = &r.in_category {
                        graph.edges.push(Edge {
                            from: id("category", &c.text),
                            to: node_id.clone(),
                            label: "in category",
                        });
                    }
                    for call in &r.then {
                        let to = id("adjustment", &call.name.text);
                        if !graph.edges.iter().any(|e| e.from == node_id && e.to == to) {
                            graph.edges.push(Edge {
                                from: node_id.clone(),
                                to,
                                label: "recommends",
                            });
                        }
                    }
                }
                ItemData::Check(c) => {
                    if let Some(a) = &c.after {
                        graph.edges.push(Edge {
                            from: id("adjustment", &a.text),
                            to: node_id.clone(),
                            label: "after",
                        });
                    }
                }
                _ => {}
            }
        }
    }
    // Only edges between nodes that exist (a protocol with errors may name missing ones).
    let known: std::collections::BTreeSet<&String> = graph.nodes.iter().map(|n| &n.id).collect();
    let edges = graph
        .edges
        .iter()
        .filter(|e| known.contains(&e.from) && known.contains(&e.to))
        .cloned()
        .collect();
    graph.edges = edges;
    graph
}

/// The word for a kind, as used in node ids.
pub fn kind_word(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Indicator => "indicator",
        NodeKind::Table => "table",
        NodeKind::Category => "category",
        NodeKind::RedFlag => "red_flag",
        NodeKind::Rule => "rule",
        NodeKind::Adjustment => "adjustment",
        NodeKind::Check => "check",
    }
}
