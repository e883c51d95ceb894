// The client (extension.js) with stand-ins for the `vscode` module (only the editor provides
// it) and for vscode-languageclient: what command it starts, for which documents, and when
// it restarts.
'use strict';

const { test, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');

const EXTENSION_JS = path.join(__dirname, '..', 'extension.js');

/** What the stand-ins saw. */
let seen;
/** The `sot.server.path` setting; `undefined` is unset. */
let setting;
let workspaceFolders;

const vscodeStub = {
  workspace: {
    getConfiguration(section) {
      assert.equal(section, 'sot');
      return { get: (key) => (key === 'server.path' ? (setting === undefined ? 'sot' : setting) : undefined) };
    },
    get workspaceFolders() {
      return workspaceFolders;
    },
    textDocuments: [],
    onDidOpenTextDocument() {
      return { dispose() {} };
    },
    onDidChangeTextDocument() {
      return { dispose() {} };
    },
    onDidChangeConfiguration(listener) {
      seen.configurationListeners.push(listener);
      return { dispose() {} };
    },
  },
  commands: {
    registerCommand(name, callback) {
      seen.commands.set(name, callback);
      return { dispose() {} };
    },
  },
  // The Test Explorer's controller (test/testing.test.js drives it for real).
  tests: {
    createTestController() {
      return { items: new Map(), createRunProfile() {}, dispose() {} };
    },
  },
  TestRunProfileKind: { Run: 1 },
  window: {
    showErrorMessage(message) {
      seen.errors.push(message);
    },
  },
};

class LanguageClientStub {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, stopped: false });
    seen.clients.push(this);
  }
  async start() {
    if (seen.failStart) throw new Error('spawn sot ENOENT');
  }
  async stop() {
    this.stopped = true;
  }
}

const languageClientStub = { LanguageClient: LanguageClientStub, TransportKind: { stdio: 0, ipc: 1 } };

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'vscode') return vscodeStub;
  if (request === 'vscode-languageclient/node') return languageClientStub;
  return originalLoad.call(this, request, parent, isMain);
};
const extension = require(EXTENSION_JS);

function context() {
  return { subscriptions: [] };
}

beforeEach(async () => {
  await extension.deactivate();
  seen = { clients: [], commands: new Map(), configurationListeners: [], errors: [], failStart: false };
  setting = undefined;
  workspaceFolders = [{ uri: { fsPath: path.join(os.tmpdir(), 'protocols') } }];
});

test('starts `sot lsp` over stdio for sot documents', async () => {
  const ctx = context();
  await extension.activate(ctx);
  assert.equal(seen.clients.length, 1);
  const client = seen.clients[0];
  assert.equal(client.id, 'sot');
  // The options come from the one builder that server.test.js runs with the real library
  // (which appends `--stdio` for TransportKind.stdio) against the real `sot`.
  assert.deepEqual(client.serverOptions, extension.serverOptions('sot'));
  for (const mode of ['run', 'debug']) {
    assert.equal(client.serverOptions[mode].command, 'sot');
    assert.deepEqual(client.serverOptions[mode].args, ['lsp']);
    assert.equal(client.serverOptions[mode].transport, languageClientStub.TransportKind.stdio);
  }
  const languages = client.clientOptions.documentSelector.map((s) => s.language);
  assert.deepEqual([...new Set(languages)], ['sot']);
  assert.ok(client.clientOptions.documentSelector.some((s) => s.scheme === 'file'));
  assert.ok(ctx.subscriptions.length >= 2, 'the command and the listener are disposed with the extension');
  assert.deepEqual(seen.errors, []);
});

test('the command comes from `sot.server.path`', async () => {
  setting = '/opt/sot/bin/sot';
  await extension.activate(context());
  assert.equal(seen.clients[0].serverOptions.run.command, '/opt/sot/bin/sot');
  assert.deepEqual(seen.clients[0].serverOptions.run.args, ['lsp']);
});

test('a relative path is taken from the workspace folder, `~` from home, a bare name from PATH', () => {
  setting = './target/release/sot';
  assert.equal(extension.serverCommand(), path.join(os.tmpdir(), 'protocols', 'target', 'release', 'sot'));
  setting = '~/bin/sot';
  assert.equal(extension.serverCommand(), path.join(os.homedir(), 'bin', 'sot'));
  setting = 'sot-nightly';
  assert.equal(extension.serverCommand(), 'sot-nightly');
  setting = '   ';
  assert.equal(extension.serverCommand(), 'sot');
});

test('changing the setting restarts the server with the new command', async () => {
  await extension.activate(context());
  setting = '/usr/local/bin/sot';
  const [listener] = seen.configurationListeners;
  listener({ affectsConfiguration: (key) => key === 'editor.fontSize' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(seen.clients.length, 1, 'another setting changes nothing');
  listener({ affectsConfiguration: (key) => key === 'sot.server.path' || key === 'sot' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(seen.clients.length, 2);
  assert.ok(seen.clients[0].stopped);
  assert.equal(seen.clients[1].serverOptions.run.command, '/usr/local/bin/sot');
});

test('the restart command stops the server and starts it again', async () => {
  await extension.activate(context());
  await seen.commands.get('sot.restartServer')();
  assert.equal(seen.clients.length, 2);
  assert.ok(seen.clients[0].stopped);
  assert.ok(!seen.clients[1].stopped);
});

test('a server that cannot start is reported, naming the setting', async () => {
  seen.failStart = true;
  await extension.activate(context());
  assert.equal(seen.errors.length, 1);
  assert.match(seen.errors[0], /sot lsp/);
  assert.match(seen.errors[0], /sot\.server\.path/);
});

test('deactivate stops the server', async () => {
  await extension.activate(context());
  await extension.deactivate();
  assert.ok(seen.clients[0].stopped);
});
