// The VS Code client of the sot language server: starts `sot lsp` over stdio for the
// documents of language `sot`. Plain JavaScript (CommonJS), no build step.
'use strict';

const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const childProcess = require('child_process');
const testing = require('./testing');

/** @type {LanguageClient | undefined} */
let client;

/**
 * The program to run, from the setting `sot.server.path` (default `sot`): a command looked up
 * on the PATH, an absolute path, `~/…`, or a path relative to the first workspace folder.
 */
function serverCommand() {
  const configured = vscode.workspace.getConfiguration('sot').get('server.path');
  const command = typeof configured === 'string' && configured.trim() !== '' ? configured.trim() : 'sot';
  if (command === '~' || command.startsWith('~/')) {
    return path.join(os.homedir(), command.slice(1));
  }
  const folders = vscode.workspace.workspaceFolders;
  const hasDirectory = command.includes('/') || command.includes('\\');
  if (hasDirectory && !path.isAbsolute(command) && folders && folders.length > 0) {
    return path.resolve(folders[0].uri.fsPath, command);
  }
  return command;
}

/**
 * How vscode-languageclient starts the server: `command lsp` over stdio, for running and
 * debugging alike. For `TransportKind.stdio` the library appends `--stdio` to the arguments
 * (so it runs `sot lsp --stdio`, which sot accepts).
 * @param {string} command
 */
function serverOptions(command) {
  const executable = { command, args: ['lsp'], transport: TransportKind.stdio };
  return { run: executable, debug: executable };
}

async function startClient() {
  const command = serverCommand();
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'sot' },
      { scheme: 'untitled', language: 'sot' },
    ],
    outputChannelName: 'SOT language server',
  };
  client = new LanguageClient('sot', 'SOT language server', serverOptions(command), clientOptions);
  try {
    await client.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    vscode.window.showErrorMessage(
      `Could not start the sot language server (\`${command} lsp\`): ${reason}. ` +
        'Install sot, or set "sot.server.path" to the sot program.'
    );
  }
}

async function stopClient() {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (_) {
      // A server that never started, or already exited, has nothing to stop.
    }
  }
}

async function restartClient() {
  await stopClient();
  await startClient();
}

/**
 * The Test Explorer: each case of an open `.sot` document is a test, its visits its children.
 * A run calls `sot test --format json --coverage` on the file: a failed `expect` line shows
 * with what it expected and what was found, at its line; the coverage of rules, categories,
 * red flags and checks shows in the editor.
 * @param {vscode.ExtensionContext} context
 */
