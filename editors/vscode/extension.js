// The VS Code client of the sot language server: starts `sot lsp` over stdio for the
// documents of language `sot`. Plain JavaScript (CommonJS), no build step.
'use strict';

const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

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

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
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

module.exports = { activate, deactivate, serverCommand, serverOptions };
