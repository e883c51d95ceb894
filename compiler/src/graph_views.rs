//! Parts of a protocol graph for when the whole is too big to read: one item and its
//! neighbourhood (`sot graph --focus`), or one category and what belongs to it
//! (`sot graph --category`).

use std::collections::BTreeSet;

use crate::diagnostic::did_you_mean;
use crate::graph::{NodeKind, ProtocolGraph};

impl ProtocolGraph {
    /// The id of the node that `item` names: an id (`rule:block_two`) or a bare name
    /// (`block_two`). An unknown or ambiguous name is an error in words, with a suggestion.
    pub fn find(&self, item: &str) -> Result<&str, String> {
        if let Some(node) = self.nodes.iter().find(|n| n.id == item) {
            return Ok(&node.id);
        }
        let named: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| name_of(&n.id) == item)
            .map(|n| n.id.as_str())
            .collect();
        match named.as_slice() {
            [one] => Ok(one),
            [] => {
                let names = self.nodes.iter().map(|n| name_of(&n.id));
                let hint = did_you_mean(item, names)
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                Err(format!("no item `{item}` in this protocol{hint}"))
            }
            many => Err(format!(
                "`{item}` names {} items; say which: {}",
                many.len(),
                many.iter()
                    .map(|id| format!("`{id}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// `item` and its neighbourhood: what it reads (and what that reads, up to `depth` steps
    /// against the arrows) and what reads it (up to `depth` steps along them).
    pub fn focus(&self, item: &str, depth: usize) -> Result<ProtocolGraph, String> {
        let start = self.find(item)?.to_string();
        let mut keep = BTreeSet::from([start.clone()]);
        for forward in [true, false] {
            let mut frontier = vec![start.clone()];
            for _ in 0..depth {
                let mut next = Vec::new();
                for id in &frontier {
                    for edge in &self.edges {
                        let (here, there) = if forward {
                            (&edge.from, &edge.to)
                        } else {
                            (&edge.to, &edge.from)
                        };
                        if here == id && keep.insert(there.clone()) {
                            next.push(there.clone());
                        }
                    }
                }
                frontier = next;
            }
        }
        let mut view = self.induced(&keep);
        view.focus = Some(start);
        Ok(view)
    }

    /// Category `name` and what belongs to it: the indicators it reads, its rules and what
    /// they read, their adjustments and the checks after those, the red flags bound to it
    /// and what they read. An unknown category is an error in words, with a suggestion.
    pub fn category(&self, name: &str) -> Result<ProtocolGraph, String> {
        let id = format!("category:{name}");
        if !self.nodes.iter().any(|n| n.id == id) {
            let names = self
                .nodes
                .iter()
                .filter(|n| n.kind == NodeKind::Category)
                .map(|n| name_of(&n.id));
            let hint = did_you_mean(name, names.clone())
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            let known: Vec<&str> = names.collect();
            return Err(format!(
                "no category `{name}` in this protocol{hint} (categories: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ));
        }
        let kind_of = |id: &str| self.nodes.iter().find(|n| n.id == id).map(|n| n.kind);
        let mut keep = BTreeSet::from([id.clone()]);
        // Its rules and red flags.
        for edge in &self.edges {
            if edge.from == id && edge.label == "in category" {
                keep.insert(edge.to.clone());
            }
        }
        // The rules' adjustments, and the checks after them.
        let members = keep.clone();
        for edge in &self.edges {
            if members.contains(&edge.from) && edge.label == "recommends" {
                keep.insert(edge.to.clone());
            }
        }
        let adjustments = keep.clone();
        for edge in &self.edges {
            if adjustments.contains(&edge.from)
                && kind_of(&edge.from) == Some(NodeKind::Adjustment)
                && edge.label == "after"
            {
                keep.insert(edge.to.clone());
            }
        }
        // What they all read.
        let readers = keep.clone();
        for edge in &self.edges {
            if readers.contains(&edge.to) && edge.label == "reads" {
                keep.insert(edge.from.clone());
            }
        }
        Ok(self.induced(&keep))
    }

    /// The nodes in `keep` (in declaration order) and the edges between them.
    fn induced(&self, keep: &BTreeSet<String>) -> ProtocolGraph {
        ProtocolGraph {
            nodes: self
                .nodes
                .iter()
                .filter(|n| keep.contains(&n.id))
                .cloned()
                .collect(),
            edges: self
                .edges
                .iter()
                .filter(|e| keep.contains(&e.from) && keep.contains(&e.to))
                .cloned()
                .collect(),
            focus: None,
        }
    }
}

/// The name part of a node id (`block_two` of `rule:block_two`).
fn name_of(id: &str) -> &str {
    id.split_once(':').map_or(id, |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use crate::graph::{Edge, Node, NodeKind, ProtocolGraph};

    fn graph() -> ProtocolGraph {
        let node = |id: &str, kind| Node {
            id: id.to_string(),
            kind,
            label: id.to_string(),
        };
        let edge = |from: &str, to: &str, label| Edge {
            from: from.to_string(),
            to: to.to_string(),
            label,
        };
        ProtocolGraph {
            nodes: vec![
                node("indicator:tension", NodeKind::Indicator),
                node("check:tension", NodeKind::Check),
                node("adjustment:release", NodeKind::Adjustment),
            ],
            edges: vec![
                edge("indicator:tension", "check:tension", "reads"),
                edge("adjustment:release", "check:tension", "after"),
            ],
            focus: None,
        }
    }

    #[test]
    fn a_name_of_two_items_asks_which() {
        let g = graph();
        let err = g.find("tension").expect_err("two items");
        assert!(
            err.contains("`indicator:tension`, `check:tension`"),
            "{err}"
        );
        assert_eq!(g.find("check:tension"), Ok("check:tension"));
        let view = g.focus("check:tension", 1).expect("known");
        assert_eq!(view.nodes.len(), 3);
        assert_eq!(view.focus.as_deref(), Some("check:tension"));
        // Each way on its own: what reads the indicator, not what else that reads.
        assert_eq!(
            g.focus("indicator:tension", 5).expect("known").nodes.len(),
            2
        );
    }

    #[test]
    fn a_protocol_without_categories_says_so() {
        let err = graph().category("II").expect_err("no categories");
        assert!(err.ends_with("(categories: none)"), "{err}");
    }
}
