//! End-to-end tests of `sot lsp`: JSON-RPC over stdio with the real binary (malformed
//! messages included), and headless Neovim (each version installed) with the shipped
//! `editors/neovim/sot.lua`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{json, Value};

struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sot"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sot lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Server {
            child,
            stdin,
            stdout,
        }
    }

    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, message: Value) {
        self.send_raw(&message.to_string());
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).expect("read") > 0,
                "the server closed its output"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().expect("length");
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).expect("body");
        serde_json::from_slice(&body).expect("JSON")
    }

    fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self.receive();
            if wanted(&message) {
                return message;
            }
        }
    }
}

#[test]
fn json_rpc_over_stdio_survives_malformed_messages() {
    let mut server = Server::start();
    server.send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    let init = server.until(|m| m["id"] == 1);
    assert_eq!(init["result"]["serverInfo"]["name"], "sot");
    server.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));

    // Malformed JSON, a request that is no request, an unknown method: answered, not fatal.
    server.send_raw("{this is not json");
    let parse_error = server.until(|m| m.get("error").is_some());
    assert_eq!(parse_error["error"]["code"], -32700, "{parse_error}");
    server.send(json!({"jsonrpc": "2.0", "id": 2, "method": "sot/unknown"}));
    assert_eq!(server.until(|m| m["id"] == 2)["error"]["code"], -32601);
    server.send(json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///missing.sot"}, "position": {"line": 99, "character": 99}}}));
    assert!(server.until(|m| m["id"] == 3)["result"].is_null());

    let uri = "file:///stdio/broken.sot";
    server.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "sot", "version": 1, "text": "indicator a: bool\ncategory I { when a and }\n"}}}));
    let diagnostics = server.until(|m| m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(
        diagnostics["params"]["diagnostics"][0]["code"], "E0001",
        "{diagnostics}"
    );

    server.send(json!({"jsonrpc": "2.0", "id": 4, "method": "shutdown"}));
    server.until(|m| m["id"] == 4);
    server.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    let status = server.child.wait().expect("exits");
    assert!(status.success(), "{status}");
}

/// The specification's exit status: 0 when `shutdown` came before `exit` (above), 1 for an
/// `exit` without it, and 1 when the client goes away (its end of the pipe closed) without
/// either.
#[test]
fn exit_without_shutdown_is_status_1() {
    let initialize =
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}});
    let mut server = Server::start();
    server.send(initialize.clone());
    server.until(|m| m["id"] == 1);
    server.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    let status = server.child.wait().expect("exits");
    assert_eq!(status.code(), Some(1), "exit without shutdown: {status}");

    let mut server = Server::start();
    server.send(initialize.clone());
    server.until(|m| m["id"] == 1);
    let Server {
        mut child, stdin, ..
    } = server;
    drop(stdin);
    let status = child.wait().expect("exits");
    assert_eq!(
        status.code(),
        Some(1),
        "input closed without shutdown: {status}"
    );

    let mut server = Server::start();
    server.send(initialize);
    server.until(|m| m["id"] == 1);
    server.send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    server.until(|m| m["id"] == 2);
    let Server {
        mut child, stdin, ..
    } = server;
    drop(stdin);
    let status = child.wait().expect("exits");
    assert_eq!(
        status.code(),
        Some(0),
        "input closed after shutdown: {status}"
    );
}

/// Every Neovim named in `SOT_NEOVIMS` (programs, space-separated) or on the `PATH` (Debian's
/// 0.7 and a newer one from pip may both be there), one per version: `(program, "NVIM
/// v0.x.y")`. With `SOT_REQUIRE_NEOVIM` set there must be one, and `SOT_NEOVIM_VERSIONS` (say
/// `0.7 0.11`) names versions that must all be among them.
fn neovims() -> Vec<(PathBuf, String)> {
    let mut found: Vec<(PathBuf, String)> = Vec::new();
    let named = std::env::var("SOT_NEOVIMS").unwrap_or_default();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path).map(|dir| dir.join("nvim"));
    for program in named.split_whitespace().map(PathBuf::from).chain(on_path) {
        let Ok(out) = Command::new(&program).arg("--version").output() else {
            continue;
        };
        let version = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        if out.status.success()
            && version.starts_with("NVIM v")
            && !found.iter().any(|(_, v)| *v == version)
        {
            found.push((program, version));
        }
    }
    if found.is_empty() {
        assert!(
            std::env::var_os("SOT_REQUIRE_NEOVIM").is_none(),
            "Neovim is required (SOT_REQUIRE_NEOVIM) but not installed"
        );
        eprintln!("skipped: Neovim is not installed");
    }
    for wanted in std::env::var("SOT_NEOVIM_VERSIONS")
        .unwrap_or_default()
        .split_whitespace()
    {
        assert!(
            found
                .iter()
                .any(|(_, v)| v.starts_with(&format!("NVIM v{wanted}."))),
            "Neovim {wanted} is required (SOT_NEOVIM_VERSIONS) but only {found:?} found"
        );
    }
    found
}

