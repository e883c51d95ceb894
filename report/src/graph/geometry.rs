//! Where a layout put things: boxes and edge paths, in SVG pixels (y grows downwards).

/// A point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Across.
    pub x: f64,
    /// Down.
    pub y: f64,
}

impl Point {
    /// The point at `x`, `y`.
    pub fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }
}

/// A box: its top-left corner and its size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// An edge's path: a start and cubic Bézier pieces (control, control, end); a straight
/// piece has its control points on the line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Path {
    /// Where the edge leaves its source.
    pub start: Option<Point>,
    /// The pieces, in order; the last ends at the target.
    pub pieces: Vec<[Point; 3]>,
}

impl Path {
    /// A path from `start`.
    pub fn from(start: Point) -> Path {
        Path {
            start: Some(start),
            pieces: Vec::new(),
        }
    }

    /// Where the path is now.
    pub fn end(&self) -> Option<Point> {
        self.pieces.last().map(|p| p[2]).or(self.start)
    }

    /// A straight piece to `to` (none when already there).
    pub fn line(&mut self, to: Point) {
        let Some(from) = self.end() else { return };
        if (from.x - to.x).abs() < 1e-9 && (from.y - to.y).abs() < 1e-9 {
            return;
        }
        let at = |t: f64| Point::new(from.x + (to.x - from.x) * t, from.y + (to.y - from.y) * t);
        self.pieces.push([at(1.0 / 3.0), at(2.0 / 3.0), to]);
    }

    /// A curve to `to` that leaves and arrives horizontally, staying between the two x.
    pub fn across(&mut self, to: Point) {
        let Some(from) = self.end() else { return };
        let mid = (from.x + to.x) / 2.0;
        self.pieces
            .push([Point::new(mid, from.y), Point::new(mid, to.y), to]);
    }

    /// The same path walked the other way.
    pub fn reversed(&self) -> Path {
        let Some(start) = self.start else {
            return Path::default();
        };
        let mut ends: Vec<Point> = vec![start];
        ends.extend(self.pieces.iter().map(|p| p[2]));
        let mut out = Path::from(*ends.last().unwrap_or(&start));
        for (i, piece) in self.pieces.iter().enumerate().rev() {
            out.pieces.push([piece[1], piece[0], ends[i]]);
        }
        out
    }
}

/// A laid-out graph: one box per node and one path per edge, in the order given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Placement {
    /// The drawing's width.
    pub width: f64,
    /// The drawing's height.
    pub height: f64,
    /// The nodes' boxes.
    pub nodes: Vec<Rect>,
    /// The edges' paths.
    pub edges: Vec<Path>,
}
