//! A graph's connected parts laid out apart and stacked top to bottom: the parts that hold a
//! red flag first (a red flag is the first thing a visit says, and the first thing to see),
//! then in the order of their first item; the items joined to nothing together, last.

use super::geometry::{Path, Placement, Point, Rect};

/// Space between two stacked parts.
const PART_GAP: f64 = 32.0;

/// Lays out each connected part of the graph (nodes of `sizes`, `edges` by index, loose or
/// not) with `lay`, and stacks the parts; `first` marks the nodes whose part goes on top.
pub fn stacked(
    sizes: &[(f64, f64)],
    edges: &[(usize, usize, bool)],
    first: &[bool],
    lay: impl Fn(&[(f64, f64)], &[(usize, usize, bool)]) -> Placement,
) -> Placement {
    let n = sizes.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut v: usize) -> usize {
        while parent[v] != v {
            parent[v] = parent[parent[v]];
            v = parent[v];
        }
        v
    }
    for &(a, b, _) in edges {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let roots: Vec<usize> = (0..n).map(|v| root(&mut parent, v)).collect();
    let mut parts: Vec<Vec<usize>> = Vec::new();
    for v in 0..n {
        match parts.iter_mut().find(|p| roots[p[0]] == roots[v]) {
            Some(part) => part.push(v),
            None => parts.push(vec![v]),
        }
    }
    // Items joined to nothing make one part together, after the others.
    let (mut parts, alone): (Vec<Vec<usize>>, Vec<Vec<usize>>) = parts
        .into_iter()
        .partition(|p| p.len() > 1 || edges.iter().any(|e| e.0 == p[0] || e.1 == p[0]));
    let alone: Vec<usize> = alone.into_iter().flatten().collect();
    if !alone.is_empty() {
        parts.push(alone);
    }
    if parts.len() <= 1 {
        return lay(sizes, edges);
    }
    // Parts with a red flag first; otherwise in the order of their first item (stable).
    parts.sort_by_key(|p| !p.iter().any(|&v| first.get(v).copied().unwrap_or(false)));

    let mut nodes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0
        };
        n
    ];
    let mut paths = vec![Path::default(); edges.len()];
    let mut local = vec![0usize; n];
    let (mut top, mut width) = (0.0, 0.0f64);
    for part in &parts {
        for (k, &v) in part.iter().enumerate() {
            local[v] = k;
        }
        let part_sizes: Vec<(f64, f64)> = part.iter().map(|&v| sizes[v]).collect();
        let part_edges: Vec<usize> = (0..edges.len())
            .filter(|&e| part.contains(&edges[e].0))
            .collect();
        let local_edges: Vec<(usize, usize, bool)> = part_edges
            .iter()
            .map(|&e| (local[edges[e].0], local[edges[e].1], edges[e].2))
            .collect();
        let placed = lay(&part_sizes, &local_edges);
        let down = |p: Point| Point::new(p.x, p.y + top);
        for (k, &v) in part.iter().enumerate() {
            if let Some(r) = placed.nodes.get(k) {
                nodes[v] = Rect { y: r.y + top, ..*r };
            }
        }
        for (k, &e) in part_edges.iter().enumerate() {
            if let Some(path) = placed.edges.get(k) {
                paths[e] = Path {
                    start: path.start.map(down),
                    pieces: path.pieces.iter().map(|p| p.map(down)).collect(),
                };
            }
        }
        width = width.max(placed.width);
        top += placed.height + PART_GAP;
    }
    Placement {
        width,
        height: (top - PART_GAP).max(0.0),
        nodes,
        edges: paths,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::layered::layered;

    #[test]
    fn parts_are_stacked_with_the_marked_part_on_top() {
        let sizes = [(40.0, 20.0); 4];
        // Two parts: 0 → 1 and 2 → 3; node 3 is a red flag.
        let edges = [(0, 1, false), (2, 3, false)];
        let p = stacked(&sizes, &edges, &[false, false, false, true], layered);
        assert!(p.nodes[2].y + p.nodes[2].h < p.nodes[0].y, "{:?}", p.nodes);
        assert!(p.nodes[3].y + p.nodes[3].h < p.nodes[1].y, "{:?}", p.nodes);
        // Each edge still joins its own boxes.
        let end = p.edges[0].end().expect("a path");
        assert!((end.y - (p.nodes[1].y + p.nodes[1].h / 2.0)).abs() < p.nodes[1].h / 2.0);
        assert!(
            (p.height - (2.0 * 20.0 + PART_GAP)).abs() < 1e-6,
            "{}",
            p.height
        );
    }
}
