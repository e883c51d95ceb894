//! End-to-end tests of `sot lsp`: JSON-RPC over stdio with the real binary (malformed
//! messages included), and headless Neovim receiving diagnostics.

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

fn nvim() -> Option<&'static str> {
    let found = Command::new("nvim")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("SOT_REQUIRE_NEOVIM").is_none(),
            "Neovim is required (SOT_REQUIRE_NEOVIM) but not installed"
        );
        eprintln!("skipped: Neovim is not installed");
    }
    found.then_some("nvim")
}

#[test]
fn headless_neovim_receives_the_diagnostics() {
    let Some(nvim) = nvim() else { return };
    let dir: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("neovim");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let protocol = dir.join("broken.sot");
    std::fs::write(&protocol, "indicator arm_fossa: Side?\nadjustment adjust(level: Vertebra)\nrule r {\n  when arm_fosa != none\n  then adjust(level: T1)\n}\n").expect("write");
    let out = dir.join("diagnostics.txt");
    // Neovim 0.7's API (Debian's package): start_client + buf_attach_client.
    let script = format!(
        r#"
local id = vim.lsp.start_client({{ name = "sot", cmd = {{ "{sot}", "lsp" }}, root_dir = "{dir}" }})
vim.cmd("edit {file}")
vim.lsp.buf_attach_client(0, id)
local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local lines = {{}}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
  table.insert(lines, code .. " " .. d.lnum .. " " .. d.col .. " " .. vim.split(d.message, "\n")[1])
end
if not ok then table.insert(lines, "timeout") end
-- Fix the typo by editing the buffer: Neovim sends the change as a range (incremental sync).
vim.api.nvim_buf_set_text(0, 3, 7, 3, 15, {{ "arm_fossa" }})
local fixed = vim.wait(20000, function() return #vim.diagnostic.get(0) == 0 end, 100)
table.insert(lines, fixed and "fixed" or "still broken")
vim.fn.writefile(lines, "{out}")
vim.cmd("qa!")
"#,
        sot = env!("CARGO_BIN_EXE_sot"),
        dir = dir.display(),
        file = protocol.display(),
        out = out.display(),
    );
    let lua = dir.join("test.lua");
    std::fs::write(&lua, script).expect("write");
    let status = Command::new(nvim)
        .args(["--headless", "-u", "NONE", "-c"])
        .arg(format!("luafile {}", lua.display()))
        .status()
        .expect("nvim runs");
    assert!(status.success());
    let lines = std::fs::read_to_string(&out).expect("nvim wrote the diagnostics");
    assert!(
        lines.contains("E0101 3 7 unknown name `arm_fosa`"),
        "{lines}"
    );
    assert!(lines.ends_with("fixed\n"), "{lines}");
}
