//! `sot graph --format svg` read back as a person would see it, for every library file and
//! both layouts: every text fits its box (measured with the font the SVG names), no two boxes
//! overlap, no edge runs through a box it does not join, the legend is there; and the views
//! `--focus` and `--category` hold the items they should.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sot(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("sot runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every protocol of the library: protocols/sot, protocols/examples, protocols/cases.
fn library_files() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["protocols/sot", "protocols/examples", "protocols/cases"] {
        let entries = std::fs::read_dir(repo().join(dir)).expect("library folder");
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "sot") {
                let name = path.file_name().expect("name").to_string_lossy();
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    // Red flags bound to categories, and categories that coexist.
    files.push("tests/fixtures/run/red_flag_in_category.sot".into());
    files
}

/// Whether Graphviz `dot` runs here; `SOT_REQUIRE_GRAPHVIZ=1` makes its absence a failure.
fn graphviz() -> bool {
    let found = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("SOT_REQUIRE_GRAPHVIZ").is_none(),
            "Graphviz is required (SOT_REQUIRE_GRAPHVIZ) but not installed"
        );
        eprintln!("Graphviz is not installed: only the built-in layout is checked");
    }
    found
}

/// The layouts to check: the built-in one always, Graphviz where it is installed.
fn layouts() -> Vec<&'static str> {
    let mut layouts = vec!["builtin"];
    if graphviz() {
        layouts.push("graphviz");
    }
    layouts
}

/// The width of `text` at `size` pixels in the font the SVG names, measured here apart from
/// sot's own measuring.
fn measured(text: &str, size: f64) -> f64 {
    let font = std::fs::read(repo().join("report/fonts/DejaVuSans.ttf")).expect("font");
    let face = ttf_parser::Face::parse(&font, 0).expect("font parses");
    let m = face
        .glyph_index('M')
        .and_then(|g| face.glyph_hor_advance(g));
    let units: u32 = text
        .chars()
        .map(|c| {
            u32::from(
                face.glyph_index(c)
                    .and_then(|g| face.glyph_hor_advance(g))
                    .or(m)
                    .unwrap_or(0),
            )
        })
        .sum();
    f64::from(units) * size / f64::from(face.units_per_em())
}

#[derive(Clone, Copy, Debug)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn of(node: roxmltree::Node) -> Rect {
        let n = |a: &str| -> f64 {
            node.attribute(a)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("rect without {a}"))
        };
        Rect {
            x: n("x"),
            y: n("y"),
            w: n("width"),
            h: n("height"),
        }
    }

    /// Whether `(x, y)` is inside, `inset` pixels from the sides.
    fn holds(&self, x: f64, y: f64, inset: f64) -> bool {
        x > self.x + inset
            && x < self.x + self.w - inset
            && y > self.y + inset
            && y < self.y + self.h - inset
    }

    fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// Every point of a path's `d` (`M x,y C x,y x,y x,y …`), the curves sampled finely.
fn path_points(d: &str) -> Vec<(f64, f64)> {
    let numbers: Vec<f64> = d
        .split([' ', ',', 'M', 'C'])
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap_or_else(|_| panic!("number in {d}")))
        .collect();
    assert!(numbers.len() >= 8 && numbers.len() % 6 == 2, "{d}");
    let mut points = vec![(numbers[0], numbers[1])];
    let mut at = (numbers[0], numbers[1]);
    for piece in numbers[2..].chunks(6) {
        let (c1, c2, end) = (
            (piece[0], piece[1]),
            (piece[2], piece[3]),
            (piece[4], piece[5]),
        );
        for k in 1..=40 {
            let t = f64::from(k) / 40.0;
            let u = 1.0 - t;
            let b = |p0: f64, p1: f64, p2: f64, p3: f64| {
                u * u * u * p0 + 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t * p3
            };
            points.push((b(at.0, c1.0, c2.0, end.0), b(at.1, c1.1, c2.1, end.1)));
        }
        at = end;
    }
    points
}

fn number(node: roxmltree::Node, attribute: &str) -> f64 {
    node.attribute(attribute)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {attribute} on {node:?}"))
}

/// The texts of `scope` (elements and their words).
fn texts<'a>(scope: roxmltree::Node<'a, 'a>) -> Vec<roxmltree::Node<'a, 'a>> {
    scope
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .collect()
}

/// A text's extent across: (left, right), from its anchor and measured width.
fn extent(text: roxmltree::Node) -> (f64, f64, f64) {
    let words = text.text().unwrap_or_default();
    let size = number(text, "font-size");
    let width = measured(words, size);
    let x = number(text, "x");
    // sot writes the measured width for viewers without the font; it must be the real one.
    let said = number(text, "textLength");
    assert!(
        (said - width).abs() < 0.02,
        "{words}: textLength {said}, measured {width}"
    );
    match text.attribute("text-anchor") {
        Some("middle") => (x - width / 2.0, x + width / 2.0, size),
        _ => (x, x + width, size),
    }
}

