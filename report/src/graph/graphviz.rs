//! Graphviz `dot` as the layout engine, when it is installed: the graph goes to it as DOT
//! with every box's measured size fixed, and its placement comes back in its `plain` format
//! (positions in inches, y upwards), from which the SVG is drawn like the built-in layout's.

use std::collections::{HashMap, VecDeque};

use super::geometry::{Path, Placement, Point, Rect};

/// Points (Graphviz's unit, 1/72 inch) per inch; one point is drawn as one SVG pixel.
const PER_INCH: f64 = 72.0;

/// The DOT text that asks `dot -Tplain` to place boxes of these sizes (pixels) and these
/// edges (by index); `loose` edges do not order the ranks (categories that coexist).
pub fn input(sizes: &[(f64, f64)], edges: &[(usize, usize, bool)]) -> String {
    let mut out = String::from(
        "digraph layout {\n  rankdir=LR;\n  nodesep=0.22;\n  ranksep=0.9;\n  \
         node [shape=box, fixedsize=true, label=\"\"];\n  edge [arrowhead=none];\n",
    );
    for (i, (w, h)) in sizes.iter().enumerate() {
        out.push_str(&format!(
            "  n{i} [width={:.4}, height={:.4}];\n",
            w / PER_INCH,
            h / PER_INCH
        ));
    }
    for &(a, b, loose) in edges {
        let attrs = if loose { " [constraint=false]" } else { "" };
        out.push_str(&format!("  n{a} -> n{b}{attrs};\n"));
    }
    out.push_str("}\n");
    out
}

/// The placement in `plain` (the output of `dot -Tplain` on [`input`]), or `None` when it
/// does not describe every node and edge.
pub fn placement(plain: &str, nodes: usize, edges: &[(usize, usize, bool)]) -> Option<Placement> {
    let mut height = None;
    let mut width = 0.0;
    let mut rects: Vec<Option<Rect>> = vec![None; nodes];
    // Paths by (tail, head), in the order dot wrote them.
    let mut paths: HashMap<(usize, usize), VecDeque<Vec<Point>>> = HashMap::new();
    let node_index = |name: &str| -> Option<usize> {
        let i: usize = name.strip_prefix('n')?.parse().ok()?;
        (i < nodes).then_some(i)
    };
    for line in plain.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let number = |i: usize| -> Option<f64> { words.get(i)?.parse::<f64>().ok() };
        match words.first() {
            Some(&"graph") => {
                width = number(2)? * PER_INCH;
                height = Some(number(3)? * PER_INCH);
            }
            Some(&"node") => {
                let h_total = height?;
                let i = node_index(words.get(1)?)?;
                let (x, y) = (number(2)? * PER_INCH, number(3)? * PER_INCH);
                let (w, h) = (number(4)? * PER_INCH, number(5)? * PER_INCH);
                rects[i] = Some(Rect {
                    x: x - w / 2.0,
                    y: h_total - y - h / 2.0,
                    w,
                    h,
                });
            }
            Some(&"edge") => {
                let h_total = height?;
                let tail = node_index(words.get(1)?)?;
                let head = node_index(words.get(2)?)?;
                let count: usize = words.get(3)?.parse().ok()?;
                let points = (0..count)
                    .map(|k| {
                        Some(Point::new(
                            number(4 + 2 * k)? * PER_INCH,
                            h_total - number(5 + 2 * k)? * PER_INCH,
                        ))
                    })
                    .collect::<Option<Vec<Point>>>()?;
                paths.entry((tail, head)).or_default().push_back(points);
            }
            _ => {}
        }
    }
    let nodes = rects.into_iter().collect::<Option<Vec<Rect>>>()?;
    let mut out_edges = Vec::with_capacity(edges.len());
    for &(a, b, _) in edges {
        let points = paths.get_mut(&(a, b)).and_then(VecDeque::pop_front)?;
        out_edges.push(bezier(&points)?);
    }
    Some(Placement {
        width,
        height: height?,
        nodes,
        edges: out_edges,
    })
}

/// A path from Graphviz's B-spline control points: a start and three points per piece.
fn bezier(points: &[Point]) -> Option<Path> {
    let (first, rest) = points.split_first()?;
    if rest.is_empty() || rest.len() % 3 != 0 {
        return None;
    }
    let mut path = Path::from(*first);
    for piece in rest.chunks(3) {
        path.pieces.push([piece[0], piece[1], piece[2]]);
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dots_plain_output() {
        // What dot 2.43 writes for two boxes and one edge, rankdir=LR.
        let plain = "graph 1 3.5 1\nnode n0 1 0.5 2 0.5 \"\" solid box black lightgrey\n\
                     node n1 3 0.5 1 1 \"\" solid box black lightgrey\n\
                     edge n0 n1 4 2.0058 0.40625 2.1765 0.40634 2.347 0.41017 2.4968 0.41775 solid black\nstop\n";
        let p = placement(plain, 2, &[(0, 1, false)]).expect("placement");
        assert_eq!(
            p.nodes[0],
            Rect {
                x: 0.0,
                y: 18.0,
                w: 144.0,
                h: 36.0
            }
        );
        assert!((p.height - 72.0).abs() < 1e-9 && (p.width - 252.0).abs() < 1e-9);
        assert_eq!(p.edges[0].pieces.len(), 1);
        // An edge dot did not place: no placement, so the caller falls back.
        assert!(placement(plain, 2, &[(0, 1, false), (1, 0, false)]).is_none());
        assert!(placement("garbage", 2, &[]).is_none());
    }
}
