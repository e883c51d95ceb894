//! Formats a file to standard output (a debugging aid for `sot fmt`).
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    match sot_grammar::format_file(&text) {
        Ok(out) => print!("{out}"),
        Err(e) => eprintln!("error at {}: {}", e.offset, e.message),
    }
}
