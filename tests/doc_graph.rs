//! End-to-end tests of `sot doc`, `sot graph`, completions and the manual page; the HTML
//! outputs are opened in headless Chromium.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sot_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sot"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("sot runs")
}

fn sot(args: &[&str]) -> Output {
    sot_in(repo(), args)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

const EXAMPLE: &str = "protocols/examples/first_look.sot";

#[test]
fn handbook_markdown() {
    let out = sot(&["doc", EXAMPLE]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn graph_dot_and_mermaid() {
    let dot = sot(&["graph", EXAMPLE]);
    assert_eq!(dot.status.code(), Some(0));
    insta::assert_snapshot!("graph_dot", stdout(&dot));
    let mermaid = sot(&["graph", "--format", "mermaid", EXAMPLE]);
    insta::assert_snapshot!("graph_mermaid", stdout(&mermaid));
}

#[test]
fn graph_svg_needs_no_graphviz() {
    let out = sot(&["graph", "--format", "svg", "--layout", "builtin", EXAMPLE]);
    assert_eq!(out.status.code(), Some(0));
    let svg = stdout(&out);
    assert!(
        svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    for label in [
        "arm_fossa",
        "category II",
        "block_category_two",
        "cauda_equina",
        "arm_fossa_clears",
    ] {
        assert!(svg.contains(label), "{label} missing from the SVG");
    }
}

/// A copy of the example whose texts try to inject markup.
fn hostile_example(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo().join(EXAMPLE))
        .expect("example")
        .replace("\"SOT category system\"", "\"<script>alert(1)</script>\"")
        .replace(
            "/// Category II blocks go under the short-leg side.",
            "/// <img src=x onerror=alert(2)> *not emphasis*",
        );
    let path = dir.join("hostile.sot");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn handbook_html_escapes_protocol_text() {
    let dir = tempdir("doc_html");
    hostile_example(&dir);
    let out = sot_in(
        &dir,
        &["doc", "--format", "html", "-o", "out", "hostile.sot"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("out/hostile.html")).expect("written");
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(
        html.contains("id=\"indicator-arm-fossa\""),
        "anchors for the indicator links"
    );
    assert!(
        !html.contains("<link") && !html.contains("://"),
        "self-contained"
    );
}

#[test]
fn graph_outputs_escape_labels() {
    let dir = tempdir("graph_escape");
    hostile_example(&dir);
    let dot = stdout(&sot_in(&dir, &["graph", "hostile.sot"]));
    assert!(dot.contains("digraph"), "{dot}");
    let svg = stdout(&sot_in(&dir, &["graph", "--format", "svg", "hostile.sot"]));
    assert!(!svg.contains("<script"), "{svg}");
    // A title the graph draws (a category's) with markup and quotes: text in the SVG.
    let text = std::fs::read_to_string(dir.join("hostile.sot"))
        .expect("written")
        .replace(
            "\"Sacroiliac weight-bearing instability\"",
            "\"<script>alert(1)</script> & 'q'\"",
        );
    std::fs::write(dir.join("drawn.sot"), text).expect("write");
    let svg = stdout(&sot_in(&dir, &["graph", "--format", "svg", "drawn.sot"]));
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;q&#39;"),
        "{svg}"
    );
    assert!(!svg.contains("<script"), "{svg}");
}

#[test]
fn completions_and_manual_page() {
    let bash = sot(&["completions", "bash"]);
    assert_eq!(bash.status.code(), Some(0));
    assert!(stdout(&bash).contains("complete") && stdout(&bash).contains("check"));
    let man = sot(&["man"]);
    assert_eq!(man.status.code(), Some(0));
    assert!(
        stdout(&man).starts_with(".ie") || stdout(&man).contains(".TH"),
        "{}",
        stdout(&man)
    );
}

/// Headless Chromium, if installed; `SOT_REQUIRE_CHROMIUM=1` (set by `.ci/run`) makes its
/// absence a failure instead of a skip.
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("SOT_REQUIRE_CHROMIUM").is_none(),
            "Chromium is required (SOT_REQUIRE_CHROMIUM) but not installed"
        );
        eprintln!("skipped: Chromium is not installed");
    }
    found
}

/// The DOM of a page after Chromium rendered it, scripts and all.
fn rendered_dom(browser: &str, page: &Path) -> String {
    rendered_dom_with(browser, page, &[])
}

/// The DOM of a page after Chromium rendered it with `extra` arguments (a window size).
fn rendered_dom_with(browser: &str, page: &Path, extra: &[&str]) -> String {
    let profile = tempdir(&format!(
        "chromium-{}",
        page.file_stem().and_then(|s| s.to_str()).unwrap_or("p")
    ));
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
        ])
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn html_renders_in_chromium_with_categories_and_no_injected_markup() {
    let Some(browser) = chromium() else { return };
    let dir = tempdir("chromium_pages");
    hostile_example(&dir);
    assert_eq!(
        sot_in(&dir, &["doc", "--format", "html", "-o", ".", "hostile.sot"])
            .status
            .code(),
        Some(0)
    );
    let run = sot_in(&dir, &["run", "--format", "html", "hostile.sot"]);
    std::fs::write(dir.join("run.html"), &run.stdout).expect("write");

    let handbook = rendered_dom(browser, &dir.join("hostile.html"));
    for category in ["Category I", "Category II", "Category III"] {
        assert!(
            handbook.contains(category),
            "{category} not rendered:\n{handbook}"
        );
    }
    // The injected markup stayed text: no element was created from it.
    assert!(
        !handbook.contains("<script>alert") && !handbook.contains("<img"),
        "{handbook}"
    );
    assert!(
        handbook.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{handbook}"
    );

    let report = rendered_dom(browser, &dir.join("run.html"));
    assert!(report.contains("Category II"), "{report}");
    assert!(
        report.contains("block(category: II, short_leg: right)"),
        "{report}"
    );
    assert!(!report.contains("<script>alert"), "{report}");
}

