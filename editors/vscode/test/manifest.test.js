// package.json and the files it names: what VS Code reads before any code runs.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const EXTENSION = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION, 'package.json'), 'utf8'));
const readJson = (relative) => JSON.parse(fs.readFileSync(path.join(EXTENSION, relative), 'utf8'));

/** The lowest version a `^x.y.z` range admits, as [x, y, z]. */
function lowest(range) {
  const match = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  assert.ok(match, `${range} is a ^x.y.z range`);
  return match.slice(1).map(Number);
}

test('identity, entry point and activation', () => {
  assert.equal(manifest.name, 'sot-protocols');
  assert.equal(manifest.publisher, 'sot');
  assert.ok(fs.existsSync(path.join(EXTENSION, manifest.main)), `${manifest.main} exists`);
  assert.deepEqual(manifest.activationEvents, ['onLanguage:sot']);
  assert.equal(manifest.scripts.test, 'node --test test/');
});

test('the engine admits no VS Code older than the language client needs', () => {
  const client = require('vscode-languageclient/package.json');
  const ours = lowest(manifest.engines.vscode);
  const needed = lowest(client.engines.vscode);
  const compare = ours.map((n, i) => n - needed[i]).find((d) => d !== 0) || 0;
  assert.ok(compare >= 0, `engines.vscode ${manifest.engines.vscode} admits versions older than vscode-languageclient's ${client.engines.vscode}`);
  assert.match(manifest.dependencies['vscode-languageclient'], /^\^9\./);
});

test('the language, its configuration and its grammar', () => {
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, 'sot');
  assert.deepEqual(language.extensions, ['.sot']);
  const configuration = readJson(language.configuration);
  assert.equal(configuration.comments.lineComment, '//');
  assert.deepEqual(configuration.brackets, [['{', '}'], ['(', ')']]);
  const closing = configuration.autoClosingPairs.map((p) => p.open + p.close);
  for (const pair of ['{}', '()', '""']) assert.ok(closing.includes(pair), `auto-closes ${pair}`);
  const increase = new RegExp(configuration.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(configuration.indentationRules.decreaseIndentPattern);
  assert.ok(increase.test('rule block "Block {" {'));
  assert.ok(increase.test('  findings {   // the visit'));
  assert.ok(!increase.test('  after { arm_fossa = none }'));
  assert.ok(!increase.test('// a comment {'));
  assert.ok(decrease.test('  }'));
  assert.ok(!decrease.test('  when a'));

  const [grammar] = manifest.contributes.grammars;
  assert.equal(grammar.language, 'sot');
  assert.equal(grammar.scopeName, 'source.sot');
  assert.equal(readJson(grammar.path).scopeName, 'source.sot');
});

test('the setting sot.server.path', () => {
  const property = manifest.contributes.configuration.properties['sot.server.path'];
  assert.equal(property.type, 'string');
  assert.equal(property.default, 'sot');
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['sot.server.path']);
});

test('every command the client registers is contributed', () => {
  const source = fs.readFileSync(path.join(EXTENSION, manifest.main), 'utf8');
  const registered = [...source.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);
  const contributed = manifest.contributes.commands.map((c) => c.command);
  assert.deepEqual(registered.sort(), contributed.sort());
});
