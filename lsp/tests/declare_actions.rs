//! The code actions that write what is missing: an unknown indicator or adjustment declared
//! with the type its use says (E0101), the line that orders two overlapping categories
//! (W0601); in process, on protocols of the tests' own.

mod common;

use common::{find, Harness};
use serde_json::{json, Value};

const URI: &str = "file:///lsp-declare/protocol.sot";

/// The titles and edits `(line, character, new text)` of the actions at `needle`.
async fn actions_at(h: &mut Harness, text: &str, needle: &str) -> Vec<(String, u64, u64, String)> {
    let (l, c) = find(text, needle);
    let answer = h
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI},
                   "range": {"start": {"line": l, "character": c}, "end": {"line": l, "character": c}},
                   "context": {"diagnostics": []}}),
        )
        .await;
    answer
        .as_array()
        .into_iter()
        .flatten()
        .map(|a: &Value| {
            let e = &a["edit"]["changes"][URI][0];
            (
                a["title"].as_str().unwrap_or("?").to_string(),
                e["range"]["start"]["line"].as_u64().unwrap_or(u64::MAX),
                e["range"]["start"]["character"]
                    .as_u64()
                    .unwrap_or(u64::MAX),
                e["newText"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

const MISSING: &str = "type Nutation = normal | limited | fixed
indicator arm_fossa: Side?
adjustment rest

category II {
  when arm_fossa != none
}

rule nutation {
  when sacral_nutation == limited and (short_leg == left or short_leg == none)
  then rest
}

rule torsion {
  for level in T1..T12
  when pelvic_torsion and arm_fossa != none
  then block(side: arm_fossa, at: level, category: II)
}

rule measured {
  when leg_length >= 10 mm
  then rest
}
";

#[tokio::test]
async fn an_unknown_name_is_declared_with_the_type_its_use_says() {
    let mut h = Harness::start(false).await;
    h.open(URI, MISSING).await;
    let rule = find(MISSING, "rule nutation").0 as u64;
    let fixes = actions_at(&mut h, MISSING, "sacral_nutation ==").await;
    assert!(
        fixes.contains(&(
            "Declare `indicator sacral_nutation: Nutation`".into(),
            rule,
            0,
            "indicator sacral_nutation: Nutation\n".into()
        )),
        "{fixes:?}"
    );
    // Compared with a side and with `none`: an optional side.
    let fixes = actions_at(&mut h, MISSING, "short_leg == left").await;
    assert!(
        fixes.iter().any(|f| f.3 == "indicator short_leg: Side?\n"),
        "{fixes:?}"
    );
    // A bare condition: yes or no.
    let rule = find(MISSING, "rule torsion").0 as u64;
    let fixes = actions_at(&mut h, MISSING, "pelvic_torsion").await;
    assert!(
        fixes.contains(&(
            "Declare `indicator pelvic_torsion: bool`".into(),
            rule,
            0,
            "indicator pelvic_torsion: bool\n".into()
        )),
        "{fixes:?}"
    );
    // An adjustment: its parameters typed from the arguments (an indicator's type without
    // `?`, a `for` variable's domain, a category).
    let fixes = actions_at(&mut h, MISSING, "block(side").await;
    assert!(
        fixes
            .iter()
            .any(|f| f.3 == "adjustment block(side: Side, at: T1..T12, category: Category)\n"),
        "{fixes:?}"
    );
    // A measure's range is the author's to say: no declaration is made up.
    let fixes = actions_at(&mut h, MISSING, "leg_length >=").await;
    assert!(
        !fixes.iter().any(|f| f.0.starts_with("Declare")),
        "{fixes:?}"
    );
}

#[tokio::test]
async fn a_declaration_written_by_the_fix_checks() {
    // Applying the fixes gives a protocol with no E0101 left.
    let mut text = MISSING.replace(
        "rule measured {\n  when leg_length >= 10 mm\n  then rest\n}\n",
        "",
    );
    let mut h = Harness::start(false).await;
    h.open(URI, &text).await;
    for (version, needle) in [
        (2, "sacral_nutation =="),
        (3, "short_leg == left"),
        (4, "pelvic_torsion"),
        (5, "block(side"),
    ] {
        let fixes = actions_at(&mut h, &text, needle).await;
        let Some((_, line, _, new_text)) = fixes.into_iter().find(|f| f.0.starts_with("Declare"))
        else {
            panic!("no declaration for {needle}");
        };
        let at: usize = text
            .split_inclusive('\n')
            .take(line as usize)
            .map(str::len)
            .sum();
        text.insert_str(at, &new_text);
        h.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]}),
        )
        .await;
        h.diagnostics(URI).await;
    }
    let found = h
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let errors: Vec<&Value> = found["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] == 1)
        .collect();
    assert!(errors.is_empty(), "{text}\n{errors:?}");
}

const OVERLAP: &str = "indicator arm_fossa: Side?
indicator pelvic_torsion: bool

category I {
  when pelvic_torsion and arm_fossa != none
}
category II {
  when arm_fossa != none
}
";

#[tokio::test]
async fn overlapping_categories_get_a_precedence_or_coexist_line() {
    let mut h = Harness::start(false).await;
    h.open(URI, OVERLAP).await;
    h.diagnostics_until(URI, |d| d.iter().any(|d| d["code"] == "W0601"))
        .await;
    let fixes = actions_at(&mut h, OVERLAP, "II {").await;
    let end = OVERLAP.lines().count() as u64;
    let adds: Vec<(String, u64, u64, String)> = fixes
        .into_iter()
        .filter(|f| f.0.starts_with("Add"))
        .collect();
    assert_eq!(
        adds,
        [
            (
                "Add `precedence II > I`".into(),
                end,
                0,
                "precedence II > I\n".into()
            ),
            (
                "Add `precedence I > II`".into(),
                end,
                0,
                "precedence I > II\n".into()
            ),
            (
                "Add `coexist I, II`".into(),
                end,
                0,
                "coexist I, II\n".into()
            ),
        ]
    );
}
