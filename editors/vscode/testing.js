// The Test Explorer's logic, apart from VS Code so that node can test it against the real
// `sot`: the cases and visits of a protocol's text (the tests), `sot test --format json
// --coverage` run on a file, its verdicts turned into each visit's result (a failed `expect`
// line with what it expected and what was found), and its coverage turned into the lines of
// the rules, categories, red flags and checks that the cases did or did not exercise.
'use strict';

const childProcess = require('node:child_process');

/**
 * The cases of a protocol's text, each with its visits: `{ name, line, end, visits: [{
 * number, line, end }] }`, lines 0-based (`end`: its last line). An item starts a line
 * (`case NAME`); a visit is `visit N` inside it; a case ends where the next item starts.
 * @param {string} text
 */
function casesOf(text) {
  const cases = [];
  let current;
  text.split('\n').forEach((written, line) => {
    const item = /^case\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(written);
    if (item) {
      current = { name: item[1], line, end: line, visits: [] };
      cases.push(current);
      return;
    }
    if (/^[A-Za-z_]/.test(written)) {
      current = undefined;
      return;
    }
    if (!current || written.trim() === '') return;
    current.end = line;
    const visits = current.visits;
    const visit = /^\s+visit\s+(\d+)/.exec(written);
    if (visit) visits.push({ number: Number(visit[1]), line, end: line });
    else if (visits.length > 0) visits[visits.length - 1].end = line;
  });
  // A visit ends before the case's closing line.
  for (const c of cases) {
    const last = c.visits[c.visits.length - 1];
    if (last && last.end === c.end && last.line < c.end) last.end = c.end - 1;
  }
  return cases;
}

/**
 * Runs `command test FILE --format json --coverage`: resolves with its report (exit status 0
 * or 1: every expectation judged), rejects with its error output otherwise (2: usage or I/O).
 * @param {string} command
 * @param {string} file
 * @param {{ cwd?: string, timeoutMs?: number }} [options]
 */
function runSotTest(command, file, options = {}) {
  return new Promise((resolve, reject) => {
    childProcess.execFile(
      command,
      ['test', file, '--format', 'json', '--coverage'],
      { cwd: options.cwd, timeout: options.timeoutMs || 60000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const status = error ? error.code : 0;
        if (status !== 0 && status !== 1) {
          reject(new Error(`\`${command} test\` failed (${status}): ${stderr || (error && error.message)}`));
          return;
        }
        try {
          resolve(JSON.parse(stdout));
        } catch (parse) {
          reject(new Error(`\`${command} test\` did not print JSON: ${parse.message}`));
        }
      }
    );
  });
}

/**
 * Each visit's result from a report, for the cases of `file`: a Map from `case/visit` to
 * `{ passed, failures: [{ line, expectation, expected, found }] }` (lines 0-based). A file
 * whose cases did not run gets `problems` (the errors that kept them from running) instead.
 * @param {any} report
 * @param {string} file
 */
function visitResults(report, file) {
  const sameFile = (f) => f === file || f.endsWith('/' + file) || file.endsWith('/' + f);
  if (report.not_run.some(sameFile)) {
    const problems = report.problems.map((p) => `${p.code}: ${p.message}`);
    return { problems: problems.length > 0 ? problems : ['the cases did not run'], visits: new Map() };
  }
  const visits = new Map();
  for (const e of report.expectations.filter((e) => sameFile(e.file))) {
    const key = `${e.case}/${e.visit}`;
    const result = visits.get(key) || { passed: true, failures: [] };
    if (!e.passed) {
      result.passed = false;
      result.failures.push({ line: e.line - 1, expectation: e.expectation, expected: e.expected, found: e.found });
    }
    visits.set(key, result);
  }
  return { problems: [], visits };
}

/** The kinds of item coverage covers, as `sot test --coverage` names them, and as written. */
const KINDS = { rule: 'rule', category: 'category', 'red flag': 'red_flag', 'check outcome': 'check' };

/**
 * The covered and uncovered lines of `file` (its `text`) from a report's coverage: one
 * `{ line, kind, name, covered }` per rule, category, red flag and check declared in the text
 * (lines 0-based), and `missing`: what of it no case exercised (its `for` bindings, a check's
 * outcomes, or the item itself). An item is covered when nothing of it is missing.
 * @param {any} report
 * @param {string} file
 * @param {string} text
 */
function coverageLines(report, file, text) {
  if (!report.coverage) return [];
  const base = file.split('/').pop();
  // What was not exercised, by `kind name`: `name in file`, `name(area: 3) in file`,
  // `name (emergency) in file`, `name outcome in file`.
  const missed = new Map();
  for (const kind of report.coverage.kinds) {
    const written = KINDS[kind.kind];
    if (!written) continue;
    for (const entry of kind.not_exercised) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(entry);
      const at = entry.lastIndexOf(' in ');
      if (!name || at < 0 || entry.slice(at + 4).split('/').pop() !== base) continue;
      const key = `${written} ${name[0]}`;
      missed.set(key, [...(missed.get(key) || []), entry.slice(0, at)]);
    }
  }
  const out = [];
  text.split('\n').forEach((written, line) => {
    const item = /^(rule|category|red_flag|check)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(written);
    if (item) {
      const missing = missed.get(`${item[1]} ${item[2]}`) || [];
      out.push({ line, kind: item[1], name: item[2], covered: missing.length === 0, missing });
    }
  });
  return out;
}

module.exports = { casesOf, runSotTest, visitResults, coverageLines };