#[test]
fn doc_output_never_overwrites_inputs_existing_files_or_links() {
    let dir = tempdir("doc_output_safety");
    let protocol = std::fs::read_to_string(repo().join(EXAMPLE)).expect("read");
    std::fs::write(dir.join("a.sot"), &protocol).expect("write");
    let err = |out: &Output| String::from_utf8_lossy(&out.stderr).into_owned();

    // A new file: written. Again: refused unless --force.
    let first = sot_in(&dir, &["doc", "-o", "out", "a.sot"]);
    assert_eq!(first.status.code(), Some(0), "{}", err(&first));
    std::fs::write(dir.join("out/a.md"), "mine").expect("write");
    let again = sot_in(&dir, &["doc", "-o", "out", "a.sot"]);
    assert_eq!(again.status.code(), Some(2), "{}", err(&again));
    assert!(err(&again).contains("--force"), "{}", err(&again));
    assert_eq!(
        std::fs::read_to_string(dir.join("out/a.md"))
            .ok()
            .as_deref(),
        Some("mine")
    );
    let forced = sot_in(&dir, &["doc", "-o", "out", "--force", "a.sot"]);
    assert_eq!(forced.status.code(), Some(0), "{}", err(&forced));
    assert_ne!(
        std::fs::read_to_string(dir.join("out/a.md"))
            .ok()
            .as_deref(),
        Some("mine")
    );

    // The protocol's own file (named `book.md`): never, even with --force.
    std::fs::write(dir.join("book.md"), &protocol).expect("write");
    let input = sot_in(&dir, &["doc", "-o", ".", "--force", "book.md"]);
    assert_eq!(input.status.code(), Some(2), "{}", err(&input));
    assert!(
        err(&input).contains("protocol's own files"),
        "{}",
        err(&input)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("book.md")).ok(),
        Some(protocol.clone())
    );

    // A symbolic link at the destination: never written through, even with --force.
    #[cfg(unix)]
    {
        std::fs::write(dir.join("victim.txt"), "keep").expect("write");
        std::fs::create_dir_all(dir.join("linked")).expect("dir");
        std::os::unix::fs::symlink("../victim.txt", dir.join("linked/a.md")).expect("link");
        let link = sot_in(&dir, &["doc", "-o", "linked", "--force", "a.sot"]);
        assert_eq!(link.status.code(), Some(2), "{}", err(&link));
        assert!(err(&link).contains("symbolic link"), "{}", err(&link));
        assert_eq!(
            std::fs::read_to_string(dir.join("victim.txt"))
                .ok()
                .as_deref(),
            Some("keep")
        );
        let meta = std::fs::symlink_metadata(dir.join("linked/a.md")).expect("metadata");
        assert!(meta.file_type().is_symlink());
    }
}

