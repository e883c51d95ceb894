// The sot workbench's one script (served from the same origin; no inline script anywhere).
// Every page: follow the library on disk (server-sent events) and update when it changes.
// The findings form: send the visit as JSON case data to /api/evaluate as the student edits
// it, show the report the server renders, or each problem at its field; export the visit.
"use strict";

(function () {
  const bar = document.querySelector("nav.bar");
  const version = bar ? Number(bar.dataset.version) : 0;
  const file = bar ? bar.dataset.file : undefined;
  const live = document.querySelector("nav.bar .live");
  const form = document.getElementById("findings");
  const encoder = new TextEncoder();

  function say(text) {
    if (live) live.textContent = text;
  }

  // ----- the visit as JSON case data, with where each field's text is -----

  // The value a cell records, as case data: undefined when not examined.
  function cellValue(fieldset, cell) {
    const kind = fieldset.dataset.kind;
    const radios = cell.querySelectorAll("input.v[type=radio]");
    if (radios.length) {
      const on = Array.from(radios).find((r) => r.checked);
      return on && on.value !== "" ? on.value : undefined;
    }
    const input = cell.querySelector(".v");
    const state = cell.querySelector("select.state");
    if (state && state.value !== "") return state.value;
    if (kind === "int" || kind === "measure") {
      // What was typed, as typed: the checker says what is wrong with it.
      const typed = input.value.trim() || (input.validity.badInput ? "?" : "");
      if (typed === "") return undefined;
      return kind === "measure" ? typed + " " + fieldset.dataset.unit : typed;
    }
    return input.value === "" ? undefined : input.value;
  }

  // The form as JSON text, and for each field its byte range in that text.
  function caseData() {
    const parts = [];
    let length = 0;
    const ranges = [];
    const push = (text) => {
      parts.push(text);
      length += encoder.encode(text).length;
    };
    const name = document.getElementById("case-name").value.trim() || "new_case";
    const number = Number(document.getElementById("visit-number").value) || 1;
    const label = document.getElementById("visit-label").value.trim();
    push('{"cases": [{"name": ');
    const metaStart = length;
    push(JSON.stringify(name) + ', "visits": [{"visit": ' + String(number));
    if (label) push(', "label": ' + JSON.stringify(label));
    ranges.push({ start: metaStart, end: length, element: document.getElementById("meta-error") });
    push(', "findings": {');
    let first = true;
    for (const fieldset of form.querySelectorAll("fieldset.finding")) {
      const indicator = fieldset.dataset.indicator;
      const cells = fieldset.querySelectorAll(".cell");
      const parametric = fieldset.querySelector("table.grid") !== null;
      const found = [];
      for (const cell of cells) {
        const v = cellValue(fieldset, cell);
        if (v !== undefined) found.push([cell, v]);
      }
      if (!found.length) continue;
      push(first ? "" : ", ");
      first = false;
      const keyStart = length;
      push(JSON.stringify(indicator) + ": ");
      if (!parametric) {
        push(JSON.stringify(found[0][1]));
        ranges.push({ start: keyStart, end: length, fieldset, cell: found[0][0] });
        continue;
      }
      push("[");
      found.forEach(([cell, v], i) => {
        const start = length;
        const args = JSON.parse(cell.dataset.args);
        const entries = Object.keys(args).map((k) => JSON.stringify(k) + ": " + JSON.stringify(args[k]));
        entries.push('"value": ' + JSON.stringify(v));
        push((i ? ", " : "") + "{" + entries.join(", ") + "}");
        ranges.push({ start, end: length, fieldset, cell });
      });
      push("]");
    }
    push("}}]}]}");
    return { text: parts.join(""), ranges };
  }

  // ----- showing problems at their fields -----

  function clearProblems() {
    for (const p of form.querySelectorAll(".error")) {
      p.hidden = true;
      p.textContent = "";
    }
    for (const c of form.querySelectorAll(".invalid")) c.classList.remove("invalid");
    for (const c of form.querySelectorAll("[aria-invalid]")) c.removeAttribute("aria-invalid");
  }

  function showProblems(problems, ranges) {
    const unplaced = [];
    for (const p of problems) {
      const at = ranges.find((r) => p.start >= r.start && p.start < Math.max(r.end, r.start + 1));
      const text = p.code + ": " + p.message + (p.help ? " (" + p.help + ")" : "");
      if (!at) {
        unplaced.push(text);
        continue;
      }
      const target = at.fieldset ? at.fieldset.querySelector(".error") : at.element;
      target.hidden = false;
      target.textContent = target.textContent ? target.textContent + " " + text : text;
      if (at.fieldset) at.fieldset.classList.add("invalid");
      if (at.cell) {
        at.cell.classList.add("invalid");
        for (const c of at.cell.querySelectorAll(".v")) c.setAttribute("aria-invalid", "true");
      }
    }
    return unplaced;
  }

  // ----- evaluating as the student edits -----

  const result = document.getElementById("result");
  let asked = 0;
  let refused = null; // the last export's problems, with the text they are about

  async function evaluate() {
    const mine = ++asked;
    const { text, ranges } = caseData();
    let answer;
    try {
      const response = await fetch("/api/evaluate?file=" + encodeURIComponent(file), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: text,
      });
      if (!response.ok) throw new Error(await response.text());
      answer = await response.json();
    } catch (e) {
      if (mine === asked) showMessage("The workbench did not answer: " + e.message);
      return;
    }
    if (mine !== asked) return; // a newer edit's answer will come
    clearProblems();
    // What the last export refused stays shown until the visit changes.
    if (refused && refused.text === text) showProblems(refused.problems, ranges);
    if (answer.protocol) {
      result.innerHTML = '<section class="broken"><h2>The protocol has errors</h2>' +
        "<p>Nothing can be evaluated until they are fixed. This page updates when the file changes.</p>" +
        answer.protocol + "</section>";
      return;
    }
    if (answer.problems.length) {
      const unplaced = showProblems(answer.problems, ranges);
      result.innerHTML = "";
      const note = document.createElement("p");
      note.className = "bad";
      note.textContent = "Fix the findings marked in the form to see what the protocol recommends." +
        (unplaced.length ? " " + unplaced.join(" ") : "");
      result.appendChild(note);
      return;
    }
    // The server's rendering (maud: every protocol string escaped).
    result.innerHTML = answer.html;
    verdict();
  }

  // The recommendations of a summary row, one after the other.
  function recommends(row) {
    const cell = row.querySelector('td[data-label="Recommends"]');
    if (!cell) return "";
    const codes = Array.from(cell.querySelectorAll("code"), (c) => c.textContent);
    return codes.length ? codes.join(", ") : cell.textContent.trim();
  }

  // The visit's summary row, in one line that stays in view on a narrow screen.
  function verdict() {
    const line = document.getElementById("verdict");
    const row = result.querySelector("table.summary tbody tr");
    if (!line || !row) return;
    const cell = (label) => (row.querySelector('td[data-label="' + label + '"]') || {}).textContent || "";
    const flagged = result.querySelector(".visit .flag") !== null;
    line.textContent = (flagged ? "RED FLAG: " + cell("Referral") + " · " : "") +
      "Category: " + cell("Category").trim() + " · The protocol recommends: " +
      recommends(row);
    line.classList.toggle("flagged", flagged);
    line.hidden = false;
  }

  function showMessage(text) {
    result.textContent = "";
    const p = document.createElement("p");
    p.className = "bad";
    p.textContent = text;
    result.appendChild(p);
  }

  let timer;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(evaluate, 150);
  }

  // ----- export -----

  async function exportAs(format) {
    const status = document.getElementById("export-status");
    const { text, ranges } = caseData();
    status.textContent = "checking…";
    const response = await fetch("/api/export?file=" + encodeURIComponent(file) + "&format=" + format, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: text,
    });
    if (response.status === 422) {
      const answer = await response.json();
      refused = { text, problems: answer.problems };
      clearProblems();
      showProblems(answer.problems, ranges);
      status.textContent = "not exported: fix the findings marked in the form";
      return;
    }
    if (!response.ok) {
      status.textContent = "not exported: " + (await response.text());
      return;
    }
    const disposition = response.headers.get("Content-Disposition") || "";
    const name = (disposition.match(/filename="([^"]*)"/) || [])[1] || "case." + format;
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    status.textContent = "exported " + name + " (checked)";
  }

  if (form) {
    form.addEventListener("input", soon);
    form.addEventListener("change", soon);
    form.addEventListener("submit", (e) => e.preventDefault());
    document.getElementById("export-sot").addEventListener("click", () => exportAs("sot"));
    document.getElementById("export-json").addEventListener("click", () => exportAs("json"));
    evaluate();
  }

  // ----- practice: examine, hint, commit an answer -----

  const practice = document.getElementById("practice");
  const examined = [];

  async function practise(extra) {
    const body = {
      file: practice.dataset.file,
      case: practice.dataset.case,
      visit: Number(practice.dataset.visit),
      examined,
      ...extra,
    };
    const response = await fetch("/api/practice", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(await response.text());
    const answer = await response.json();
    for (const e of answer.examined) {
      for (const place of practice.querySelectorAll('span.examine[data-slot="' + e.slot + '"]')) {
        place.classList.add("done");
        place.querySelector(".revealed").textContent = e.revealed;
        place.querySelector("button").disabled = true;
        place.title = e.finding + ": " + e.revealed;
      }
    }
    return answer;
  }

  function showError(part, texts) {
    const p = document.getElementById("error-" + part);
    p.hidden = texts.length === 0;
    p.textContent = texts.join(" ");
  }

  if (practice) {
    practice.addEventListener("click", async (e) => {
      const button = e.target.closest("button.examine");
      if (!button) return;
      const slot = Number(button.dataset.slot);
      if (!examined.includes(slot)) examined.push(slot);
      await practise({});
    });
    document.getElementById("hint").addEventListener("click", async () => {
      const answer = await practise({ hint: true });
      document.getElementById("hint-text").textContent = answer.hint;
    });
    document.getElementById("commit").addEventListener("click", async () => {
      const lines = (id) => document.getElementById(id).value.split("\n");
      const answer = await practise({
        answer: {
          category: document.getElementById("answer-category").value,
          adjustments: lines("answer-adjustments"),
          checks: lines("answer-checks"),
        },
      });
      for (const part of ["category", "adjustments", "checks"]) {
        showError(part, answer.errors.filter(([p]) => p === part).map(([, text]) => text));
      }
      const score = document.getElementById("score");
      // The server's rendering (maud: every protocol string escaped).
      score.innerHTML = answer.score || "";
      if (answer.score) score.scrollIntoView({ block: "start" });
    });
  }

  // ----- following the files on disk -----

  if (bar && window.EventSource) {
    const events = new EventSource("/events");
    events.addEventListener("library", async (e) => {
      const now = Number(e.data);
      if (now === version) return;
      if (!form) {
        location.reload();
        return;
      }
      // The form keeps what the student entered: evaluate it against the new protocol.
      say("The protocol changed on disk; evaluated again.");
      evaluate();
    });
  }
})();