function testController(context) {
  const controller = vscode.tests.createTestController('sot', 'SOT cases');
  context.subscriptions.push(controller);
  const discover = (document) => {
    if (document.languageId !== 'sot' || document.uri.scheme !== 'file') return;
    const file = controller.createTestItem(document.uri.toString(), vscode.workspace.asRelativePath(document.uri), document.uri);
    for (const c of testing.casesOf(document.getText())) {
      const item = controller.createTestItem(`${document.uri}#${c.name}`, `case ${c.name}`, document.uri);
      item.range = new vscode.Range(c.line, 0, c.end, 0);
      for (const v of c.visits) {
        const visit = controller.createTestItem(`${document.uri}#${c.name}/${v.number}`, `visit ${v.number}`, document.uri);
        visit.range = new vscode.Range(v.line, 0, v.end, 0);
        item.children.add(visit);
      }
      file.children.add(item);
    }
    if (file.children.size > 0) controller.items.add(file);
    else controller.items.delete(file.id);
  };
  vscode.workspace.textDocuments.forEach(discover);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(discover),
    vscode.workspace.onDidChangeTextDocument((event) => discover(event.document))
  );
  const run = async (request, token, withCoverage) => {
    const run = controller.createTestRun(request);
    const files = new Set();
    const wanted = request.include || [...controller.items].map(([, item]) => item);
    for (const item of wanted) files.add(item.uri.toString());
    for (const uri of files) {
      if (token.isCancellationRequested) break;
      const file = controller.items.get(uri);
      if (!file) continue;
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
      const path = document.uri.fsPath;
      let report;
      try {
        report = await testing.runSotTest(serverCommand(), path);
      } catch (error) {
        file.children.forEach((c) => run.errored(c, new vscode.TestMessage(String(error.message || error))));
        continue;
      }
      const results = testing.visitResults(report, path);
      file.children.forEach((caseItem) => {
        if (request.include && !request.include.some((i) => i === file || i === caseItem || caseItem.children.get(i.id) === i)) return;
        if (results.problems.length > 0) {
          run.errored(caseItem, new vscode.TestMessage(results.problems.join('\n')));
          return;
        }
        let casePassed = true;
        caseItem.children.forEach((visit) => {
          const result = results.visits.get(visit.id.split('#').pop());
          if (!result || result.passed) {
            run.passed(visit);
            return;
          }
          casePassed = false;
          run.failed(
            visit,
            result.failures.map((f) => {
              const message = vscode.TestMessage.diff(`${f.expectation}: found ${f.found}`, f.expected, f.found);
              message.location = new vscode.Location(document.uri, new vscode.Position(f.line, 0));
              return message;
            })
          );
        });
        if (casePassed) run.passed(caseItem);
        else run.failed(caseItem, new vscode.TestMessage('an expectation of this case fails'));
      });
      if (withCoverage && coverageSupported()) {
        const lines = testing.coverageLines(report, path, document.getText());
        const details = lines.map((l) => new vscode.StatementCoverage(l.covered, new vscode.Position(l.line, 0)));
        const coverage = vscode.FileCoverage.fromDetails(document.uri, details);
        run.addCoverage(coverage);
      }
    }
    run.end();
  };
  controller.createRunProfile('Run cases', vscode.TestRunProfileKind.Run, (request, token) => run(request, token, false), true);
  if (coverageSupported()) {
    controller.createRunProfile('Run cases with coverage', vscode.TestRunProfileKind.Coverage, (request, token) => run(request, token, true), true);
  }
  return controller;
}

/** Whether this VS Code has the test coverage API (1.88 and later). */
function coverageSupported() {
  return vscode.TestRunProfileKind.Coverage !== undefined && vscode.FileCoverage !== undefined;
}

/**
 * Runs `sot ARGS…` on the active document's file and shows what it printed in a new editor
 * (`language`: how to show it).
 * @param {(file: string, editor: vscode.TextEditor) => string[] | undefined} args
 * @param {string} language
 */
function showSot(args, language) {
  return async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'sot') return;
    const argv = args(editor.document.uri.fsPath, editor);
    if (!argv) return;
    childProcess.execFile(serverCommand(), argv, { maxBuffer: 64 * 1024 * 1024 }, async (error, stdout, stderr) => {
      if (error && !stdout) {
        vscode.window.showErrorMessage(`sot ${argv[0]}: ${stderr || error.message}`);
        return;
      }
      const document = await vscode.workspace.openTextDocument({ content: stdout, language });
      vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    });
  };
}

/** The case around the cursor, from the document's text. */
function caseAt(editor) {
  const line = editor.selection.active.line;
  const cases = testing.casesOf(editor.document.getText()).filter((c) => c.line <= line);
  return cases[cases.length - 1];
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  testController(context);
  context.subscriptions.push(
    // The Test Explorer's own command runs the test whose range holds the cursor: the case
    // (or visit) the cursor is in.
    vscode.commands.registerCommand('sot.runCase', () => vscode.commands.executeCommand('testing.runAtCursor')),
    // `sot why` on the word under the cursor, at the visits of the case around it (else
    // every case's).
    vscode.commands.registerCommand('sot.why', showSot((file, editor) => {
        const range = editor.document.getWordRangeAtPosition(editor.selection.active);
        if (!range) return undefined;
        const word = editor.document.getText(range);
        const found = caseAt(editor);
        return ['why', file, word, '--format', 'markdown', ...(found ? ['--case', found.name] : [])];
      }, 'markdown')),
    vscode.commands.registerCommand('sot.showGraph', showSot((file) => ['graph', file, '--format', 'mermaid'], 'markdown')),
    vscode.commands.registerCommand('sot.restartServer', restartClient),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('sot.server.path')) {
        restartClient();
      }
    })
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate, serverCommand, serverOptions, caseAt };
