//! End-to-end tests of `sot serve` as a process: the URL it prints, the warning off
//! loopback, a missing path. (The pages are tested in serve/tests/ and, in a browser, in
//! serve/e2e/.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn sot() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sot"));
    command.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")));
    command
}

#[test]
fn prints_its_loopback_url_and_serves_the_index_there() {
    let mut child = sot()
        .args(["serve", "serve/e2e/fixtures", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sot serve starts");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    let url = line
        .trim()
        .strip_prefix("sot workbench: ")
        .unwrap_or_else(|| panic!("the URL line: {line:?}"))
        .to_string();
    let addr = url
        .strip_prefix("http://")
        .and_then(|a| a.strip_suffix('/'))
        .expect("http://ADDR/");
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let port = addr.rsplit(':').next().expect("a port");
    let answer = get(addr, &format!("localhost:{port}"));
    // A page of another site whose name was rebound to 127.0.0.1 sends its own name.
    let rebound = get(addr, &format!("attacker.example:{port}"));
    let _ = child.kill();
    let mut stderr = String::new();
    let _ = child
        .stderr
        .take()
        .map(|mut e| e.read_to_string(&mut stderr));
    let _ = child.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("first_look.sot"), "{answer}");
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(rebound.starts_with("HTTP/1.1 421"), "{rebound}");
    assert!(!rebound.contains("first_look.sot"), "{rebound}");
}

/// The answer to `GET /` at `addr` with the `Host` header `host`.
fn get(addr: &str, host: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout set");
    let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    answer
}

#[test]
fn another_address_than_loopback_is_warned_of() {
    // An address of no interface here (TEST-NET-1): the warning, then the bind fails.
    let out = sot()
        .args([
            "serve",
            "serve/e2e/fixtures",
            "--host",
            "192.0.2.1",
            "--port",
            "0",
        ])
        .output()
        .expect("sot serve runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: listening on 192.0.2.1, not on loopback: anyone who can reach"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: cannot listen on 192.0.2.1"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let out = sot()
        .args(["serve", "no/such/folder", "--port", "0"])
        .output()
        .expect("sot serve runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`no/such/folder`: no such file or folder"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(2));
}