/// The protocol with a typo (`arm_fosa`) that uses `short_leg` from the file it `use`s, and a
/// case visit for a code lens.
const MAIN_SOT: &str = r#"use "other.sot"

/// Arm fossa test: the arm weakens when the inguinal fossa is contacted.
indicator arm_fossa: Side?
adjustment adjust(level: Vertebra)

rule r {
  when arm_fosa != none and short_leg != none
  then adjust(level: T1)
}

case maria {
  visit 1 "2026-03-02" {
    findings {
      arm_fossa = left
      short_leg = right
    }
  }
}
"#;

const OTHER_SOT: &str = "/// The short leg, prone.\nindicator short_leg: Side?\n";

/// A file that no editor opens but that names `short_leg`: the rename must reach it.
const THIRD_SOT: &str = "use \"other.sot\"

adjustment third_adjust(level: Vertebra)

rule third {
  when short_leg == left
  then third_adjust(level: T2)
}
";

/// Headless Neovim with the shipped `editors/neovim/sot.lua` installed as the README says
/// (`~/.config/nvim/plugin/sot.lua`, in a fresh config folder), `sot` on the `PATH`, and a
/// project with a `.git`: `tests/neovim/shipped_config.lua` opens a file in it and reports.
fn run_shipped_config(nvim: &Path, version: &str) -> (String, PathBuf) {
    let dir = neovim_dir("neovim", version);
    let workspace = dir.join("workspace");
    let protocols = workspace.join("protocols");
    std::fs::create_dir_all(workspace.join(".git")).expect("dir");
    std::fs::create_dir_all(&protocols).expect("dir");
    std::fs::write(protocols.join("main.sot"), MAIN_SOT).expect("write");
    std::fs::write(protocols.join("other.sot"), OTHER_SOT).expect("write");
    std::fs::write(protocols.join("third.sot"), THIRD_SOT).expect("write");
    let report = run_neovim(
        nvim,
        version,
        &dir,
        "shipped_config.lua",
        &[("SOT_TEST_WORKSPACE", &workspace)],
    );
    (report, workspace)
}