/// What is wrong with the SVG of `sot graph ARGS` laid out by `layout` (nothing: an empty
/// list).
fn problems(args: &[&str], layout: &str) -> Vec<String> {
    let mut all = vec!["graph", "--format", "svg", "--layout", layout];
    all.extend(args);
    let out = sot(&all);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    let engine = if layout == "graphviz" {
        "Graphviz dot"
    } else {
        "built-in"
    };
    problems_in(&stdout(&out), engine)
}

/// What is wrong with `svg`, said to be laid out by `engine`.
fn problems_in(svg: &str, engine: &str) -> Vec<String> {
    let file = "the SVG";
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{file}: {e}"));
    let root = doc.root_element();
    let mut problems = Vec::new();
    assert!(
        root.attribute("font-family")
            .is_some_and(|f| f.starts_with("'DejaVu Sans'")),
        "{file}: the measured font comes first"
    );
    let (width, height) = (number(root, "width"), number(root, "height"));

    let mut boxes: Vec<(String, Rect)> = Vec::new();
    for node in root
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("node ")))
    {
        let id = node.attribute("data-id").expect("node id").to_string();
        let rect = Rect::of(
            node.children()
                .find(|c| c.has_tag_name("rect"))
                .expect("box"),
        );
        if rect.x < 0.0 || rect.y < 0.0 || rect.x + rect.w > width || rect.y + rect.h > height {
            problems.push(format!("{id}: box outside the drawing"));
        }
        for text in texts(node) {
            let (left, right, size) = extent(text);
            let y = number(text, "y");
            let words = text.text().unwrap_or_default();
            // At least 8 pixels each side, and the line between the box's top and bottom.
            if left < rect.x + 8.0 || right > rect.x + rect.w - 8.0 {
                problems.push(format!(
                    "{id}: `{words}` ({left:.1}..{right:.1}) overflows its box ({:.1}..{:.1})",
                    rect.x,
                    rect.x + rect.w
                ));
            }
            if y - 0.76 * size < rect.y || y + 0.24 * size > rect.y + rect.h {
                problems.push(format!("{id}: `{words}` is not within its box's height"));
            }
        }
        boxes.push((id, rect));
    }
    for (i, (a, ra)) in boxes.iter().enumerate() {
        for (b, rb) in &boxes[i + 1..] {
            if ra.overlaps(rb) {
                problems.push(format!("boxes {a} and {b} overlap"));
            }
        }
    }
    for edge in root
        .descendants()
        .filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("edge ")))
    {
        let from = edge.attribute("data-from").expect("from");
        let to = edge.attribute("data-to").expect("to");
        let points = path_points(edge.attribute("d").expect("d"));
        for (id, rect) in &boxes {
            if id == from || id == to {
                continue;
            }
            if points.iter().any(|&(x, y)| rect.holds(x, y, 1.0)) {
                problems.push(format!("edge {from} → {to} runs through {id}"));
            }
        }
        // It starts at its source's box and ends at its target's.
        let near = |id: &str, (x, y): (f64, f64)| {
            boxes.iter().any(|(b, r)| {
                b == id
                    && x >= r.x - 2.0
                    && x <= r.x + r.w + 2.0
                    && y >= r.y - 2.0
                    && y <= r.y + r.h + 2.0
            })
        };
        if !near(from, points[0]) || !near(to, points[points.len() - 1]) {
            problems.push(format!("edge {from} → {to} does not join its boxes"));
        }
    }

    let legend = root
        .descendants()
        .find(|n| n.attribute("class") == Some("legend"))
        .unwrap_or_else(|| panic!("{file}: no legend"));
    let frame = Rect::of(
        legend
            .children()
            .find(|n| n.attribute("class") == Some("legend-frame"))
            .expect("legend frame"),
    );
    let words: Vec<&str> = texts(legend).iter().filter_map(|t| t.text()).collect();
    for kind in [
        "indicator",
        "table",
        "category",
        "rule",
        "adjustment",
        "red flag",
        "check",
    ] {
        if !words.contains(&kind) {
            problems.push(format!("the legend lacks `{kind}`"));
        }
    }
    for relation in [
        "reads",
        "in category",
        "recommends",
        "checked after",
        "coexists with",
    ] {
        if !words.iter().any(|w| w.starts_with(relation)) {
            problems.push(format!("the legend lacks `{relation}`"));
        }
    }
    for text in texts(legend) {
        let (left, right, _) = extent(text);
        if left < frame.x || right > frame.x + frame.w {
            problems.push(format!(
                "legend text `{}` overflows the legend",
                text.text().unwrap_or_default()
            ));
        }
    }
    if !words.iter().any(|w| w.contains(engine)) {
        problems.push(format!("the legend does not say the layout ({engine})"));
    }
    problems
}