/// A handbook is titled by the file it documents, never by the first file it uses (every
/// library file uses the shared vocabulary first); without a header, by its file name.
#[test]
fn handbook_title_is_the_documented_files() {
    let out = sot(&["doc", "protocols/sot/corrections.sot"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("# SOT library: category corrections (version 0.2)\n"),
        "{}",
        text.lines().next().unwrap_or_default()
    );

    let dir = tempdir("doc_title");
    std::fs::write(
        dir.join("vocabulary.sot"),
        "protocol \"Shared vocabulary\" version \"1.0\"\n\nindicator pelvic_torsion: bool\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("untitled_notes.sot"),
        "use \"vocabulary.sot\"\n\nadjustment rest\n\nrule r {\n  when pelvic_torsion\n  then rest\n}\n",
    )
    .expect("write");
    let out = sot_in(&dir, &["doc", "untitled_notes.sot"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(text.starts_with("# untitled\\_notes\n"), "{text}");
}

/// What a probe script measured in a page as sot wrote it, laid out by Chromium in a frame
/// `width` pixels wide (headless windows are at least 500 pixels wide; the frame is the
/// page's viewport, its media queries included).
fn probe(browser: &str, html: &str, dir: &Path, name: &str, width: u32) -> serde_json::Value {
    std::fs::write(dir.join(format!("{name}.html")), html).expect("write");
    let wrapper = format!(
        "<!DOCTYPE html><html><body style=\"margin:0\">\
         <iframe id=\"f\" src=\"{name}.html\" style=\"width:{width}px;height:1200px;border:0\"></iframe>\
         <script>\
         const f = document.getElementById('f');\
         function measure() {{\
           const d = f.contentDocument;\
           const visits = [...d.querySelectorAll('section.visit')];\
           const referred = visits.filter(s => s.querySelector('.flag'));\
           const probe = {{\
             width: f.contentWindow.innerWidth,\
             scroll: d.documentElement.scrollWidth,\
             toc: d.querySelectorAll('nav.toc a').length,\
             summaries: d.querySelectorAll('table.summary').length,\
             backticks: d.body.innerText.includes('`'),\
             referred: referred.length,\
             flag_first: referred.every(s => s.children[1] && s.children[1].classList.contains('flag')),\
           }};\
           const out = document.createElement('pre'); out.id = 'probe';\
           out.textContent = JSON.stringify(probe); document.body.append(out);\
         }}\
         if (f.contentDocument && f.contentDocument.readyState === 'complete' && f.contentDocument.querySelector('main')) measure();\
         else f.addEventListener('load', measure);\
         </script></body></html>"
    );
    let path = dir.join(format!("{name}-{width}.html"));
    std::fs::write(&path, wrapper).expect("write");
    let dom = rendered_dom_with(
        browser,
        &path,
        &["--allow-file-access-from-files", "--window-size=1300,1300"],
    );
    let json = dom
        .split_once("<pre id=\"probe\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .map(|(json, _)| {
            json.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .unwrap_or_else(|| panic!("no probe in {name}:\n{dom}"));
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

#[test]
fn printed_pages_fit_a_phone_with_contents_summaries_and_red_flags_first() {
    let Some(browser) = chromium() else { return };
    let dir = tempdir("chromium_probe");
    let run = |case: &str| stdout(&sot(&["run", "--format", "html", case]));
    let referral = run("protocols/cases/red_flag_stops_care.sot");
    let ruth = run("protocols/cases/category_two_to_three_and_back.sot");
    let out = sot_in(
        &dir,
        &[
            "doc",
            "--format",
            "html",
            "-o",
            ".",
            &repo().join("protocols/sot/cmrt.sot").display().to_string(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let handbook = std::fs::read_to_string(dir.join("cmrt.html")).expect("written");

    for (name, html) in [
        ("referral", &referral),
        ("ruth", &ruth),
        ("handbook", &handbook),
    ] {
        for width in [400, 1200] {
            let p = probe(browser, html, &dir, name, width);
            assert_eq!(
                p["width"], width,
                "{name}: the window is {width} px wide: {p}"
            );
            assert!(
                p["scroll"].as_u64() <= p["width"].as_u64(),
                "{name} scrolls sideways at {width} px: {p}"
            );
            assert!(
                p["toc"].as_u64() > Some(3),
                "{name}: a table of contents: {p}"
            );
            assert_eq!(
                p["backticks"], false,
                "{name} shows Markdown's backticks: {p}"
            );
        }
    }
    let p = probe(browser, &referral, &dir, "referral", 400);
    // Two cases, each with its summary; three visits refer, each saying so first.
    assert_eq!(p["summaries"], 2, "{p}");
    assert_eq!(p["referred"], 3, "{p}");
    assert_eq!(p["flag_first"], true, "{p}");
    assert_eq!(probe(browser, &ruth, &dir, "ruth", 400)["summaries"], 1);
}
