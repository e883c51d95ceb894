//! Writes the evaluation workload as a native Rust function (`$OUT_DIR/native.rs`): the
//! physical limit the benchmark compares every engine with.

#[path = "src/workload.rs"]
#[allow(dead_code)]
mod workload;

fn main() {
    println!("cargo::rerun-if-changed=src/workload.rs");
    let work =
        workload::Workload::generate(workload::SEED, workload::EVAL_RULES, workload::CATEGORIES);
    let out = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from);
    let Some(out) = out else {
        println!("cargo::error=OUT_DIR is not set");
        return;
    };
    if let Err(e) = std::fs::write(out.join("native.rs"), work.native()) {
        println!("cargo::error=cannot write native.rs: {e}");
    }
}
