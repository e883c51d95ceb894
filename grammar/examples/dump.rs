fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for (src, parsed) in sot_grammar::parse_file(&text) {
        println!(
            "{:?} {:?} ok={} {:?}",
            src.kind,
            src.name,
            parsed.item.is_some(),
            parsed.errors
        );
    }
}