#[test]
fn every_library_file_draws_readably() {
    let mut all = Vec::new();
    for layout in layouts() {
        for file in library_files() {
            all.extend(
                problems(&[&file], layout)
                    .into_iter()
                    .map(|p| format!("{layout} {file}: {p}")),
            );
        }
        for view in [
            &["--focus", "short_leg", "protocols/sot/cmrt.sot"][..],
            &[
                "--focus",
                "category_two_blocking",
                "--depth",
                "3",
                "protocols/sot/cmrt.sot",
            ],
            &["--category", "II", "protocols/sot/cmrt.sot"],
            &[
                "--category",
                "III",
                "tests/fixtures/run/red_flag_in_category.sot",
            ],
        ] {
            all.extend(
                problems(view, layout)
                    .into_iter()
                    .map(|p| format!("{layout} {view:?}: {p}")),
            );
        }
    }
    assert!(
        all.is_empty(),
        "{} problems:\n{}",
        all.len(),
        all.join("\n")
    );
}

/// The checks above find what they look for: a text wider than its box, boxes that overlap,
/// an edge through a box, a wrong `textLength`, a legend without its words.
#[test]
fn the_checks_catch_an_unreadable_drawing() {
    let wide = measured("a_long_indicator_name", 14.0);
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400" font-family="'DejaVu Sans', sans-serif">
<g class="legend"><rect class="legend-frame" x="0" y="0" width="100" height="40"/>
<text x="5" y="20" font-size="12" textLength="{legend_w}">indicator</text></g>
<path class="edge reads" data-from="a" data-to="c" d="M60,215 C150,215 250,215 350,215"/>
<g class="node indicator" data-id="a"><rect x="10" y="200" width="50" height="30"/>
<text x="35" y="220" font-size="14" text-anchor="middle" textLength="{wide}">a_long_indicator_name</text></g>
<g class="node rule" data-id="b"><rect x="150" y="190" width="60" height="50"/></g>
<g class="node rule" data-id="c"><rect x="350" y="200" width="60" height="30"/></g>
<g class="node rule" data-id="d"><rect x="380" y="210" width="60" height="30"/></g>
</svg>"#,
        legend_w = measured("indicator", 12.0),
    );
    let found = problems_in(&svg, "built-in");
    for expected in [
        "a: `a_long_indicator_name`",
        "boxes c and d overlap",
        "edge a → c runs through b",
        "the legend lacks `red flag`",
        "the legend lacks `recommends`",
        "the legend does not say the layout",
    ] {
        assert!(
            found.iter().any(|p| p.starts_with(expected)),
            "{expected} not found in {found:#?}"
        );
    }
    assert!(
        !found.iter().any(|p| p.contains("runs through d")),
        "{found:#?}"
    );
}

#[test]
#[should_panic(expected = "textLength")]
fn a_text_length_that_is_not_the_measured_width_is_caught() {
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400" font-family="'DejaVu Sans'">
<g class="legend"><rect class="legend-frame" x="0" y="0" width="100" height="40"/></g>
<g class="node rule" data-id="b"><rect x="150" y="190" width="200" height="50"/>
<text x="250" y="220" font-size="14" text-anchor="middle" textLength="20">block_two</text></g>
</svg>"#;
    problems_in(svg, "built-in");
}

/// The node ids of a DOT graph.
fn dot_nodes(dot: &str) -> BTreeSet<String> {
    dot.lines()
        .filter(|l| l.contains(" [label=") && !l.contains(" -> "))
        .filter_map(|l| {
            l.trim()
                .strip_prefix('"')?
                .split('"')
                .next()
                .map(str::to_string)
        })
        .collect()
}

