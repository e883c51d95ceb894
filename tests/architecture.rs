//! The crate dependency rules of ARCHITECTURE.md, read from `cargo metadata`: each crate's
//! normal (non-dev) dependencies, followed transitively, may not reach what its invariant
//! forbids. A new `use` of a forbidden crate fails here, not in review.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

/// The platform this test runs on (`cargo metadata` resolves for it, so it needs no
/// packages of other platforms).
fn host() -> String {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

/// Every workspace crate's normal dependencies, transitively, by package name.
fn reachable() -> &'static BTreeMap<String, BTreeSet<String>> {
    static REACH: OnceLock<BTreeMap<String, BTreeSet<String>>> = OnceLock::new();
    REACH.get_or_init(compute_reachable)
}

fn compute_reachable() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
        ])
        .arg(host())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata is JSON");
    let name_of: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("id"),
                p["name"].as_str().expect("name"),
            )
        })
        .collect();
    // id → the ids of its normal dependencies (dev-dependencies do not ship).
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for node in meta["resolve"]["nodes"].as_array().expect("resolve nodes") {
        let id = node["id"].as_str().expect("node id");
        let deps = node["deps"].as_array().expect("deps").iter().filter(|d| {
            d["dep_kinds"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()))
        });
        edges.insert(id, deps.map(|d| d["pkg"].as_str().expect("pkg")).collect());
    }
    let mut out = BTreeMap::new();
    for member in meta["workspace_members"].as_array().expect("members") {
        let root = member.as_str().expect("member id");
        let mut seen = BTreeSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            for dep in edges.get(id).into_iter().flatten() {
                if seen.insert(*dep) {
                    stack.push(dep);
                }
            }
        }
        out.insert(
            name_of[root].to_string(),
            seen.iter().map(|id| name_of[id].to_string()).collect(),
        );
    }
    out
}

#[test]
fn every_crate_keeps_its_architecture_invariant() {
    let reach = reachable();
    // (crate, what it must never depend on, directly or through another crate)
    let rules: &[(&str, &[&str])] = &[
        (
            "sot-grammar",
            &[
                "sot-ir",
                "sot-compiler",
                "sot-runtime",
                "sot-report",
                "sot-lsp",
                "salsa",
            ],
        ),
        (
            "sot-ir",
            &[
                "sot-grammar",
                "sot-compiler",
                "sot-runtime",
                "sot-report",
                "sot-lsp",
                "salsa",
                "pest",
            ],
        ),
        (
            "sot-compiler",
            &[
                "sot-runtime",
                "sot-report",
                "sot-lsp",
                "miette",
                "clap",
                "tower-lsp-server",
                "tokio",
            ],
        ),
        (
            "sot-runtime",
            &[
                "sot-grammar",
                "sot-compiler",
                "sot-report",
                "sot-lsp",
                "salsa",
                "pest",
            ],
        ),
        (
            "sot-report",
            &["sot-lsp", "miette", "clap", "tower-lsp-server", "tokio"],
        ),
        (
            "sot-files",
            &[
                "sot-runtime",
                "sot-report",
                "sot-lsp",
                "miette",
                "clap",
                "tokio",
            ],
        ),
        ("sot-lsp", &["sot", "miette", "clap"]),
        // The workbench: the pipeline's crates and its HTTP stack, never the binary, the
        // terminal's crates or the language server.
        (
            "sot-serve",
            &["sot", "sot-lsp", "miette", "clap", "tower-lsp-server"],
        ),
    ];
    let mut broken = Vec::new();
    for (krate, forbidden) in rules {
        let deps = reach
            .get(*krate)
            .unwrap_or_else(|| panic!("{krate} is not in the workspace"));
        for f in *forbidden {
            if deps.contains(*f) {
                broken.push(format!("{krate} depends on {f}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "ARCHITECTURE.md invariants broken: {broken:?}"
    );
}

#[test]
fn the_rules_see_real_dependencies() {
    // The walk itself must find what is there, or the test above would pass on nothing.
    let reach = reachable();
    assert!(reach["sot-runtime"].contains("sot-ir"));
    assert!(reach["sot-compiler"].contains("salsa"));
    assert!(
        reach["sot-compiler"].contains("pest"),
        "through sot-grammar"
    );
    assert!(reach["sot"].contains("sot-report"));
    assert!(reach["sot"].contains("sot-serve"));
    assert!(reach["sot-serve"].contains("axum") && reach["sot-serve"].contains("sot-runtime"));
}
