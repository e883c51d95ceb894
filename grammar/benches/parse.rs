//! `cargo bench -p sot-grammar --bench parse [-- FILE]`: how fast a protocol is parsed, in
//! parts, on one core: the cut into items (`split`), pest alone (the generated parser on every
//! item, pairs built, no tree), and pest + tree (`parse_item`: the syntax tree and the
//! editor's tokens from the same parse). FILE defaults to `tools/gen_protocol.py 10000`.
//! Prints a Markdown table for BENCHMARKS.md.
//!
//! `-- --once PART [FILE]` runs one part once and prints nothing else, for Callgrind:
//! `valgrind --tool=callgrind target/release/deps/parse-* --once pest`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pest::Parser as _;

/// The same grammar file the crate's parser is generated from (`grammar/src/sot.pest`).
#[derive(pest_derive::Parser)]
#[grammar = "sot.pest"]
struct PestAlone;

fn generate(rules: usize) -> Option<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/gen_protocol.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(rules.to_string())
        .output()
        .ok()?;
    String::from_utf8(out.stdout).ok().filter(|s| !s.is_empty())
}

/// What one part does with the text; returns a number that depends on all of its work.
type Part = fn(&str) -> usize;

fn split_only(text: &str) -> usize {
    sot_grammar::split(text).len()
}

fn pest_alone(text: &str) -> usize {
    sot_grammar::split(text)
        .iter()
        .map(|s| {
            // `parse_item` turns error detail off for the first attempt; so does this.
            pest::set_error_detail(false);
            match PestAlone::parse(Rule::item, &text[s.start..s.end]) {
                Ok(pairs) => pairs.len(),
                Err(_) => 0,
            }
        })
        .sum()
}

fn pest_and_tree(text: &str) -> usize {
    sot_grammar::parse_file(text)
        .iter()
        .map(|(_, p)| p.tokens.len() + usize::from(p.item.is_some()))
        .sum()
}

const PARTS: [(&str, &str, Part); 3] = [
    ("split", "split (cut into items)", split_only),
    (
        "pest",
        "pest alone (split + the generated parser, no tree)",
        pest_alone,
    ),
    (
        "tree",
        "pest + tree (parse_file: split, parse, syntax tree, tokens)",
        pest_and_tree,
    ),
];

fn read(path: Option<&String>) -> Option<String> {
    match path {
        Some(path) => std::fs::read_to_string(path).ok(),
        None => generate(10_000),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--once") {
        let Some((_, _, part)) = PARTS
            .iter()
            .find(|p| Some(p.0) == args.get(1).map(|s| s.as_str()))
        else {
            eprintln!("--once takes one of: split, pest, tree");
            std::process::exit(2);
        };
        let Some(text) = read(args.get(2)) else {
            eprintln!("could not read or generate the protocol");
            std::process::exit(2);
        };
        std::hint::black_box(part(&text));
        return;
    }
    let Some(text) = read(args.first()) else {
        eprintln!("could not read the file, or python3 tools/gen_protocol.py failed");
        std::process::exit(2);
    };
    let mb = text.len() as f64 / 1e6;
    println!("{:.2} MB, {} items", mb, sot_grammar::split(&text).len());
    println!();
    println!("| part | median | spread (min–max) | throughput |");
    println!("| --- | --- | --- | --- |");
    for (_, what, part) in PARTS {
        let mut samples: Vec<Duration> = (0..11)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(part(std::hint::black_box(&text)));
                start.elapsed()
            })
            .collect();
        samples.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let median = samples[samples.len() / 2];
        println!(
            "| {what} | {:.2} ms | {:.2}–{:.2} ms | {:.1} MB/s |",
            ms(median),
            ms(samples[0]),
            ms(samples[samples.len() - 1]),
            mb / median.as_secs_f64()
        );
    }
}
