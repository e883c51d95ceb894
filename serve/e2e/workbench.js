// What the e2e tests share: the real `sot serve` (target/debug/sot) on a free port, and a
// headless Chromium (the system's, driven by playwright-core).
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const repo = path.resolve(__dirname, "../..");
const sot = path.join(repo, "target/debug/sot");
const fixtures = path.join(__dirname, "fixtures");
const chromium = process.env.SOT_CHROMIUM || "/usr/bin/chromium";

/** Whether the tests can run here; with SOT_REQUIRE_CHROMIUM=1 a missing browser fails. */
function available() {
  const missing = [sot, chromium].filter((p) => !fs.existsSync(p));
  if (missing.length && process.env.SOT_REQUIRE_CHROMIUM === "1") {
    throw new Error("missing for the e2e tests: " + missing.join(", ") + " (build with `cargo build --bin sot`)");
  }
  return missing.length ? "missing " + missing.join(", ") : false;
}

/** Starts `sot serve ARGS… --port 0` in `cwd` (with the binary `bin`); resolves to
 * {url, process, stdout(), stderr()}. */
function serve(args, cwd = repo, bin = sot) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["serve", ...args, "--port", "0"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error("sot serve printed no URL in 60 s: " + err)), 60000);
    child.stderr.on("data", (d) => (err += d));
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/[^\s]+\//);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], process: child, stdout: () => out, stderr: () => err });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error("sot serve exited with " + code + ": " + err));
    });
  });
}

/** A headless Chromium. */
async function browser() {
  const { chromium: driver } = require("playwright-core");
  return driver.launch({ executablePath: chromium, args: ["--no-sandbox"] });
}

/** Stops a server started by `serve`. */
function stop(server) {
  if (server && server.process.exitCode === null) server.process.kill("SIGTERM");
}

module.exports = { available, serve, browser, stop, repo, fixtures, sot };
