// The Test Explorer: testing.js against the real `sot` (`sot test --format json --coverage`),
// and the controller extension.js builds from it, driven through stand-ins for the `vscode`
// module's test API (only the editor provides it): which tests it finds, what a run reports
// for a failed `expect` line (expected, found, the line), and the coverage it adds.
//
// `sot` is $SOT_BIN, else target/debug/sot of this repository; if it is missing the tests
// that run it are skipped, unless SOT_REQUIRE_SOT=1 (as in CI), where they fail.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');

const testing = require('../testing');

const SOT = process.env.SOT_BIN || path.resolve(__dirname, '..', '..', '..', 'target', 'debug', 'sot');

function sotMissing() {
  if (fs.existsSync(SOT)) return undefined;
  const message = `no sot binary at ${SOT}: run \`cargo build\` first, or set SOT_BIN`;
  if (process.env.SOT_REQUIRE_SOT === '1') assert.fail(`${message} (SOT_REQUIRE_SOT=1)`);
  return message;
}

const PROTOCOL = `protocol "Explorer"

indicator arm_fossa: Side?
indicator pelvic_torsion: bool
adjustment block(side: Side)
adjustment rest

category II "Sacroiliac weight-bearing instability" {
  when arm_fossa != none
}

rule block_two {
  in category II
  when arm_fossa != none
  then block(side: arm_fossa)
}

rule torsion {
  when pelvic_torsion
  then rest
}

case ann {
  visit 1 {
    findings {
      arm_fossa = left
      pelvic_torsion = no
    }
    expect category II
  }
  visit 2 {
    findings {
      arm_fossa = right
      pelvic_torsion = no
    }
    expect adjustment block(side: left)
  }
}
`;

function protocolFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sot-explorer-'));
  fs.mkdirSync(path.join(dir, '.git'));
  const file = path.join(dir, 'explorer.sot');
  fs.writeFileSync(file, PROTOCOL);
  return file;
}

const lineOf = (needle) => PROTOCOL.slice(0, PROTOCOL.indexOf(needle)).split('\n').length - 1;

test('the cases and visits of a protocol, with their lines', () => {
  assert.deepEqual(testing.casesOf(PROTOCOL), [
    {
      name: 'ann',
      line: lineOf('case ann'),
      end: lineOf('case ann') + 15,
      visits: [
        { number: 1, line: lineOf('visit 1'), end: lineOf('visit 2') - 1 },
        { number: 2, line: lineOf('visit 2'), end: lineOf('case ann') + 14 },
      ],
    },
  ]);
  // Not a case: a comment, a word inside another item.
  assert.deepEqual(testing.casesOf('// case x {\nrule case_rule {\n  when a\n  then b\n}\n'), []);
});

test('a run: each visit passes or fails with what was expected and found', async (t) => {
  const missing = sotMissing();
  if (missing) return t.skip(missing);
  const file = protocolFile();
  const report = await testing.runSotTest(SOT, file);
  const { problems, visits } = testing.visitResults(report, file);
  assert.deepEqual(problems, []);
  assert.deepEqual(visits.get('ann/1'), { passed: true, failures: [] });
  assert.deepEqual(visits.get('ann/2'), {
    passed: false,
    failures: [
      {
        line: lineOf('expect adjustment block(side: left)'),
        expectation: 'expect adjustment block(side: left)',
        expected: 'adjustment block(side: left)',
        found: 'block(side: right)',
      },
    ],
  });
  // Coverage: the rule no case fired is not covered; the one that fired is.
  const lines = testing.coverageLines(report, file, PROTOCOL);
  assert.deepEqual(
    lines.map((l) => [l.line, l.kind, l.name, l.covered]),
    [
      [lineOf('category II'), 'category', 'II', true],
      [lineOf('rule block_two'), 'rule', 'block_two', true],
      [lineOf('rule torsion'), 'rule', 'torsion', false],
    ]
  );
});

test('a protocol with errors: its cases did not run, and the run says why', async (t) => {
  const missing = sotMissing();
  if (missing) return t.skip(missing);
  const file = protocolFile();
  fs.writeFileSync(file, PROTOCOL.replace('when pelvic_torsion', 'when pelvic_torsoin'));
  const report = await testing.runSotTest(SOT, file);
  const { problems } = testing.visitResults(report, file);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /^E0101: unknown name `pelvic_torsoin`/);
});

test('a `sot` that cannot run is an error, not an empty pass', async () => {
  await assert.rejects(testing.runSotTest(path.join(os.tmpdir(), 'no-such-sot'), 'x.sot'), /failed/);
});

