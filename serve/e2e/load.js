// A load test of `sot serve` on loopback: many students at once, each re-evaluating a visit
// from the findings form again and again. It opens the form once in headless Chromium to
// take the JSON case data the page posts, then has STUDENTS concurrent clients post it to
// /api/evaluate REQUESTS times each (bounded in count and in time), and prints the latency
// percentiles and the server's memory (resident now, and its peak, from /proc).
//
//   node load.js [--bin target/release/sot] [--file F --case C --visit N]
//                [--students 200] [--requests 10]
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const w = require("./workbench.js");

function option(name, fallback) {
  const i = process.argv.indexOf("--" + name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const bin = path.resolve(w.repo, option("bin", "target/release/sot"));
const file = option("file", "protocols/cases/red_flag_stops_care.sot");
const caseName = option("case", "tom");
const visit = option("visit", "1");
const students = Number(option("students", "200"));
const requests = Number(option("requests", "10"));
const limit = 300000; // ms: the whole run stops by itself

function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key) => Number((status.match(new RegExp(key + ":\\s+(\\d+)")) || [])[1]);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

(async () => {
  const server = await w.serve([path.dirname(file)], w.repo, bin);
  const pid = server.process.pid;
  try {
    const browser = await w.browser();
    const page = await browser.newPage();
    const posted = new Promise((resolve) =>
      page.on("request", (r) => r.url().includes("/api/evaluate") && resolve(r.postData())),
    );
    const key = file;
    await page.goto(`${server.url}form?file=${encodeURIComponent(key)}&case=${caseName}&visit=${visit}`);
    const body = await posted;
    await page.waitForSelector("#result article.case");
    await browser.close();
    const idle = memory(pid);
    const url = `${server.url}api/evaluate?file=${encodeURIComponent(key)}`;
    const latencies = [];
    let failures = 0;
    const started = Date.now();
    async function student() {
      for (let i = 0; i < requests && Date.now() - started < limit; i++) {
        const t = performance.now();
        const response = await fetch(url, { method: "POST", body, headers: { "Content-Type": "application/json" } });
        const answer = await response.json();
        latencies.push(performance.now() - t);
        if (!response.ok || !answer.html) failures++;
      }
    }
    await Promise.all(Array.from({ length: students }, student));
    const seconds = (Date.now() - started) / 1000;
    const after = memory(pid);
    latencies.sort((a, b) => a - b);
    const ms = (v) => v.toFixed(1) + " ms";
    console.log(`file ${file}, case ${caseName} visit ${visit}: ${body.length} bytes of case data`);
    console.log(`${students} students x ${requests} evaluations: ${latencies.length} in ${seconds.toFixed(1)} s ` +
      `(${(latencies.length / seconds).toFixed(0)}/s), ${failures} failed`);
    console.log(`latency p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, ` +
      `p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies[latencies.length - 1])}`);
    console.log(`server memory: ${idle.rss.toFixed(1)} MiB resident before, ${after.rss.toFixed(1)} MiB after, ` +
      `peak ${after.peak.toFixed(1)} MiB`);
    if (failures) process.exitCode = 1;
  } finally {
    w.stop(server);
  }
})();
