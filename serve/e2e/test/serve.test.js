// `sot serve` in headless Chromium: the real binary on a free port, pages driven as a
// student would use them. The form tests use a copy of protocols/examples/first_look.sot in
// fixtures/ (a library rewrite cannot break them); the library test reads whatever
// protocols/ holds, and compares with `sot run`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const w = require("../workbench.js");

const skip = w.available();
const shots = process.env.SOT_SCREENSHOTS;

// A private copy of the fixtures: the tests that change files on disk change only it.
function copyFixtures() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sot-serve-"));
  for (const name of fs.readdirSync(w.fixtures)) {
    fs.copyFileSync(path.join(w.fixtures, name), path.join(dir, name));
  }
  return dir;
}

test.describe("sot serve", { skip }, () => {
  let browser;
  let server;
  let dir;
  const errors = [];

  test.before(async () => {
    dir = copyFixtures();
    server = await w.serve(["."], dir);
    browser = await w.browser();
  });
  test.after(async () => {
    if (browser) await browser.close();
    w.stop(server);
  });

  async function open(url, width = 1200) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("dialog", (d) => {
      errors.push("a dialog opened: " + d.message());
      d.dismiss();
    });
    await page.goto(server.url + url);
    return page;
  }

  const form = (file, rest = "") => "form?file=" + encodeURIComponent(file) + rest;

  // The report area once the evaluation of the current findings has come back.
  async function report(page) {
    await page.waitForSelector("#result article.case, #result .bad");
    return page.locator("#result");
  }

  test("the URL is printed, on loopback", () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test("pages carry a strict Content-Security-Policy", async () => {
    const response = await fetch(server.url);
    const policy = response.headers.get("content-security-policy");
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.doesNotMatch(policy, /unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  test("the form shows the case's visit evaluated, and a changed finding changes the recommendation", async () => {
    const page = await open(form("first_look.sot", "&case=maria&visit=1"));
    const result = await report(page);
    await assert.doesNotReject(result.getByText("block(category: II, short_leg: right)").first().waitFor());
    await page.locator('fieldset[data-indicator="short_leg"] select.v').selectOption("left");
    await result.getByText("block(category: II, short_leg: left)").first().waitFor();
    assert.equal(await result.getByText("short_leg: right").count(), 0);
    // The explanation names the rule and the finding.
    await result.getByText("short_leg = left").first().waitFor();
    await page.close();
  });

  test("a toggle changes the category", async () => {
    const page = await open(form("first_look.sot", "&case=maria&visit=1"));
    const result = await report(page);
    await result.locator("table.summary td[data-label=Category]", { hasText: "II" }).waitFor();
    await page.locator('fieldset[data-indicator="pain_on_cough"] label', { hasText: /^yes$/ }).click();
    await result.locator("table.summary td[data-label=Category]", { hasText: "III" }).waitFor();
    await page.close();
  });

  test("a bad value gets the checker's E05xx message at its field", async () => {
    const page = await open(form("first_look.sot", "&case=maria&visit=1"));
    await report(page);
    const field = page.locator('fieldset[data-indicator="leg_length_difference"]');
    await field.locator("input.v").fill("99");
    const message = field.locator("p.error");
    await message.waitFor({ state: "visible" });
    assert.match(await message.textContent(), /^E05\d\d: /);
    assert.match(await message.textContent(), /40/); // the bound it is outside of
    assert.equal(await field.locator(".cell.invalid").count(), 1);
    // The same message `sot run --cases` gives for the same data.
    const data = JSON.stringify({
      cases: [{ name: "maria", visits: [{ visit: 1, findings: { leg_length_difference: "99 mm" } }] }],
    });
    const json = path.join(dir, "bad.json");
    fs.writeFileSync(json, data);
    const run = spawnSync(w.sot, ["run", "first_look.sot", "--cases", json], { cwd: dir, encoding: "utf8" });
    fs.unlinkSync(json);
    const shown = (await message.textContent()).replace(/^E05\d\d: /, "").replace(/ \(.*\)$/, "");
    assert.ok(run.stderr.includes(shown), "sot run says: " + run.stderr);
    // No other field is marked, and fixing it clears the message.
    assert.equal(await page.locator("fieldset.finding.invalid").count(), 1);
    await field.locator("input.v").fill("12");
    await message.waitFor({ state: "hidden" });
    await page.close();
  });

  test("a red flag is the first thing the visit says", async () => {
    const page = await open(form("first_look.sot", "&case=maria&visit=1"));
    const result = await report(page);
    await page.locator('fieldset[data-indicator="saddle_anesthesia"] label', { hasText: /^yes$/ }).click();
    const flag = result.locator(".visit .flag").first();
    await flag.waitFor();
    assert.match(await flag.textContent(), /cauda equina/i);
    // Before the category in the visit.
    const order = await result.locator(".visit").first().evaluate((v) => {
      const f = v.querySelector(".flag");
      const c = v.querySelector(".category");
      return !c || Boolean(f.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(order, "the red flag comes before the category");
    await page.close();
  });

  test("an exported .sot case and JSON case data pass `sot check` and `sot run`", async () => {
    const page = await open(form("first_look.sot", "&case=maria&visit=1"));
    await report(page);
    await page.locator("#case-name").fill("exported");
    await page.locator('fieldset[data-indicator="short_leg"] select.v').selectOption("left");
    await page.locator('fieldset[data-indicator="sacral_nutation"] select.v').selectOption("untestable");
    for (const format of ["sot", "json"]) {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.locator("#export-" + format).click(),
      ]);
      assert.equal(download.suggestedFilename(), "exported." + format);
      const saved = path.join(dir, "exported." + format);
      await download.saveAs(saved);
      const text = fs.readFileSync(saved, "utf8");
      if (format === "sot") {
        assert.match(text, /use "first_look.sot"/);
        assert.match(text, /short_leg = left/);
        assert.match(text, /sacral_nutation = untestable/);
        execFileSync(w.sot, ["check", saved], { cwd: dir }); // throws on a non-zero exit
        const run = execFileSync(w.sot, ["run", saved], { cwd: dir, encoding: "utf8" });
        assert.match(run, /short_leg: left/);
      } else {
        assert.equal(JSON.parse(text).cases[0].visits[0].findings.short_leg, "left");
        const run = execFileSync(w.sot, ["run", "first_look.sot", "--cases", saved], { cwd: dir, encoding: "utf8" });
        assert.match(run, /short_leg: left/);
      }
      fs.unlinkSync(saved);
    }
    assert.match(await page.locator("#export-status").textContent(), /exported/);
    // Named as the protocol's own case, the .sot file would not check (E0102): said at the name.
    await page.locator("#case-name").fill("maria");
    await page.locator("#export-sot").click();
    await page.locator("#meta-error").waitFor({ state: "visible" });
    assert.match(await page.locator("#meta-error").textContent(), /^E0102: .*maria/);
    assert.match(await page.locator("#export-status").textContent(), /not exported/);
    await page.close();
  });

  test("a protocol title with <script> stays text everywhere", async () => {
    for (const url of ["", "handbook?file=hostile.sot", "cases?file=hostile.sot", form("hostile.sot", "&case=maria")]) {
      const page = await open(url);
      if (url.startsWith("form")) await report(page);
      const scripts = await page.evaluate(() => Array.from(document.scripts).map((s) => s.getAttribute("src")));
      assert.deepEqual(scripts, ["/assets/workbench.js"], url);
      assert.equal(await page.locator("img").count(), 0, url);
      assert.equal(await page.locator("main b, header b").count(), 0, url);
      const text = await page.locator("body").textContent();
      assert.ok(text.includes("<script>alert(1)</script>"), url + " shows the title as text");
      await page.close();
    }
    assert.deepEqual(errors, []);
  });

  test("an open page follows the protocol on disk, with the checker's diagnostics when it breaks", async () => {
    const file = path.join(dir, "first_look.sot");
    const good = fs.readFileSync(file, "utf8");
    const cases = await open("cases?file=first_look.sot");
    const formPage = await open(form("first_look.sot", "&case=maria&visit=1"));
    await report(formPage);
    try {
      fs.writeFileSync(file, good.replace("when arm_fossa != none", "when arm_fosa != none"));
      await cases.locator("section.broken").waitFor({ timeout: 30000 });
      assert.match(await cases.locator("section.broken").textContent(), /E0101/);
      await formPage.locator("#result section.broken").waitFor({ timeout: 30000 });
      assert.match(await formPage.locator("#result").textContent(), /E0101.*arm_fosa/s);
    } finally {
      fs.writeFileSync(file, good);
    }
    await cases.locator("table.summary").waitFor({ timeout: 30000 });
    await formPage.locator("#result article.case").waitFor({ timeout: 30000 });
    await cases.close();
    await formPage.close();
  });

  test("pages fit 1200 px and 400 px without scrolling sideways", async () => {
    for (const width of [1200, 400]) {
      for (const [name, url] of [["index", ""], ["form", form("first_look.sot", "&case=maria&visit=1")], ["cases", "cases?file=first_look.sot"], ["handbook", "handbook?file=first_look.sot"]]) {
        const page = await open(url, width);
        if (name === "form") await report(page);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= width, `${name} at ${width} px is ${wide} px wide`);
        if (shots) {
          fs.mkdirSync(shots, { recursive: true });
          await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: name !== "handbook" });
        }
        await page.close();
      }
    }
  });


  test("a practice session: three examinations, a hint, a wrong answer, its score and the missed red flag", async () => {
    const page = await open("practice?file=red_flag.sot&case=rosa&visit=1");
    for (const [indicator, value] of [["arm_fossa", "left"], ["short_leg", "right"], ["pain_on_cough", "no"]]) {
      const field = page.locator(`#practice fieldset[data-indicator="${indicator}"]`);
      await field.locator("button.examine").click();
      await field.locator(".revealed", { hasText: value }).waitFor();
    }
    // Not examined: still hidden.
    assert.equal(await page.locator('fieldset[data-indicator="saddle_anesthesia"] .revealed').textContent(), "");
    await page.locator("#hint").click();
    await page.locator("#hint-text", { hasText: "Hint: examine" }).waitFor();
    assert.match(await page.locator("#hint-text").textContent(), /saddle_anesthesia/);
    await page.locator("#answer-category").selectOption("II");
    await page.locator("#answer-adjustments").fill("block(category: II, short_leg: right)");
    await page.locator("#commit").click();
    const first = page.locator("#score .item").first();
    await first.waitFor();
    assert.match(await page.locator("#score").textContent(), /A red flag was missed/);
    assert.match(await first.textContent(), /^MISSED RED FLAG cauda_equina/);
    assert.ok((await first.getAttribute("class")).includes("flag"));
    assert.match(await page.locator("#score h2").textContent(), /Score: \d+ of \d+ correct/);
    // A wrong call is said at its field, not scored.
    await page.locator("#answer-adjustments").fill("block(category: II)");
    await page.locator("#commit").click();
    await page.locator("#error-adjustments").waitFor({ state: "visible" });
    assert.match(await page.locator("#error-adjustments").textContent(), /every argument/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

test.describe("sot serve protocols/", { skip }, () => {
  let browser;
  let server;

  test.before(async () => {
    server = await w.serve(["protocols"]);
    browser = await w.browser();
  });
  test.after(async () => {
    if (browser) await browser.close();
    w.stop(server);
  });

  test("opening a case shows the category `sot run` finds", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    // The first file whose first visit has a category, whatever the library holds.
    const files = await page.locator("table.files tbody tr td:first-child code").allTextContents();
    assert.ok(files.length > 0, "the index lists the library's files");
    let chosen;
    for (const file of files) {
      const run = spawnSync(w.sot, ["run", file, "--format", "json"], { cwd: w.repo, encoding: "utf8" });
      if (run.status !== 0) continue;
      const visit = JSON.parse(run.stdout).cases[0]?.visits[0];
      if (visit && visit.category.state === "category") {
        chosen = { file, names: visit.category.categories.map((c) => c.name) };
        break;
      }
    }
    assert.ok(chosen, "some case of protocols/ has a category at its first visit");
    await page.locator("table.files tbody tr", { hasText: chosen.file }).getByRole("link", { name: "cases" }).click();
    const cell = page.locator("table.summary td[data-label=Category]").first();
    await cell.waitFor();
    for (const name of chosen.names) assert.match(await cell.textContent(), new RegExp("\\b" + name + "\\b"));
    await page.close();
  });
});
