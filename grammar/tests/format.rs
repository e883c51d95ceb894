//! `sot fmt` is idempotent, keeps every comment and changes no meaning: on every `.sot` file
//! of the repository, and on those files with comments inserted at random places.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sot_grammar::{format_file, parse_file};

fn repo_sot_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if p.is_dir() && !name.starts_with('.') && name != "target" {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "sot") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."), &mut out);
    out
}

/// The syntax trees of a file with every span blanked, for comparing meaning.
fn meaning(text: &str) -> String {
    let trees: Vec<String> = parse_file(text)
        .into_iter()
        .map(|(_, parsed)| format!("{:?}", parsed.item))
        .collect();
    let joined = trees.join("\n");
    let mut out = String::with_capacity(joined.len());
    let mut rest = joined.as_str();
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.find('}').map_or(tail.len(), |e| e + 1);
        out.push_str("Span");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The comments of a text (outside strings), trimmed, in order.
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut in_string = false;
        let mut escaped = false;
        for (i, c) in line.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '/' if !in_string && line[i..].starts_with("//") => {
                    out.push(line[i..].trim().to_string());
                    break;
                }
                _ => {}
            }
        }
    }
    out
}

/// Formats `text` and asserts the properties; returns whether it was formattable.
fn assert_formats_well(name: &str, text: &str) -> bool {
    let Ok(once) = format_file(text) else {
        return false;
    };
    let twice = format_file(&once)
        .unwrap_or_else(|e| panic!("{name}: formatted text does not parse: {e:?}\n{once}"));
    assert_eq!(once, twice, "{name}: not idempotent");
    assert_eq!(
        meaning(text),
        meaning(&once),
        "{name}: meaning changed:\n{once}"
    );
    let (mut before, mut after) = (comments(text), comments(&once));
    before.sort();
    after.sort();
    assert_eq!(before, after, "{name}: comments lost or changed:\n{once}");
    true
}

#[test]
fn every_repository_file_formats_losslessly() {
    let files = repo_sot_files();
    assert!(files.len() > 100, "{} files", files.len());
    let mut formatted = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if assert_formats_well(&path.display().to_string(), &text) {
            formatted += 1;
        }
    }
    // Only the fixtures with syntax errors are refused.
    assert!(
        formatted * 10 > files.len() * 8,
        "{formatted} of {}",
        files.len()
    );
}

#[test]
fn a_file_with_a_syntax_error_is_refused() {
    let err = format_file("rule r {\n  when (a\n  then b\n}\n").err();
    assert!(err.is_some_and(|e| e.message.contains("expected")));
}

#[test]
fn tables_align_their_arrows() {
    let out = format_file("table t(a: 1..12): Vertebra {\n1 => T1\n  12=>T2\n _ => T3 }\n")
        .unwrap_or_default();
    assert_eq!(
        out,
        "table t(a: 1..12): Vertebra {\n  1  => T1\n  12 => T2\n  _  => T3\n}\n"
    );
}

#[test]
fn history_and_untestable_keep_their_comments() {
    let src = "case c {\n// whole case\nhistory { age = 41 // stated\n f(a: _) = untestable  \"pain\" }\n visit 1 { findings { g = untestable\n h = none } }\n}\n";
    let out = format_file(src).unwrap_or_default();
    assert_eq!(
        out,
        "case c {\n  // whole case\n  history {\n    age = 41  // stated\n    f(a: _) = untestable \"pain\"\n  }\n  visit 1 {\n    findings {\n      g = untestable\n      h = none\n    }\n  }\n}\n"
    );
    assert_eq!(format_file(&out).unwrap_or_default(), out);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// Comments inserted at random line ends and on lines of their own survive formatting.
    #[test]
    fn inserted_comments_survive(
        pick in any::<prop::sample::Index>(),
        spots in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..8),
    ) {
        let files = repo_sot_files();
        let path = &files[pick.index(files.len())];
        let text = std::fs::read_to_string(path).unwrap_or_default();
        prop_assume!(format_file(&text).is_ok());
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        prop_assume!(!lines.is_empty());
        for (n, (spot, own_line)) in spots.iter().enumerate() {
            let i = spot.index(lines.len());
            let comment = format!("// inserted {n}");
            if *own_line {
                lines.insert(i, comment);
            } else if !lines[i].contains("//") {
                lines[i] = format!("{}  {comment}", lines[i]);
            }
        }
        let mutated = lines.join("\n");
        // An inserted comment may break nothing: the file stays formattable.
        prop_assert!(assert_formats_well(&path.display().to_string(), &mutated));
    }
}

/// Found by the fuzzer: a file of comments only lost them.
#[test]
fn a_file_of_comments_only_keeps_them() {
    for text in [
        "//",
        "//\n",
        "\n\n// a\n\n\n// b\n",
        "/// doc without an item\n",
    ] {
        assert!(assert_formats_well("comments only", text), "{text:?}");
        let out = format_file(text).unwrap_or_default();
        assert_eq!(comments(text), comments(&out), "{text:?} → {out:?}");
    }
}

/// Found by the fuzzer (2.57 million runs in): a comment after an item's last line was
/// printed right under it, where the next formatting reads it as the next item's leading
/// comment and puts a blank line before it. It is now printed that way the first time.
#[test]
fn a_comment_after_an_items_last_line_formats_the_same_twice() {
    for text in [
        "indicator a: // first\n  bool// second\ntype T = 1..2\n",
        "indicator a: bool\n  // under it\n/// doc\ntype T = 1..2\n",
        "rule r {\n  when a\n  then b\n}\n  // after the brace\nrule s {\n  when a\n  then b\n}\n",
        "indicator a: bool\n  // last in the file\n",
    ] {
        assert!(
            assert_formats_well("comment after an item", text),
            "{text:?}"
        );
    }
    let out =
        format_file("indicator a: // first\n  bool// second\ntype T = 1..2\n").unwrap_or_default();
    assert_eq!(
        out,
        "indicator a: bool  // first\n\n// second\n\ntype T = 1..2\n"
    );
}
