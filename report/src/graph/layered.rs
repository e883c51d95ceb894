//! sot's own layered (Sugiyama) layout, left to right: the fallback when Graphviz is not
//! installed. Cycles broken by reversing back edges; ranks by longest path, sources pulled
//! next to what reads them; long edges cut by dummy points, one per column they cross;
//! crossings reduced by median sweeps and swaps of neighbours; each column's positions
//! placed by isotonic regression towards the neighbours' positions.
//!
//! An edge never runs through a box, by construction: boxes stand in columns, each box or
//! dummy point in a horizontal band of its own; an edge runs horizontally inside its own
//! bands and curves only in the gaps between columns, where there are no boxes.

use super::geometry::{Path, Placement, Point, Rect};

/// Space between two boxes of a column.
const NODE_GAP: f64 = 16.0;
/// Space next to an edge passing through a column.
const DUMMY_GAP: f64 = 6.0;
/// Height of the band an edge passing through a column takes.
const DUMMY_H: f64 = 4.0;
/// The narrowest gap between two columns.
const COLUMN_GAP: f64 = 70.0;
/// How far into the gap on its left an edge between two boxes of one column reaches.
const SIDE_BULGE: f64 = 28.0;

/// One thing in a column: a node's box or a point an edge passes through.
struct Item {
    node: Option<usize>,
    w: f64,
    h: f64,
    rank: usize,
    y: f64,
}

