// The server options that extension.js builds, started by the real vscode-languageclient
// (its node transport, `LanguageClient.prototype.createMessageTransports` in
// node_modules/vscode-languageclient/lib/node/main.js) against the real `sot` binary, and an
// LSP initialize / initialized / shutdown / exit exchange over the streams it returns.
//
// Only the `vscode` module (which only the editor provides) is a stand-in: just what the
// library reads when it loads and when it picks the server's working folder.
//
// `sot` is $SOT_BIN, else target/debug/sot of this repository (`cargo build` makes it). If it
// is missing the test is skipped, unless SOT_REQUIRE_SOT=1 (as in CI), where it fails.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');

const SOT = process.env.SOT_BIN || path.resolve(__dirname, '..', '..', '..', 'target', 'debug', 'sot');
const TIMEOUT_MS = 20000;

// vscode-languageclient extends these classes of the `vscode` module when it loads.
const vscodeStub = { version: '1.82.0', workspace: { workspaceFolders: undefined } };
for (const name of [
  'CompletionItem',
  'CodeLens',
  'DocumentLink',
  'CodeAction',
  'Diagnostic',
  'CallHierarchyItem',
  'TypeHierarchyItem',
  'SymbolInformation',
  'InlayHint',
  'CancellationError',
]) {
  vscodeStub[name] = class {};
}
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'vscode') return vscodeStub;
  return originalLoad.call(this, request, parent, isMain);
};
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const { createMessageConnection } = require('vscode-jsonrpc/node');
const extension = require(path.join(__dirname, '..', 'extension.js'));
Module._load = originalLoad;

function sotMissing() {
  if (fs.existsSync(SOT)) return undefined;
  const message = `no sot binary at ${SOT}: run \`cargo build\` first, or set SOT_BIN`;
  if (process.env.SOT_REQUIRE_SOT === '1') assert.fail(`${message} (SOT_REQUIRE_SOT=1)`);
  return message;
}

/** Rejects after TIMEOUT_MS, or as soon as `failed` rejects. */
function within(promise, what, failed = new Promise(() => {})) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout, failed]).finally(() => clearTimeout(timer));
}

test('the extension uses the stdio transport, which the library turns into `--stdio`', () => {
  const options = extension.serverOptions('sot');
  assert.equal(options.run.transport, TransportKind.stdio);
  assert.deepEqual(options.debug, options.run);
});

test('the real client starts the real `sot` with the extension\'s options and talks LSP', async (t) => {
  const missing = sotMissing();
  if (missing) {
    t.skip(missing);
    return;
  }

  // Record what the library spawns (it calls `cp.spawn` on the shared child_process module).
  const spawned = [];
  const spawn = childProcess.spawn;
  childProcess.spawn = function recordingSpawn(command, args, options) {
    spawned.push({ command, args: [...args] });
    return spawn.call(this, command, args, options);
  };
  t.after(() => {
    childProcess.spawn = spawn;
  });

  // A LanguageClient without its VS Code half: the fields createMessageTransports reads
  // (`clientOptions` and `outputChannel` are getters of these two).
  let stderr = '';
  const reported = [];
  const client = Object.create(LanguageClient.prototype);
  Object.assign(client, {
    _serverOptions: extension.serverOptions(SOT),
    _forceDebug: false,
    _clientOptions: {},
    _outputChannel: {
      append(text) {
        stderr += text;
      },
      appendLine(text) {
        stderr += `${text}\n`;
      },
    },
    error(message) {
      reported.push(message);
    },
  });
  const transports = await client.createMessageTransports('utf-8');

  // vscode-languageclient 9 (lib/node/main.js, `Executable.is(json)` branch): the args,
  // then `--stdio` for TransportKind.stdio; no `--clientProcessId` for an executable.
  assert.deepEqual(spawned, [{ command: SOT, args: ['lsp', '--stdio'] }]);
  const server = client._serverProcess;
  assert.ok(server && server.pid, 'the library keeps the server process');
  t.after(() => {
    if (server.exitCode === null && server.signalCode === null) server.kill();
  });
  const exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
  const exitedEarly = exited.then(({ code, signal }) => {
    throw new Error(`sot exited (code ${code}, signal ${signal}) before answering; stderr: ${stderr}`);
  });
  exitedEarly.catch(() => {});

  const connection = createMessageConnection(transports.reader, transports.writer);
  connection.listen();
  t.after(() => connection.dispose());

  const init = await within(
    connection.sendRequest('initialize', {
      processId: process.pid,
      clientInfo: { name: 'server.test.js' },
      rootUri: null,
      capabilities: {},
    }),
    'initialize',
    exitedEarly
  );
  assert.equal(init.serverInfo.name, 'sot');
  assert.ok(init.capabilities.hoverProvider, JSON.stringify(init.capabilities));
  assert.ok(init.capabilities.textDocumentSync !== undefined, JSON.stringify(init.capabilities));
  await connection.sendNotification('initialized', {});

  const shutdown = await within(connection.sendRequest('shutdown'), 'shutdown', exitedEarly);
  assert.equal(shutdown, null);
  await connection.sendNotification('exit');
  const { code, signal } = await within(exited, 'exit');
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, stderr);
  // What the library itself reports when the process ends (its exit handler).
  assert.deepEqual(reported, ['Server process exited with code 0.']);
});
