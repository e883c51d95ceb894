//! End-to-end tests of `sot man`: a page for `sot` and one per subcommand, with its flags.

mod common;

use common::{sot, stderr, stdout, tempdir};

/// Each subcommand with flags its page must describe (roff writes `-` as `\-`).
const PAGES: &[(&str, &[&str])] = &[
    ("check", &["format", "deny", "watch", "color"]),
    (
        "run",
        &["case", "cases", "format", "verbose", "watch", "why"],
    ),
    ("why", &["case", "visit", "cases", "format"]),
    ("practice", &["case", "visit"]),
    ("test", &["coverage", "cases", "format", "watch"]),
    ("diff", &["git", "cases", "format", "fail-on-change"]),
    ("fmt", &["check", "diff"]),
    ("doc", &["format"]),
    ("graph", &["format", "focus", "depth", "category"]),
    ("schema", &["output"]),
    ("man", &["dir"]),
    ("lsp", &["stdio"]),
    ("serve", &["port", "host"]),
];

fn has_flag(page: &str, flag: &str) -> bool {
    page.contains(&format!("\\-\\-{}", flag.replace('-', "\\-")))
}

#[test]
fn each_subcommand_has_a_page_with_its_flags() {
    for (name, flags) in PAGES {
        let out = sot(&["man", name]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "sot man {name}: {}",
            stderr(&out)
        );
        let page = stdout(&out);
        assert!(
            page.contains(&format!(".TH sot-{name} 1")),
            "sot man {name}: title\n{page}"
        );
        for flag in *flags {
            assert!(has_flag(&page, flag), "sot man {name}: --{flag}\n{page}");
        }
    }
    // A page has its own flags, not another subcommand's.
    let fmt = stdout(&sot(&["man", "fmt"]));
    assert!(!has_flag(&fmt, "coverage"), "{fmt}");
}

#[test]
fn the_top_page_lists_the_subcommands() {
    let out = sot(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(page.contains(".TH sot 1"), "{page}");
    for (name, _) in PAGES {
        assert!(page.contains(&format!("sot\\-{name}(1)")), "{name}\n{page}");
    }
}

#[test]
fn dir_writes_every_page() {
    let dir = tempdir("man_pages").join("man1");
    let out = sot(&["man", "--dir", dir.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let top = std::fs::read_to_string(dir.join("sot.1")).expect("sot.1");
    assert_eq!(top, stdout(&sot(&["man"])));
    for (name, flags) in PAGES {
        let page = std::fs::read_to_string(dir.join(format!("sot-{name}.1")))
            .unwrap_or_else(|e| panic!("sot-{name}.1: {e}"));
        assert_eq!(page, stdout(&sot(&["man", name])), "sot-{name}.1");
        assert!(flags.iter().all(|f| has_flag(&page, f)), "sot-{name}.1");
    }
    // No temporary file is left behind, and no page of `help`.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.ends_with(".1") && !n.starts_with('.')),
        "{names:?}"
    );
    assert!(!names.contains(&"sot-help.1".to_string()), "{names:?}");
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let out = sot(&["man", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("its subcommands are check, run"),
        "{}",
        stderr(&out)
    );
}