/// Lays out nodes of the given sizes (width, height) and the edges between them (by index;
/// a `loose` edge, `true`, does not order the columns: categories that coexist).
pub fn layered(sizes: &[(f64, f64)], edges: &[(usize, usize, bool)]) -> Placement {
    let n = sizes.len();
    let firm: Vec<(usize, usize)> = edges.iter().filter(|e| !e.2).map(|e| (e.0, e.1)).collect();
    let firm_oriented = break_cycles(n, &firm);
    let rank = ranks(n, &firm_oriented);
    // Every edge from its lower column: firm ones as the walk turned them, loose ones by rank.
    let mut turned = firm_oriented.into_iter();
    let oriented: Vec<(usize, usize, bool)> = edges
        .iter()
        .map(|&(a, b, loose)| {
            if !loose {
                if let Some(edge) = turned.next() {
                    return edge;
                }
            }
            if rank[a] > rank[b] {
                (b, a, true)
            } else {
                (a, b, false)
            }
        })
        .collect();

    let mut items: Vec<Item> = (0..n)
        .map(|v| Item {
            node: Some(v),
            w: sizes[v].0,
            h: sizes[v].1,
            rank: rank[v],
            y: 0.0,
        })
        .collect();
    // Each edge as a chain of items, one per rank from its source to its target.
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    for &(from, to, _) in &oriented {
        let mut chain = vec![from];
        if from != to {
            for r in rank[from] + 1..rank[to] {
                items.push(Item {
                    node: None,
                    w: 0.0,
                    h: DUMMY_H,
                    rank: r,
                    y: 0.0,
                });
                chain.push(items.len() - 1);
            }
            chain.push(to);
        }
        chains.push(chain);
    }
    // An edge between two boxes of one column runs beside it, not across a gap.
    let beside = |chain: &Vec<usize>| chain.len() == 2 && rank[chain[0]] == rank[chain[1]];
    let side: Vec<(usize, usize)> = chains
        .iter()
        .filter(|c| beside(c))
        .map(|c| (c[0], c[1]))
        .collect();
    let mut links: Vec<(usize, usize)> = Vec::new();
    let chain_links: Vec<Vec<usize>> = chains
        .iter()
        .map(|c| {
            let links_of = if beside(c) { &c[..0] } else { &c[..] };
            links_of
                .windows(2)
                .map(|w| {
                    links.push((w[0], w[1]));
                    links.len() - 1
                })
                .collect()
        })
        .collect();

    let ranks_count = items.iter().map(|i| i.rank + 1).max().unwrap_or(0);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); ranks_count];
    for (i, item) in items.iter().enumerate() {
        layers[item.rank].push(i);
    }
    let item_rank: Vec<usize> = items.iter().map(|i| i.rank).collect();
    order(&mut layers, &links, &item_rank);
    place(&layers, &mut items, &links);

    // Columns: as wide as their widest box, gaps growing with the edges they carry.
    let mut col_x = Vec::with_capacity(ranks_count);
    let mut col_w = Vec::with_capacity(ranks_count);
    let mut x = if side.iter().any(|&(a, _)| rank[a] == 0) {
        SIDE_BULGE
    } else {
        0.0
    };
    for (r, layer) in layers.iter().enumerate() {
        let w = layer.iter().map(|&i| items[i].w).fold(0.0, f64::max);
        col_x.push(x);
        col_w.push(w);
        let carried = links.iter().filter(|(a, _)| items[*a].rank == r).count();
        x += w + COLUMN_GAP + (carried.min(40) as f64) * 1.5;
    }
    let rect = |i: usize| {
        let item = &items[i];
        Rect {
            x: col_x[item.rank] + (col_w[item.rank] - item.w) / 2.0,
            y: item.y - item.h / 2.0,
            w: item.w,
            h: item.h,
        }
    };
    let (out_y, in_y, side_y) = ports(&items, &links, &side);
    let mut sides = side.iter().zip(side_y);

    let mut paths = Vec::with_capacity(edges.len());
    for (e, chain) in chains.iter().enumerate() {
        let from = chain[0];
        let r = rect(from);
        if chain.len() < 2 {
            // An item that points at itself: a loop in the gap to its right.
            let right = r.x + r.w;
            let mut path = Path::from(Point::new(right, r.y + r.h / 3.0));
            path.pieces.push([
                Point::new(right + 24.0, r.y),
                Point::new(right + 24.0, r.y + r.h),
                Point::new(right, r.y + 2.0 * r.h / 3.0),
            ]);
            paths.push(path);
            continue;
        }
        if beside(chain) {
            // Out of the left side, round through the gap on the left, into the left side.
            if let Some((&(a, b), (ya, yb))) = sides.next() {
                let x = col_x[items[a].rank];
                let mut path = Path::from(Point::new(rect(a).x, ya));
                path.line(Point::new(x, ya));
                path.pieces.push([
                    Point::new(x - SIDE_BULGE, ya),
                    Point::new(x - SIDE_BULGE, yb),
                    Point::new(x, yb),
                ]);
                path.line(Point::new(rect(b).x, yb));
                paths.push(path);
            }
            continue;
        }
        let first = chain_links[e][0];
        let mut path = Path::from(Point::new(r.x + r.w, out_y[first]));
        for &link in &chain_links[e] {
            let (a, b) = links[link];
            let (ra, rb) = (items[a].rank, items[b].rank);
            path.line(Point::new(col_x[ra] + col_w[ra], out_y[link]));
            path.across(Point::new(col_x[rb], in_y[link]));
            if items[b].node.is_some() {
                path.line(Point::new(rect(b).x, in_y[link]));
            } else {
                path.line(Point::new(col_x[rb] + col_w[rb], in_y[link]));
            }
        }
        paths.push(if oriented[e].2 { path.reversed() } else { path });
    }

    let nodes: Vec<Rect> = (0..n).map(rect).collect();
    let height = items.iter().map(|i| i.y + i.h / 2.0).fold(0.0, f64::max);
    let width = (0..ranks_count)
        .map(|r| col_x[r] + col_w[r])
        .fold(0.0, f64::max);
    Placement {
        width,
        height,
        nodes,
        edges: paths,
    }
}

/// The edges with back edges (of a depth-first walk in node order) turned round, marked
/// `true`.
fn break_cycles(n: usize, edges: &[(usize, usize)]) -> Vec<(usize, usize, bool)> {
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, &(from, _)) in edges.iter().enumerate() {
        out_edges[from].push(e);
    }
    let mut state = vec![0u8; n]; // 0 new, 1 on the walk, 2 done
    let mut reversed = vec![false; edges.len()];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out_edges[v].get(*next) {
                *next += 1;
                let to = edges[e].1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 if to != v => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    edges
        .iter()
        .zip(reversed)
        .map(|(&(a, b), r)| if r { (b, a, true) } else { (a, b, false) })
        .collect()
}