fn view(args: &[&str]) -> BTreeSet<String> {
    let mut all = vec!["graph"];
    all.extend(args);
    let out = sot(&all);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    dot_nodes(&stdout(&out))
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

const EXAMPLE: &str = "protocols/examples/first_look.sot";

#[test]
fn focus_shows_what_an_item_reads_and_what_reads_it() {
    let rule = [
        "rule:block_category_two",
        "indicator:osteoporosis",
        "indicator:short_leg",
        "category:II",
        "adjustment:block",
    ];
    assert_eq!(
        view(&["--focus", "block_category_two", EXAMPLE]),
        set(&rule)
    );
    assert_eq!(
        view(&["--focus", "rule:block_category_two", EXAMPLE]),
        set(&rule)
    );
    // Two steps: what category II reads, and the check after the adjustment.
    let mut two = rule.to_vec();
    two.extend(["indicator:arm_fossa", "check:arm_fossa_clears"]);
    assert_eq!(
        view(&["--focus", "block_category_two", "--depth", "2", EXAMPLE]),
        set(&two)
    );
    // An indicator: itself and what reads it.
    assert_eq!(
        view(&["--focus", "arm_fossa", EXAMPLE]),
        set(&[
            "indicator:arm_fossa",
            "category:II",
            "check:arm_fossa_clears"
        ])
    );
    assert_eq!(
        view(&["--focus", "II", "--depth", "0", EXAMPLE]),
        set(&["category:II"])
    );
    // The focused item is drawn stronger, and only it.
    let svg = stdout(&sot(&[
        "graph",
        "--format",
        "svg",
        "--focus",
        "short_leg",
        EXAMPLE,
    ]));
    assert_eq!(svg.matches(" focus\"").count(), 1, "{svg}");
    assert!(
        svg.contains("<g class=\"node indicator focus\" data-id=\"indicator:short_leg\">"),
        "{svg}"
    );
    let whole = stdout(&sot(&["graph", "--format", "svg", EXAMPLE]));
    assert!(!whole.contains(" focus\""), "{whole}");
    let mermaid = stdout(&sot(&[
        "graph",
        "--format",
        "mermaid",
        "--focus",
        "short_leg",
        EXAMPLE,
    ]));
    assert!(
        mermaid.contains("style indicator_short_leg stroke-width:4px"),
        "{mermaid}"
    );
}

#[test]
fn category_shows_its_indicators_rules_adjustments_checks_and_red_flags() {
    assert_eq!(
        view(&["--category", "II", EXAMPLE]),
        set(&[
            "category:II",
            "indicator:arm_fossa",
            "rule:block_category_two",
            "indicator:osteoporosis",
            "indicator:short_leg",
            "adjustment:block",
            "check:arm_fossa_clears",
        ])
    );
    let iii = view(&[
        "--category",
        "III",
        "tests/fixtures/run/red_flag_in_category.sot",
    ]);
    assert!(iii.contains("red_flag:motor_deficit"), "{iii:?}");
    assert!(!iii.contains("red_flag:test_flag_one"), "{iii:?}");
    assert!(!iii.contains("category:II"), "{iii:?}");
    // The views are the same in Mermaid.
    let mermaid = stdout(&sot(&[
        "graph",
        "--format",
        "mermaid",
        "--category",
        "II",
        EXAMPLE,
    ]));
    assert!(
        mermaid.contains("rule_block_category_two") && !mermaid.contains("category_III"),
        "{mermaid}"
    );
    let focused = stdout(&sot(&["graph", "--focus", "block_category_two", EXAMPLE]));
    insta::assert_snapshot!("graph_focus_dot", focused);
}

#[test]
fn an_unknown_item_or_category_is_an_error_with_a_suggestion() {
    let out = sot(&["graph", "--focus", "arm_fosa", EXAMPLE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no item `arm_fosa` in this protocol; did you mean `arm_fossa`?"),
        "{}",
        stderr(&out)
    );
    let out = sot(&["graph", "--format", "svg", "--category", "IV", EXAMPLE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no category `IV` in this protocol")
            && stderr(&out).contains("(categories: I, II, III)"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

/// Without Graphviz on the PATH, `auto` falls back to the built-in layout and says so in
/// the legend; `--layout graphviz` is an error.
#[test]
fn without_graphviz_the_built_in_layout_is_used() {
    let empty = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no_graphviz_path");
    std::fs::create_dir_all(&empty).expect("dir");
    let run = |layout: &str| {
        Command::new(env!("CARGO_BIN_EXE_sot"))
            .args(["graph", "--format", "svg", "--layout", layout, EXAMPLE])
            .current_dir(repo())
            .env("PATH", &empty)
            .output()
            .expect("sot runs")
    };
    let auto = run("auto");
    assert_eq!(auto.status.code(), Some(0), "{}", stderr(&auto));
    assert!(
        stdout(&auto).contains("Laid out by sot&#39;s built-in layered layout."),
        "{}",
        stdout(&auto)
    );
    let forced = run("graphviz");
    assert_eq!(forced.status.code(), Some(2));
    assert!(stderr(&forced).contains("Graphviz"), "{}", stderr(&forced));
    if graphviz() {
        let out = sot(&["graph", "--format", "svg", EXAMPLE]);
        assert!(
            stdout(&out).contains("Laid out by Graphviz dot."),
            "auto uses Graphviz when it is there"
        );
    }
}

#[test]
fn the_svg_is_the_same_on_every_run() {
    for layout in layouts() {
        let args = [
            "graph",
            "--format",
            "svg",
            "--layout",
            layout,
            "protocols/sot/cmrt.sot",
        ];
        let first = stdout(&sot(&args));
        for _ in 0..3 {
            assert_eq!(first, stdout(&sot(&args)), "{layout}");
        }
    }
}