/// A fresh folder for one Neovim's run.
fn neovim_dir(name: &str, version: &str) -> PathBuf {
    let slug: String = version
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let dir: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{slug}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

/// Runs `tests/neovim/SCRIPT` in headless Neovim with the shipped config installed in
/// `dir` and `sot` on the `PATH`; the script's report (`SOT_TEST_OUT`). A Neovim that does
/// not finish in 180 s is killed and fails the test.
fn run_neovim(
    nvim: &Path,
    version: &str,
    dir: &Path,
    script: &str,
    env: &[(&str, &Path)],
) -> String {
    let plugin = dir.join("config/nvim/plugin");
    std::fs::create_dir_all(&plugin).expect("dir");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("editors/neovim/sot.lua"), plugin.join("sot.lua"))
        .expect("copy the shipped config");

    let sot_dir = Path::new(env!("CARGO_BIN_EXE_sot")).parent().expect("dir");
    let mut path = vec![sot_dir.to_path_buf()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let out = dir.join("report.txt");
    let mut command = Command::new(nvim);
    command
        .args(["--headless", "-i", "NONE", "-c"])
        .arg(format!(
            "luafile {}",
            repo.join("tests/neovim").join(script).display()
        ))
        .current_dir(dir)
        .env("PATH", std::env::join_paths(path).expect("PATH"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("SOT_TEST_OUT", &out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("nvim runs");
    // Each wait in the scripts is bounded; a hung Neovim is killed, not waited for.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{version} did not finish {script} in 180 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let report = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("{version} wrote no report ({e}); stderr: {stderr}"));
    assert!(
        status.success(),
        "{version}: {status}; stderr: {stderr}\n{report}"
    );
    report
}

#[test]
fn headless_neovim_with_the_shipped_config() {
    for (nvim, version) in neovims() {
        let (report, workspace) = run_shipped_config(&nvim, &version);
        eprintln!("{version} ({}):\n{report}", nvim.display());
        let has = |line: &str| report.lines().any(|l| l == line);
        let value = |key: &str| {
            report
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .unwrap_or_else(|| panic!("{version}: no {key} in\n{report}"))
                .to_owned()
        };
        let context = format!("{version}:\n{report}");
        assert!(!report.contains("error="), "{context}");
        assert!(has("done=true"), "{context}");
        assert!(has("filetype=sot"), "{context}");
        assert!(has("commentstring=// %s"), "{context}");
        assert!(has("attached=true"), "{context}");
        // The root is the folder with the `.git`, above the file's own folder.
        assert_eq!(
            value("root_dir"),
            workspace.display().to_string(),
            "{context}"
        );
        assert!(has("omnifunc=v:lua.vim.lsp.omnifunc"), "{context}");
        assert!(has("K=buffer sot: hover"), "{context}");
        assert!(has("diagnosed=true"), "{context}");
        assert!(
            report
                .lines()
                .any(|l| l.starts_with("diagnostic=E0101 7 7 unknown name `arm_fosa`")),
            "{context}"
        );
        assert!(has("fixed=true"), "{context}");
        // No lens while the file has an error; the config's InsertLeave refresh brings it.
        assert!(has("lenses_before_fix=0"), "{context}");
        assert!(
            has("buffer_autocmds=BufEnter CursorHold InsertLeave"),
            "{context}"
        );
        assert!(has("lensed=true"), "{context}");
        assert!(
            has("lens=12 no category · adjust(level: T1)"),
            "the lens above the visit (line 13) says what it computes: {context}"
        );
        assert!(
            value("hover").contains("Arm fossa test: the arm weakens"),
            "{context}"
        );
        assert_eq!(
            value("definition"),
            format!("{} 1 10", value("other_uri")),
            "{context}"
        );
        // The rename of `short_leg` reaches the files that are not open: written to disk.
        assert!(has("renamed_files=3"), "{context}");
        assert!(has("other_on_disk=true"), "{context}");
        assert!(has("third_on_disk=true"), "{context}");
        for file in ["other.sot", "third.sot"] {
            let text =
                std::fs::read_to_string(workspace.join("protocols").join(file)).unwrap_or_default();
            assert!(
                text.contains("leg_length") && !text.contains("short_leg"),
                "{file}: {text}\n{context}"
            );
        }
        assert!(has("other_attached=true"), "{context}");
        assert!(has("servers=1"), "one server for the project: {context}");
    }
}

/// The big-file flow in a real editor: Neovim (0.9 and later ask for semantic tokens after
/// every change) on the 10,000-rule protocol; each typo's diagnostic appears, and goes with
/// its fix, within a generous bound (the tight figures are the benchmark's, BENCHMARKS.md).
#[test]
fn headless_neovim_on_a_big_file() {
    const BOUND_MS: u64 = 20_000;
    for (nvim, version) in neovims() {
        let dir = neovim_dir("neovim-big", &version);
        let workspace = dir.join("workspace");
        std::fs::create_dir_all(workspace.join(".git")).expect("dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/gen_protocol.py");
        let generated = Command::new("python3")
            .arg(&script)
            .arg("10000")
            .output()
            .expect("python3 runs tools/gen_protocol.py");
        assert!(generated.status.success(), "tools/gen_protocol.py failed");
        let file = workspace.join("big.sot");
        std::fs::write(&file, &generated.stdout).expect("write");
        let report = run_neovim(
            &nvim,
            &version,
            &dir,
            "big_file.lua",
            &[("SOT_TEST_FILE", &file)],
        );
        eprintln!("{version} ({}):\n{report}", nvim.display());
        let context = format!("{version}:\n{report}");
        let has = |line: &str| report.lines().any(|l| l == line);
        assert!(!report.contains("error="), "{context}");
        assert!(has("done=true") && has("attached=true"), "{context}");
        if !version.starts_with("NVIM v0.7") && !version.starts_with("NVIM v0.8") {
            // The rule's `ind_1` is highlighted from the server's semantic tokens.
            assert!(has("token_at_edit=variable"), "{context}");
        }
        let rounds: Vec<(u64, u64)> = report
            .lines()
            .filter_map(|l| l.strip_prefix("round="))
            .map(|l| {
                let times: Vec<u64> = l
                    .split(' ')
                    .skip(1)
                    .map(|t| t.parse().unwrap_or(u64::MAX))
                    .collect();
                (times[0], times[1])
            })
            .collect();
        assert_eq!(rounds.len(), 10, "{context}");
        for (typo, fix) in rounds {
            assert!(
                typo <= BOUND_MS && fix <= BOUND_MS,
                "a diagnostic took more than {BOUND_MS} ms: {context}"
            );
        }
        assert!(has("errors_left=0"), "every typo fixed: {context}");
    }
}

/// A protocol for `tests/neovim/features.lua`: a table call with constant arguments, a `for`
/// rule, a case with a passing and a failing `expect` line.
const FEATURES_SOT: &str = "protocol \"Features\"

/// Arm fossa test: the arm weakens on the involved side.
indicator arm_fossa: Side?
indicator occipital_fiber(line: 1..3, area: 1..7): 0..3
adjustment adjust(level: Vertebra)

table line2_level(area: 1..7): Vertebra {
  3 => T3
  _ => T4
}

category II \"Sacroiliac weight-bearing instability\" {
  when arm_fossa != none
}

rule occipital_line_two {
  for area in 1..7
  when occipital_fiber(line: 2, area: area) >= 2
  then adjust(level: line2_level(area))
}

rule fixed_level {
  in category II
  when arm_fossa == left
  then adjust(level: line2_level(3))
}

case ann {
  visit 1 {
    findings {
      arm_fossa = left
      occipital_fiber(line: _, area: _) = 0
    }
    expect category II
    expect adjustment adjust(level: T4)
  }
}
";

/// Hover, signature help, inlay hints, folding, the call hierarchy and the code action that
/// writes a case for an uncovered rule, as headless Neovim shows them
/// (`tests/neovim/features.lua`). Inlay hints through `vim.lsp.inlay_hint` and folding
/// through `vim.lsp.foldexpr` are tested on the Neovims that have them (0.10, 0.11); on 0.7
/// the same answers are read from the requests the client sends.
#[test]
fn headless_neovim_shows_the_editing_features() {
    for (nvim, version) in neovims() {
        let dir = neovim_dir("neovim-features", &version);
        let workspace = dir.join("workspace");
        std::fs::create_dir_all(workspace.join(".git")).expect("dir");
        let file = workspace.join("features.sot");
        std::fs::write(&file, FEATURES_SOT).expect("write");
        let report = run_neovim(
            &nvim,
            &version,
            &dir,
            "features.lua",
            &[("SOT_TEST_FILE", &file)],
        );
        eprintln!("{version} ({}):\n{report}", nvim.display());
        let context = format!("{version}:\n{report}");
        let has = |line: &str| report.lines().any(|l| l == line);
        let value = |key: &str| {
            report
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .unwrap_or_else(|| panic!("{version}: no {key} in\n{report}"))
                .to_owned()
        };
        let line = |needle: &str| {
            FEATURES_SOT[..FEATURES_SOT.find(needle).unwrap_or(0)]
                .matches('\n')
                .count()
        };
        assert!(!report.contains("error="), "{context}");
        assert!(has("done=true") && has("attached=true"), "{context}");
        assert!(
            value("hover").contains("indicator arm_fossa: Side?")
                && value("hover").contains("Arm fossa test: the arm weakens"),
            "{context}"
        );
        assert!(has("signature=table line2_level(area: 1..7)"), "{context}");
        assert!(has("signature_active=0"), "{context}");
        for (needle, label) in [
            ("for area in 1..7", "7 bindings"),
            ("line2_level(3)", "⇒ T3"),
            ("visit 1 {", "category II"),
            ("expect category II", "✓"),
            (
                "expect adjustment adjust(level: T4)",
                "✗ found adjust(level: T3)",
            ),
        ] {
            assert!(
                has(&format!("inlay={} {label}", line(needle))),
                "{needle}: {label}: {context}"
            );
        }
        let modern = !version.starts_with("NVIM v0.7")
            && !version.starts_with("NVIM v0.8")
            && !version.starts_with("NVIM v0.9");
        if modern {
            assert!(has("inlay_source=vim.lsp.inlay_hint"), "{context}");
        }
        assert_eq!(
            value("case_fold"),
            format!("{} {}", line("case ann"), value("last_line")),
            "the case folds from its header to its `}}`: {context}"
        );
        assert!(has("calls_filled=true"), "{context}");
        assert_eq!(
            value("outgoing"),
            format!(
                "II@{} fixed_level@{}",
                line("when arm_fossa != none"),
                line("when arm_fossa == left")
            ),
            "{context}"
        );
        // The case the code action wrote, after the file's last case, passes: the server's
        // inlay verdict on each of its `expect` lines is ✓.
        assert!(
            has("case_action=Write a case that exercises rule `occipital_line_two(area: 1)`"),
            "{context}"
        );
        assert_eq!(
            value("new_case_line"),
            (line("case ann") + 11).to_string(),
            "{context}"
        );
        assert!(
            value("new_case").contains("occipital_fiber(line: 2, area: 1) = 2\\n    }\\n"),
            "{context}"
        );
        let verdicts: Vec<String> = report
            .lines()
            .filter_map(|l| l.strip_prefix("new_case_inlay="))
            .filter(|l| l.contains('✓') || l.contains('✗'))
            .map(str::to_owned)
            .collect();
        let expects = value("new_case").matches("expect ").count();
        assert!(expects >= 2, "{context}");
        assert_eq!(verdicts.len(), expects, "{context}");
        assert!(verdicts.iter().all(|v| v.ends_with(" ✓")), "{context}");
    }
}
