//! The loader the command line and `sot serve` use (`sot_files::load`) on a small project written from the input: files whose text comes from the
//! input, `use` lines to paths inside the project, `..` out of it, absolute paths, a symbolic
//! link out of it, a folder and a missing file. Loading never panics, and no file outside the
//! project root (the folder with `sot.toml`) is ever read into the database.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

use sot_files::load;

/// `use` targets, relative to `proj/a.sot` or `proj/sub/b.sot`.
const USES: [&str; 12] = [
    "b.sot",
    "sub/b.sot",
    "../a.sot",
    "../outside.sot",
    "../../outside.sot",
    "sub/../../outside.sot",
    "link.sot",
    "sub",
    "missing.sot",
    "./sub/./b.sot",
    "/tmp/outside.sot",
    "sub/../a.sot",
];

/// The canary: the text of the file outside the project.
const OUTSIDE: &str = "indicator outside_canary: bool\n";

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else { return };
    let root = dir.path();
    let proj = root.join("proj");
    if std::fs::create_dir_all(proj.join("sub")).is_err()
        || std::fs::write(proj.join("sot.toml"), "").is_err()
        || std::fs::write(root.join("outside.sot"), OUTSIDE).is_err()
    {
        return;
    }
    #[cfg(unix)]
    let _ = std::os::unix::fs::symlink(root.join("outside.sot"), proj.join("link.sot"));
    // Two files: their `use` lines chosen by the first bytes, then the rest of the input.
    let split = data.len() / 2;
    for (name, part) in [("a.sot", &data[..split]), ("sub/b.sot", &data[split..])] {
        let mut text = Vec::new();
        for byte in part.iter().take(3) {
            text.extend(format!("use \"{}\"\n", USES[usize::from(*byte) % USES.len()]).bytes());
        }
        text.extend(part.iter().skip(3));
        if std::fs::write(proj.join(name), text).is_err() {
            return;
        }
    }
    let Ok(loaded) = load::load(&[proj.join("a.sot")]) else { return };
    let outsides = [
        root.join("outside.sot"),
        proj.join("link.sot"),
        Path::new("/tmp/outside.sot").to_path_buf(),
    ];
    for outside in outsides {
        assert!(
            loaded.db.file(&outside).is_none(),
            "{} was read from outside the project",
            outside.display()
        );
    }
    if let Some(first) = loaded.roots.first() {
        let _ = sot_compiler::all_diagnostics(&loaded.db, *first);
    }
});