// The controller of extension.js, on stand-ins for VS Code's test API.
function fakeVscode(document) {
  const collection = () => {
    const map = new Map();
    return {
      add: (item) => map.set(item.id, item),
      get: (id) => map.get(id),
      delete: (id) => map.delete(id),
      forEach: (f) => map.forEach((item) => f(item)),
      get size() {
        return map.size;
      },
      [Symbol.iterator]: () => map.entries(),
    };
  };
  const seen = { profiles: [], runs: [] };
  class Position {
    constructor(line, character) {
      Object.assign(this, { line, character });
    }
  }
  class TestMessage {
    constructor(message) {
      this.message = message;
    }
    static diff(message, expected, actual) {
      return Object.assign(new TestMessage(message), { expectedOutput: expected, actualOutput: actual });
    }
  }
  const controller = {
    items: collection(),
    createTestItem: (id, label, uri) => ({ id, label, uri, children: collection() }),
    createRunProfile: (label, kind, handler) => seen.profiles.push({ label, kind, handler }),
    createTestRun() {
      const run = { passed: [], failed: [], errored: [], coverage: [], ended: false };
      seen.runs.push(run);
      return {
        passed: (item) => run.passed.push(item.id),
        failed: (item, messages) => run.failed.push({ id: item.id, messages: [].concat(messages) }),
        errored: (item, messages) => run.errored.push({ id: item.id, messages: [].concat(messages) }),
        addCoverage: (c) => run.coverage.push(c),
        end: () => (run.ended = true),
      };
    },
    dispose() {},
  };
  const vscode = {
    tests: { createTestController: () => controller },
    TestRunProfileKind: { Run: 1, Coverage: 3 },
    Range: class {
      constructor(a, b, c, d) {
        Object.assign(this, { start: new Position(a, b), end: new Position(c, d) });
      }
    },
    Position,
    Location: class {
      constructor(uri, position) {
        Object.assign(this, { uri, position });
      }
    },
    TestMessage,
    StatementCoverage: class {
      constructor(executed, location) {
        Object.assign(this, { executed, location });
      }
    },
    FileCoverage: { fromDetails: (uri, details) => ({ uri, details }) },
    Uri: { parse: () => document.uri },
    workspace: {
      textDocuments: [document],
      onDidOpenTextDocument: () => ({ dispose() {} }),
      onDidChangeTextDocument: () => ({ dispose() {} }),
      onDidChangeConfiguration: () => ({ dispose() {} }),
      asRelativePath: () => 'explorer.sot',
      openTextDocument: async () => document,
      getConfiguration: () => ({ get: () => SOT }),
      workspaceFolders: undefined,
    },
    commands: { registerCommand: () => ({ dispose() {} }) },
    window: { showErrorMessage() {} },
  };
  return { vscode, controller, seen };
}

test('the explorer lists the cases and visits, runs them and shows the failed line and coverage', async (t) => {
  const missing = sotMissing();
  if (missing) return t.skip(missing);
  const file = protocolFile();
  const uri = { toString: () => `file://${file}`, fsPath: file, scheme: 'file' };
  const document = { uri, languageId: 'sot', getText: () => PROTOCOL };
  const { vscode, controller, seen } = fakeVscode(document);
  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request === 'vscode') return vscode;
    if (request === 'vscode-languageclient/node') {
      return { LanguageClient: class { async start() {} async stop() {} }, TransportKind: { stdio: 0 } };
    }
    return originalLoad.call(this, request, parent, isMain);
  };
  const extensionPath = require.resolve('../extension.js');
  delete require.cache[extensionPath];
  const extension = require(extensionPath);
  Module._load = originalLoad;
  await extension.activate({ subscriptions: [] });

  const fileItem = controller.items.get(uri.toString());
  const caseItem = fileItem.children.get(`${uri}#ann`);
  assert.equal(caseItem.label, 'case ann');
  assert.deepEqual([caseItem.range.start.line, caseItem.range.end.line], [lineOf('case ann'), lineOf('case ann') + 15]);
  const visits = [];
  caseItem.children.forEach((v) => visits.push([v.label, v.range.start.line]));
  assert.deepEqual(visits, [
    ['visit 1', lineOf('visit 1')],
    ['visit 2', lineOf('visit 2')],
  ]);
  assert.deepEqual(
    seen.profiles.map((p) => [p.label, p.kind]),
    [
      ['Run cases', 1],
      ['Run cases with coverage', 3],
    ]
  );

  const coverageProfile = seen.profiles[1];
  await coverageProfile.handler({ include: undefined }, { isCancellationRequested: false });
  const [run] = seen.runs;
  assert.ok(run.ended);
  assert.deepEqual(run.passed, [`${uri}#ann/1`]);
  assert.deepEqual(run.failed.map((f) => f.id), [`${uri}#ann/2`, `${uri}#ann`]);
  const [message] = run.failed[0].messages;
  assert.equal(message.expectedOutput, 'adjustment block(side: left)');
  assert.equal(message.actualOutput, 'block(side: right)');
  assert.equal(message.message, 'expect adjustment block(side: left): found block(side: right)');
  assert.equal(message.location.position.line, lineOf('expect adjustment block(side: left)'));
  assert.deepEqual(
    run.coverage[0].details.map((d) => [d.location.line, d.executed]),
    [
      [lineOf('category II'), true],
      [lineOf('rule block_two'), true],
      [lineOf('rule torsion'), false],
    ]
  );
  await extension.deactivate();
});
