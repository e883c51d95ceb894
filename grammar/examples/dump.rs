//! Parses a file and prints each item's kind, name and errors (a debugging aid).
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = std::time::Instant::now();
    let parsed = sot_grammar::parse_file(&text);
    let elapsed = start.elapsed();
    if std::env::args().any(|a| a == "--quiet") {
        println!("{} items parsed in {elapsed:?}", parsed.len());
        return;
    }
    for (src, parsed) in parsed {
        println!(
            "{:?} {:?} ok={} {:?}",
            src.kind,
            src.name,
            parsed.item.is_some(),
            parsed.errors
        );
    }
}