/// Each node's column: the longest path to it; a node that reads nothing stands just
/// before the first column that reads it.
fn ranks(n: usize, edges: &[(usize, usize, bool)]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b, _) in edges {
        if a != b {
            indegree[b] += 1;
            succ[a].push(b);
        }
    }
    let sources: Vec<bool> = indegree.iter().map(|d| *d == 0).collect();
    let mut rank = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).rev().filter(|v| indegree[*v] == 0).collect();
    while let Some(v) = ready.pop() {
        for &w in &succ[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    for v in 0..n {
        if sources[v] {
            if let Some(first) = succ[v].iter().map(|w| rank[*w]).min() {
                rank[v] = first.saturating_sub(1);
            }
        }
    }
    rank
}

/// Orders each column to cross few edges: sweeps down and up that sort each column by the
/// median position of each item's neighbours, then swap neighbours, keeping the best order.
fn order(layers: &mut [Vec<usize>], links: &[(usize, usize)], rank: &[usize]) {
    let items = rank.len();
    let mut pos = vec![0.0f64; items];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); items];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); items];
    for &(a, b) in links {
        succs[a].push(b);
        preds[b].push(a);
    }
    for layer in layers.iter() {
        for (k, &i) in layer.iter().enumerate() {
            pos[i] = k as f64;
        }
    }
    let mut best = layers.to_vec();
    let mut best_crossings = crossings(links, rank, &pos);
    for sweep in 0..24 {
        let down = sweep % 2 == 0;
        let range: Vec<usize> = if down {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        let neighbours = if down { &preds } else { &succs };
        for l in range {
            let key = |i: usize| {
                let ns = &neighbours[i];
                if ns.is_empty() {
                    pos[i]
                } else {
                    let mut at: Vec<f64> = ns.iter().map(|j| pos[*j]).collect();
                    at.sort_by(f64::total_cmp);
                    let m = at.len() / 2;
                    if at.len() % 2 == 1 {
                        at[m]
                    } else {
                        (at[m - 1] + at[m]) / 2.0
                    }
                }
            };
            let mut keyed: Vec<(f64, f64, usize)> =
                layers[l].iter().map(|&i| (key(i), pos[i], i)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            layers[l] = keyed.into_iter().map(|k| k.2).collect();
            for (k, &i) in layers[l].iter().enumerate() {
                pos[i] = k as f64;
            }
        }
        transpose(layers, &preds, &succs, &mut pos);
        let c = crossings(links, rank, &pos);
        if c < best_crossings {
            best_crossings = c;
            best = layers.to_vec();
        }
    }
    layers.clone_from_slice(&best);
}

/// Swaps neighbours in a column while that crosses fewer links on either side.
fn transpose(
    layers: &mut [Vec<usize>],
    preds: &[Vec<usize>],
    succs: &[Vec<usize>],
    pos: &mut [f64],
) {
    // The crossings between the links of `u` and of `v` on one side, `u` above `v`.
    let pair = |ends: &[Vec<usize>], u: usize, v: usize, pos: &[f64]| -> usize {
        let mut c = 0;
        for a in &ends[u] {
            for b in &ends[v] {
                if pos[*a] > pos[*b] {
                    c += 1;
                }
            }
        }
        c
    };
    for _ in 0..4 {
        let mut improved = false;
        for layer in layers.iter_mut() {
            for k in 0..layer.len().saturating_sub(1) {
                let (u, v) = (layer[k], layer[k + 1]);
                let now = pair(preds, u, v, pos) + pair(succs, u, v, pos);
                let swapped = pair(preds, v, u, pos) + pair(succs, v, u, pos);
                if swapped < now {
                    layer.swap(k, k + 1);
                    pos[u] = (k + 1) as f64;
                    pos[v] = k as f64;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// How many pairs of links in the same column gap cross.
fn crossings(links: &[(usize, usize)], rank: &[usize], pos: &[f64]) -> usize {
    let mut count = 0;
    for (i, &(a1, b1)) in links.iter().enumerate() {
        for &(a2, b2) in &links[i + 1..] {
            if rank[a1] == rank[a2] && (pos[a1] - pos[a2]) * (pos[b1] - pos[b2]) < 0.0 {
                count += 1;
            }
        }
    }
    count
}

/// The distance between the centres of two neighbours in a column.
fn separation(a: &Item, b: &Item) -> f64 {
    let gap = if a.node.is_some() && b.node.is_some() {
        NODE_GAP
    } else {
        DUMMY_GAP
    };
    (a.h + b.h) / 2.0 + gap
}

/// Places each column's items top to bottom in their order, each as near the mean of its
/// neighbours' positions as the order and the gaps allow (isotonic regression).
fn place(layers: &[Vec<usize>], items: &mut [Item], links: &[(usize, usize)]) {
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for &(a, b) in links {
        succs[a].push(b);
        preds[b].push(a);
    }
    for layer in layers {
        let mut y = 0.0;
        for (k, &i) in layer.iter().enumerate() {
            if k > 0 {
                y += separation(&items[layer[k - 1]], &items[i]);
            }
            items[i].y = y;
        }
    }
    for pass in 0..20 {
        let down = pass % 2 == 0;
        let both = pass >= 16;
        let order: Vec<usize> = if down {
            (0..layers.len()).collect()
        } else {
            (0..layers.len()).rev().collect()
        };
        for l in order {
            let layer = &layers[l];
            let mut offsets = Vec::with_capacity(layer.len());
            let mut targets = Vec::with_capacity(layer.len());
            let mut offset = 0.0;
            for (k, &i) in layer.iter().enumerate() {
                if k > 0 {
                    offset += separation(&items[layer[k - 1]], &items[i]);
                }
                let mut ns: Vec<usize> = Vec::new();
                if down || both {
                    ns.extend(&preds[i]);
                }
                if !down || both {
                    ns.extend(&succs[i]);
                }
                if ns.is_empty() {
                    ns.extend(preds[i].iter().chain(&succs[i]));
                }
                let desired = if ns.is_empty() {
                    items[i].y
                } else {
                    ns.iter().map(|j| items[*j].y).sum::<f64>() / ns.len() as f64
                };
                offsets.push(offset);
                targets.push(desired - offset);
            }
            for (k, z) in non_decreasing_fit(&targets).into_iter().enumerate() {
                items[layer[k]].y = z + offsets[k];
            }
        }
    }
    compact(items);
    let top = items
        .iter()
        .map(|i| i.y - i.h / 2.0)
        .fold(f64::INFINITY, f64::min);
    if top.is_finite() {
        for item in items.iter_mut() {
            item.y -= top;
        }
    }
}

/// Closes the horizontal bands that no column has anything in down to one gap: what lies
/// below moves up together, so each column keeps its order and spacing (edges are drawn
/// afterwards, from the positions).
fn compact(items: &mut [Item]) {
    let mut spans: Vec<(f64, f64)> = items
        .iter()
        .map(|i| (i.y - i.h / 2.0, i.y + i.h / 2.0))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    // (where the band ends, how much to take out of it), top to bottom.
    let mut cuts: Vec<(f64, f64)> = Vec::new();
    let mut reach = f64::NEG_INFINITY;
    for (top, bottom) in spans {
        if reach.is_finite() && top - reach > NODE_GAP {
            cuts.push((top, top - reach - NODE_GAP));
        }
        reach = reach.max(bottom);
    }
    for item in items.iter_mut() {
        let top = item.y - item.h / 2.0;
        let up: f64 = cuts.iter().filter(|c| c.0 <= top).map(|c| c.1).sum();
        item.y -= up;
    }
}

/// The non-decreasing sequence nearest to `targets` in least squares (pool adjacent
/// violators).
fn non_decreasing_fit(targets: &[f64]) -> Vec<f64> {
    // Blocks of (sum, count).
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for &t in targets {
        blocks.push((t, 1));
        while blocks.len() >= 2 {
            let (s2, c2) = blocks[blocks.len() - 1];
            let (s1, c1) = blocks[blocks.len() - 2];
            if s1 / c1 as f64 <= s2 / c2 as f64 {
                break;
            }
            blocks.pop();
            if let Some(last) = blocks.last_mut() {
                *last = (s1 + s2, c1 + c2);
            }
        }
    }
    blocks
        .into_iter()
        .flat_map(|(s, c)| std::iter::repeat_n(s / c as f64, c))
        .collect()
}

/// Where each link leaves its source and enters its target, and where each edge beside a
/// column leaves and enters its boxes: a box spreads the ends on each side over its height in
/// the order of the other ends (links on the right, incoming links and edges beside its
/// column on the left); a point an edge passes through has one.
type Ports = (Vec<f64>, Vec<f64>, Vec<(f64, f64)>);

fn ports(items: &[Item], links: &[(usize, usize)], side: &[(usize, usize)]) -> Ports {
    /// One end on a box's side: which link or side edge, and whether it is the side edge's
    /// start.
    #[derive(Clone, Copy)]
    enum End {
        Out(usize),
        In(usize),
        Side(usize, bool),
    }
    let mut out_y = vec![0.0; links.len()];
    let mut in_y = vec![0.0; links.len()];
    let mut side_y = vec![(0.0, 0.0); side.len()];
    let mut right: Vec<Vec<End>> = vec![Vec::new(); items.len()];
    let mut left: Vec<Vec<End>> = vec![Vec::new(); items.len()];
    for (l, &(a, b)) in links.iter().enumerate() {
        right[a].push(End::Out(l));
        left[b].push(End::In(l));
    }
    for (k, &(a, b)) in side.iter().enumerate() {
        left[a].push(End::Side(k, true));
        left[b].push(End::Side(k, false));
    }
    let other = |end: End| match end {
        End::Out(l) => items[links[l].1].y,
        End::In(l) => items[links[l].0].y,
        End::Side(k, start) => items[if start { side[k].1 } else { side[k].0 }].y,
    };
    for (i, item) in items.iter().enumerate() {
        for list in [&mut right[i], &mut left[i]] {
            list.sort_by(|&p, &q| other(p).total_cmp(&other(q)));
            let count = list.len() as f64;
            for (k, &end) in list.iter().enumerate() {
                let y = if item.node.is_some() {
                    item.y - item.h / 2.0 + item.h * (k as f64 + 1.0) / (count + 1.0)
                } else {
                    item.y
                };
                match end {
                    End::Out(l) => out_y[l] = y,
                    End::In(l) => in_y[l] = y,
                    End::Side(s, true) => side_y[s].0 = y,
                    End::Side(s, false) => side_y[s].1 = y,
                }
            }
        }
    }
    (out_y, in_y, side_y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_pools_violators() {
        assert_eq!(non_decreasing_fit(&[1.0, 3.0, 2.0]), vec![1.0, 2.5, 2.5]);
        assert_eq!(non_decreasing_fit(&[3.0, 2.0, 1.0]), vec![2.0, 2.0, 2.0]);
    }

    #[test]
    fn a_chain_runs_left_to_right_and_a_cycle_is_drawn() {
        let sizes = [(40.0, 20.0), (60.0, 20.0), (30.0, 20.0)];
        let p = layered(&sizes, &[(0, 1, false), (1, 2, false), (2, 0, false)]);
        assert!(p.nodes[0].x + p.nodes[0].w < p.nodes[1].x);
        assert!(p.nodes[1].x + p.nodes[1].w < p.nodes[2].x);
        // The edge that closes the cycle is drawn backwards: it ends at node 0's right side.
        let end = p.edges[2].end().expect("a path");
        assert!(
            (end.x - (p.nodes[0].x + p.nodes[0].w)).abs() < 1e-6,
            "{end:?}"
        );
        assert_eq!(p.edges.len(), 3);
    }

    #[test]
    fn a_loose_edge_in_one_column_runs_beside_it() {
        // 0 → 1 and 0 → 2 put 1 and 2 in one column; 1 → 2 is loose.
        let sizes = [(40.0, 20.0), (60.0, 20.0), (80.0, 20.0)];
        let p = layered(&sizes, &[(0, 1, false), (0, 2, false), (1, 2, true)]);
        assert_eq!(
            p.nodes[1].x + p.nodes[1].w / 2.0,
            p.nodes[2].x + p.nodes[2].w / 2.0
        );
        let path = &p.edges[2];
        let column_left = p.nodes[2].x;
        let start = path.start.expect("a path");
        assert!((start.x - p.nodes[1].x).abs() < 1e-6, "{start:?}");
        let end = path.end().expect("a path");
        assert!((end.x - column_left).abs() < 1e-6, "{end:?}");
        assert!(path
            .pieces
            .iter()
            .flatten()
            .all(|q| q.x <= p.nodes[1].x + 1e-6));
    }

    #[test]
    fn compaction_closes_empty_bands_and_keeps_the_rest() {
        let item = |rank, y| Item {
            node: Some(0),
            w: 10.0,
            h: 20.0,
            rank,
            y,
        };
        // Two columns; nothing between y = 40 and y = 490.
        let mut items = vec![item(0, 0.0), item(1, 30.0), item(0, 500.0), item(1, 530.0)];
        compact(&mut items);
        let ys: Vec<f64> = items.iter().map(|i| i.y).collect();
        // The lower pair moves up by the band less one gap, keeping its own offsets.
        let up = (490.0 - 40.0) - NODE_GAP;
        assert_eq!(ys, vec![0.0, 30.0, 500.0 - up, 530.0 - up]);
    }
}
