// Tokenizes sot text with the extension's TextMate grammar, as VS Code does (vscode-textmate
// with the Oniguruma regular expressions of vscode-oniguruma), and checks the scopes.
'use strict';

const { test, describe, before } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const EXTENSION = path.join(__dirname, '..');
const REPO = path.join(EXTENSION, '..', '..');
const GRAMMAR_PATH = path.join(EXTENSION, 'syntaxes', 'sot.tmLanguage.json');
const FIRST_LOOK = path.join(REPO, 'protocols', 'examples', 'first_look.sot');
const SAMPLE_DIRS = [path.join(REPO, 'protocols'), path.join(REPO, 'tests', 'fixtures', 'run')];

/** @type {import('vscode-textmate').IGrammar} */
let grammar;

before(async () => {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.sot') return null;
      return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH);
    },
  });
  grammar = await registry.loadGrammar('source.sot');
  assert.ok(grammar, 'the grammar source.sot loads');
});

/**
 * Every line of `text` with its tokens: `{ text, tokens: [{ startIndex, endIndex, text,
 * scopes }], depth }`, `depth` being the grammar's rule stack depth after the line.
 */
function tokenize(text) {
  let state = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    const tokens = result.tokens.map((t, i) => {
      const endIndex = i + 1 < result.tokens.length ? result.tokens[i + 1].startIndex : line.length;
      return { startIndex: t.startIndex, endIndex, text: line.slice(t.startIndex, endIndex), scopes: t.scopes };
    });
    return { text: line, tokens, depth: state.depth };
  });
}

/**
 * The tokens that cover the `occurrence`-th appearance (0-based) of `needle` in the first line
 * containing `lineNeedle` (default: `needle` itself). Fails when the needle is not found or
 * does not start and end on token boundaries.
 */
function tokensOf(lines, needle, { line: lineNeedle = needle, occurrence = 0 } = {}) {
  const line = lines.find((l) => l.text.includes(lineNeedle));
  assert.ok(line, `a line containing ${JSON.stringify(lineNeedle)}`);
  let start = -1;
  for (let i = 0; i <= occurrence; i++) {
    start = line.text.indexOf(needle, start + 1);
    assert.ok(start >= 0, `occurrence ${occurrence} of ${JSON.stringify(needle)} in ${JSON.stringify(line.text)}`);
  }
  const end = start + needle.length;
  const covering = line.tokens.filter((t) => t.startIndex < end && t.endIndex > start);
  const describe = JSON.stringify(covering.map((t) => [t.text, t.scopes]));
  assert.equal(covering[0].startIndex, start, `${JSON.stringify(needle)} starts a token: ${describe}`);
  assert.equal(covering[covering.length - 1].endIndex, end, `${JSON.stringify(needle)} ends a token: ${describe}`);
  return covering;
}

/** Asserts that every token of `needle` (see `tokensOf`) has `scope` (and none of `not`). */
function assertScope(lines, needle, scope, options = {}) {
  const tokens = tokensOf(lines, needle, options);
  for (const t of tokens) {
    assert.ok(
      t.scopes.includes(scope),
      `${JSON.stringify(t.text)} of ${JSON.stringify(needle)} has ${scope}; it has ${t.scopes.join(' ')}`
    );
    for (const unwanted of options.not || []) {
      assert.ok(
        !t.scopes.some((s) => s === unwanted || s.startsWith(`${unwanted}.`)),
        `${JSON.stringify(t.text)} of ${JSON.stringify(needle)} has no ${unwanted}; it has ${t.scopes.join(' ')}`
      );
    }
  }
  return tokens;
}

/** The scopes of a name that is a plain identifier: nothing but the file's own scope. */
function assertPlainName(lines, needle, options = {}) {
  const tokens = tokensOf(lines, needle, options);
  assert.equal(tokens.length, 1, `${JSON.stringify(needle)} is one token`);
  const scopes = tokens[0].scopes.filter((s) => !s.startsWith('meta.'));
  assert.deepEqual(scopes, ['source.sot'], `${JSON.stringify(needle)} is a plain name: ${tokens[0].scopes.join(' ')}`);
}

function sampleFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.sot')) files.push(full);
    }
  };
  SAMPLE_DIRS.forEach(walk);
  return files.sort();
}

const INLINE = [
  '/// Block under the short leg. A doc comment.',
  'rule rule_two "Say \\"block\\" \\\\ then\\n rest" {',
  '  in category II',
  '  when short_leg != none and after_block == yes   // a comment after code',
  '  unless not (at least 2 of (osteoporosis, leg_length_difference >= 12.5 deg, x < 1 cm))',
  '  then block(category: II, short_leg: short_leg), adjust(level: C1 - 1), adjust(level: T1 + 1)',
  '}',
  '////// still a doc comment',
  'check fibers "Fibers" {',
  '  across visits',
  '  after block',
  '  for side in Side, area in 1..7',
  '  need     before.occipital_fiber(line: 2, area: area) >= 2',
  '  complete after.occipital_fiber(line: 2, area: area) == 0',
  '  marginal all of (after.x < before.x, any of (a, b), c in {left, right})',
  '}',
  'table line2_level(area: 1..7): Vertebra {',
  '  1 => T12',
  '  _ => sacrum',
  '}',
  'type Nutation = normal | limited | fixed',
  'type Range = 0.0..40.0 mm',
  'indicator arm_fossa: Side?',
  'indicator flag: bool',
  'adjustment adjust(level: Vertebra)',
  'red_flag cauda_equina "Cauda equina" {',
  '  when saddle_anesthesia',
  '  refer "Urgent referral"',
  '}',
  'precedence III > II > I',
  'coexist III, II   // together',
  'type Priority = routine | urgent',
  'red_flag motor_deficit "Strength decreasing" {',
  '  in category III',
  '  when triage == urgent',
  '  refer emergency "Refer out"',
  '}',
  'red_flag weakness "Weaker" {',
  '  when strength(side: right) < previous.strength(side: right)',
  '  refer "Refer"',
  '}',
  'protocol "P" version "1.0"',
  'use "common.sot"',
  'case maria "Maria" {',
  '  history {',
  '    osteoporosis = untestable "no records"',
  '  }',
  '  visit 1 "2026-03-02" {',
  '    findings {',
  '      leg_length_difference = 6 mm',
  '      occipital_fiber(line: _, area: _) = 0',
  '    }',
  '    given adjust(level: T3)',
  '    after {',
  '      arm_fossa = none',
  '    }',
  '    expect category none',
  '    expect no adjustment block(category: II, short_leg: right)',
  '    expect check fibers(area: 2) marginal   // outcome',
  '    expect withheld rule_two',
  '    expect category III, II',
  '    expect no refer',
  '    expect no red_flag motor_deficit',
  '    expect not_ruled_out motor_deficit',
  '    expect ruled_out motor_deficit',
  '  }',
  '}',
  'rule broken "bad \\q escape" {',
].join('\n');

describe('inline sample', () => {
  let lines;
  before(() => {
    lines = tokenize(INLINE);
  });

  test('a `///` line is a documentation comment', () => {
    assertScope(lines, '/// Block under the short leg. A doc comment.', 'comment.line.documentation.sot');
    assertScope(lines, '///', 'punctuation.definition.comment.sot');
    assertScope(lines, '////// still a doc comment', 'comment.line.documentation.sot');
  });

  test('a `//` comment after code, with the code before it unchanged', () => {
    assertScope(lines, '// a comment after code', 'comment.line.double-slash.sot', { not: ['comment.line.documentation'] });
    assertScope(lines, '//', 'punctuation.definition.comment.sot', { line: '// a comment after code' });
    assertScope(lines, '==', 'keyword.operator.sot', { line: '// a comment after code' });
    assertScope(lines, '// outcome', 'comment.line.double-slash.sot');
  });

  test('item keywords and the names they declare', () => {
    assertScope(lines, 'rule', 'storage.type.sot', { line: 'rule rule_two' });
    assertScope(lines, 'rule_two', 'entity.name.function.sot', { line: 'rule rule_two' });
    assertScope(lines, 'check', 'storage.type.sot', { line: 'check fibers' });
    assertScope(lines, 'fibers', 'entity.name.function.sot', { line: 'check fibers' });
    assertScope(lines, 'table', 'storage.type.sot', { line: 'table line2_level' });
    assertScope(lines, 'line2_level', 'entity.name.function.sot', { line: 'table line2_level' });
    assertScope(lines, 'red_flag', 'storage.type.sot', { line: 'red_flag cauda_equina' });
    assertScope(lines, 'cauda_equina', 'entity.name.function.sot', { line: 'red_flag cauda_equina' });
    assertScope(lines, 'adjustment', 'storage.type.sot', { line: 'adjustment adjust(' });
    assertScope(lines, 'adjust', 'entity.name.function.sot', { line: 'adjustment adjust(', occurrence: 1 });
    assertScope(lines, 'type', 'storage.type.sot', { line: 'type Nutation' });
    assertScope(lines, 'Nutation', 'entity.name.type.sot', { line: 'type Nutation' });
    assertScope(lines, 'indicator', 'storage.type.sot', { line: 'indicator arm_fossa' });
    assertScope(lines, 'arm_fossa', 'entity.name.variable.sot', { line: 'indicator arm_fossa' });
    assertScope(lines, 'precedence', 'storage.type.sot', { line: 'precedence III' });
    const precedence = lines.find((l) => l.text.startsWith('precedence III'));
    const categories = precedence.tokens.filter((t) => t.scopes.includes('entity.name.type.sot')).map((t) => t.text);
    assert.deepEqual(categories, ['III', 'II', 'I']);
    assertScope(lines, '>', 'keyword.operator.sot', { line: 'precedence III' });
    assertScope(lines, 'protocol', 'keyword.other.sot', { line: 'protocol "P"' });
    assertScope(lines, 'version', 'keyword.other.sot', { line: 'protocol "P"' });
    assertScope(lines, 'use', 'keyword.control.import.sot', { line: 'use "common.sot"' });
    assertScope(lines, 'case', 'storage.type.sot', { line: 'case maria' });
  });

  test('clause keywords', () => {
    assertScope(lines, 'when', 'keyword.control.sot', { line: 'when short_leg' });
    assertScope(lines, 'unless', 'keyword.control.sot');
    assertScope(lines, 'then', 'keyword.control.sot', { line: '  then block' });
    assertScope(lines, 'in', 'keyword.control.sot', { line: 'in category II' });
    assertScope(lines, 'category', 'keyword.other.sot', { line: 'in category II' });
    assertScope(lines, 'II', 'entity.name.type.sot', { line: 'in category II' });
    assertScope(lines, 'for', 'keyword.control.sot', { line: 'for side in Side' });
    assertScope(lines, 'in', 'keyword.control.sot', { line: 'for side in Side', occurrence: 0 });
    assertScope(lines, 'need', 'keyword.control.sot');
    assertScope(lines, 'complete', 'keyword.control.sot', { line: 'complete after.' });
    assertScope(lines, 'marginal', 'keyword.control.sot', { line: 'marginal all of' });
    assertScope(lines, 'refer', 'keyword.control.sot', { line: 'refer "Urgent' });
    assertScope(lines, 'across', 'keyword.other.sot');
    assertScope(lines, 'visits', 'keyword.other.sot', { line: 'across visits' });
    assertScope(lines, 'after', 'keyword.other.sot', { line: 'after block' });
    assertScope(lines, 'visit', 'keyword.other.sot', { line: 'visit 1' });
    assertScope(lines, 'findings', 'keyword.other.sot');
    assertScope(lines, 'given', 'keyword.other.sot');
    assertScope(lines, 'after', 'keyword.other.sot', { line: 'after {' });
  });

  test('logical keywords', () => {
    assertScope(lines, 'and', 'keyword.operator.logical.sot', { line: 'when short_leg' });
    assertScope(lines, 'not', 'keyword.operator.logical.sot', { line: 'unless not' });
    assertScope(lines, 'at', 'keyword.operator.logical.sot', { line: 'at least 2 of' });
    assertScope(lines, 'least', 'keyword.operator.logical.sot', { line: 'at least 2 of' });
    assertScope(lines, 'of', 'keyword.operator.logical.sot', { line: 'at least 2 of' });
    assertScope(lines, 'all', 'keyword.operator.logical.sot', { line: 'marginal all of' });
    assertScope(lines, 'any', 'keyword.operator.logical.sot', { line: 'marginal all of' });
  });

  test('keywords match whole words only', () => {
    assertScope(lines, 'rule_two', 'entity.name.function.sot', { line: 'rule rule_two', not: ['storage', 'keyword'] });
    assertPlainName(lines, 'rule_two', { line: 'expect withheld rule_two' });
    assertPlainName(lines, 'after_block');
    assertPlainName(lines, 'short_leg', { line: 'when short_leg' });
    assertPlainName(lines, 'osteoporosis');
    assertPlainName(lines, 'normal');
  });

  test('strings and escapes', () => {
    const title = '"Say \\"block\\" \\\\ then\\n rest"';
    assertScope(lines, title, 'string.quoted.double.sot', { not: ['keyword'] });
    assertScope(lines, '\\"', 'constant.character.escape.sot', { line: title });
    assertScope(lines, '\\\\', 'constant.character.escape.sot', { line: title });
    assertScope(lines, '\\n', 'constant.character.escape.sot', { line: title });
    assertScope(lines, '"2026-03-02"', 'string.quoted.double.sot', { not: ['constant.numeric', 'keyword.operator'] });
    assertScope(lines, '\\q', 'invalid.illegal.unknown-escape.sot');
  });

  test('an unclosed string ends with its line', () => {
    const unclosed = tokenize('rule a "no end\nrule b {');
    assertScope(unclosed, 'rule', 'storage.type.sot', { line: 'rule b' });
    assertScope(unclosed, 'b', 'entity.name.function.sot', { line: 'rule b' });
  });

  test('numbers and units', () => {
    assertScope(lines, '6', 'constant.numeric.sot', { line: '6 mm' });
    assertScope(lines, 'mm', 'keyword.other.unit.sot', { line: '6 mm' });
    assertScope(lines, '12.5', 'constant.numeric.sot');
    assertScope(lines, 'deg', 'keyword.other.unit.sot');
    assertScope(lines, 'cm', 'keyword.other.unit.sot');
    assertScope(lines, '0.0', 'constant.numeric.sot');
    assertScope(lines, '..', 'keyword.operator.range.sot', { line: '0.0..40.0' });
    assertScope(lines, '40.0', 'constant.numeric.sot');
    assertScope(lines, '1', 'constant.numeric.sot', { line: '1..7', occurrence: 0 });
    assertScope(lines, '7', 'constant.numeric.sot', { line: '1..7' });
    assertScope(lines, '2', 'constant.numeric.sot', { line: 'at least 2 of' });
    assertScope(lines, '-', 'keyword.operator.sot', { line: 'C1 - 1' });
  });

  test('constants, built-in types and vertebrae', () => {
    assertScope(lines, 'none', 'constant.language.sot', { line: 'short_leg != none' });
    assertScope(lines, 'yes', 'constant.language.sot');
    assertScope(lines, 'bool', 'support.type.sot');
    assertScope(lines, 'Side', 'support.type.sot', { line: 'arm_fossa: Side?' });
    assertScope(lines, '?', 'keyword.operator.optional.sot', { line: 'arm_fossa: Side?' });
    assertScope(lines, 'Vertebra', 'support.type.sot', { line: 'table line2_level' });
    assertScope(lines, 'T3', 'support.constant.sot');
    assertScope(lines, 'T12', 'support.constant.sot');
    assertScope(lines, 'C1', 'support.constant.sot');
    assertScope(lines, 'sacrum', 'support.constant.sot');
    assertScope(lines, 'left', 'support.constant.sot');
    assertScope(lines, 'right', 'support.constant.sot', { line: 'c in {left, right}' });
  });

  test('before. and after., the wildcard, operators', () => {
    assertScope(lines, 'before', 'variable.language.sot', { line: 'need     before.' });
    assertScope(lines, '.', 'punctuation.accessor.sot', { line: 'need     before.' });
    assertScope(lines, 'after', 'variable.language.sot', { line: 'complete after.' });
    assertScope(lines, 'before', 'variable.language.sot', { line: 'after.x < before.x' });
    assertScope(lines, '_', 'variable.language.wildcard.sot', { line: '_ => sacrum' });
    assertScope(lines, '_', 'variable.language.wildcard.sot', { line: 'line: _, area: _', occurrence: 1 });
    assertScope(lines, '=>', 'keyword.operator.sot', { line: '1 => T12' });
    assertScope(lines, '!=', 'keyword.operator.sot');
    assertScope(lines, '>=', 'keyword.operator.sot', { line: 'need     before.' });
    assertScope(lines, '==', 'keyword.operator.sot', { line: 'complete after.' });
    assertScope(lines, '<', 'keyword.operator.sot', { line: 'after.x < before.x' });
    assertScope(lines, '+', 'keyword.operator.sot', { line: 'T1 + 1' });
  });

  test('history, previous. and untestable', () => {
    assertScope(lines, 'history', 'keyword.other.sot', { line: '  history {' });
    assertScope(lines, 'untestable', 'constant.language.untestable.sot', { line: 'osteoporosis = untestable' });
    assertScope(lines, '"no records"', 'string.quoted.double.sot');
    assertScope(lines, 'previous', 'variable.language.sot', { line: '< previous.strength' });
    assertScope(lines, '.', 'punctuation.accessor.sot', { line: '< previous.strength' });
    assertScope(lines, 'strength', 'entity.name.function.call.sot', { line: '< previous.strength', occurrence: 1 });
  });

  test('argument labels and parameters, keywords included', () => {
    assertScope(lines, 'category', 'variable.parameter.sot', { line: 'then block(category: II', not: ['keyword', 'storage'] });
    assertScope(lines, 'short_leg', 'variable.parameter.sot', { line: 'then block(category: II', occurrence: 0 });
    assertScope(lines, 'line', 'variable.parameter.sot', { line: 'before.occipital_fiber(line: 2' });
    assertScope(lines, 'area', 'variable.parameter.sot', { line: 'table line2_level' });
    assertScope(lines, 'level', 'variable.parameter.sot', { line: 'adjustment adjust(' });
    assertScope(lines, 'block', 'entity.name.function.call.sot', { line: 'then block(' });
  });

  test('expect lines', () => {
    assertScope(lines, 'expect', 'keyword.other.sot', { line: 'expect category none' });
    assertScope(lines, 'category', 'keyword.other.sot', { line: 'expect category none' });
    assertScope(lines, 'none', 'constant.language.sot', { line: 'expect category none' });
    assertScope(lines, 'no', 'keyword.other.sot', { line: 'expect no adjustment', not: ['constant'] });
    assertScope(lines, 'adjustment', 'keyword.other.sot', { line: 'expect no adjustment' });
    assertScope(lines, 'category', 'variable.parameter.sot', { line: 'expect no adjustment' });
    assertScope(lines, 'right', 'support.constant.sot', { line: 'expect no adjustment' });
    assertScope(lines, 'check', 'keyword.other.sot', { line: 'expect check' });
    assertScope(lines, 'marginal', 'constant.language.outcome.sot', { line: 'expect check' });
    assertScope(lines, 'withheld', 'keyword.other.sot');
  });

  test('v0.2: coexist lines, urgency after refer, the new expect forms', () => {
    assertScope(lines, 'coexist', 'storage.type.sot', { line: 'coexist III, II' });
    assertScope(lines, 'III', 'entity.name.type.sot', { line: 'coexist III, II' });
    assertScope(lines, 'II', 'entity.name.type.sot', { line: 'coexist III, II', occurrence: 2 });
    assertScope(lines, ',', 'punctuation.separator.comma.sot', { line: 'coexist III, II' });
    assertScope(lines, '// together', 'comment.line.double-slash.sot');
    assertScope(lines, 'emergency', 'keyword.other.urgency.sot', { line: 'refer emergency' });
    assertScope(lines, 'refer', 'keyword.control.sot', { line: 'refer emergency' });
    assertPlainName(lines, 'urgent', { line: 'type Priority' });
    assertPlainName(lines, 'urgent', { line: 'when triage == urgent' });
    assertScope(lines, 'III', 'entity.name.type.sot', { line: 'expect category III, II' });
    assertScope(lines, 'II', 'entity.name.type.sot', { line: 'expect category III, II', occurrence: 2 });
    assertScope(lines, 'refer', 'keyword.other.sot', { line: 'expect no refer' });
    assertScope(lines, 'red_flag', 'keyword.other.sot', { line: 'expect no red_flag' });
    assertScope(lines, 'not_ruled_out', 'keyword.other.sot');
    assertScope(lines, 'ruled_out', 'keyword.other.sot', { line: 'expect ruled_out' });
    assertPlainName(lines, 'motor_deficit', { line: 'expect ruled_out' });
  });

  test('every line ends outside any region', () => {
    for (const line of lines) assert.equal(line.depth, 1, `after ${JSON.stringify(line.text)}`);
  });
});

describe('protocols/examples/first_look.sot', () => {
  let lines;
  before(() => {
    lines = tokenize(fs.readFileSync(FIRST_LOOK, 'utf8'));
  });

  test('doc comments and comments', () => {
    assertScope(lines, '/// Arm fossa test: the arm weakens when the inguinal fossa is contacted on the', 'comment.line.documentation.sot');
    assertScope(lines, '/// Category II blocks go under the short-leg side.', 'comment.line.documentation.sot');
    assertScope(lines, '// use "common.sot"   would bring in every item of common.sot (a path relative to this file)', 'comment.line.double-slash.sot', { not: ['string'] });
    assertScope(lines, '// every other line and area: examined, grade 0', 'comment.line.double-slash.sot', { not: ['variable.parameter'] });
    assertScope(lines, '=', 'keyword.operator.assignment.sot', { line: '// every other line and area' });
  });

  test('the rule, its name and its clauses', () => {
    assertScope(lines, 'rule', 'storage.type.sot', { line: 'rule block_category_two' });
    assertScope(lines, 'block_category_two', 'entity.name.function.sot');
    assertScope(lines, '"Block Category II toward the short leg"', 'string.quoted.double.sot');
    assertScope(lines, 'when', 'keyword.control.sot', { line: 'when short_leg != none' });
    assertScope(lines, '!=', 'keyword.operator.sot', { line: 'when short_leg != none' });
    assertScope(lines, 'none', 'constant.language.sot', { line: 'when short_leg != none' });
    assertScope(lines, 'unless', 'keyword.control.sot', { line: 'unless osteoporosis' });
    assertScope(lines, 'occipital_line_two', 'entity.name.function.sot');
    assertScope(lines, 'arm_fossa_clears', 'entity.name.function.sot', { line: 'check arm_fossa_clears' });
    assertScope(lines, 'cauda_equina', 'entity.name.function.sot');
    assertScope(lines, 'line2_level', 'entity.name.function.sot', { line: 'table line2_level' });
    assertScope(lines, 'II', 'entity.name.type.sot', { line: 'category II "' });
    assertScope(lines, 'Grade', 'entity.name.type.sot', { line: 'type Grade' });
    assertScope(lines, 'leg_length_difference', 'entity.name.variable.sot', { line: 'indicator leg_length_difference' });
    assertScope(lines, 'maria', 'entity.name.function.sot');
  });

  test('the case', () => {
    assertScope(lines, '6', 'constant.numeric.sot', { line: 'leg_length_difference = 6 mm' });
    assertScope(lines, 'mm', 'keyword.other.unit.sot', { line: 'leg_length_difference = 6 mm' });
    assertScope(lines, '"2026-03-02"', 'string.quoted.double.sot', { not: ['constant.numeric'] });
    assertScope(lines, 'T3', 'support.constant.sot', { line: 'expect adjustment adjust(level: T3)' });
    assertScope(lines, 'T3', 'support.constant.sot', { line: '3 => T3' });
    assertScope(lines, 'left', 'support.constant.sot', { line: 'arm_fossa = left' });
    assertScope(lines, 'no', 'constant.language.sot', { line: 'pelvic_torsion = no' });
    assertScope(lines, 'after', 'keyword.other.sot', { line: '    after {' });
    assertScope(lines, 'complete', 'constant.language.outcome.sot', { line: 'expect check arm_fossa_clears complete' });
    assertScope(lines, 'II', 'entity.name.type.sot', { line: 'expect category II' });
  });

  test('checks: before. and after.', () => {
    assertScope(lines, 'before', 'variable.language.sot', { line: 'need     before.arm_fossa' });
    assertScope(lines, '.', 'punctuation.accessor.sot', { line: 'need     before.arm_fossa' });
    assertScope(lines, 'after', 'variable.language.sot', { line: 'complete after.arm_fossa' });
    assertScope(lines, 'after', 'keyword.other.sot', { line: '  after block' });
    assertScope(lines, 'within', 'keyword.other.sot');
    assertScope(lines, 'visit', 'keyword.other.sot', { line: 'within visit' });
  });

  test('labels in calls and declarations', () => {
    assertScope(lines, 'line', 'variable.parameter.sot', { line: 'occipital_fiber(line: 2, area: 3) = 2' });
    assertScope(lines, 'category', 'variable.parameter.sot', { line: 'adjustment block(category: Category' });
    assertScope(lines, 'Category', 'support.type.sot', { line: 'adjustment block(category: Category' });
    assertScope(lines, '_', 'variable.language.wildcard.sot', { line: '_ => T4' });
  });
});

describe('every sample file', () => {
  const files = sampleFiles();

  test('there are samples under protocols/ and tests/fixtures/run/', () => {
    assert.ok(files.includes(FIRST_LOOK));
    assert.ok(files.some((f) => f.includes(path.join('tests', 'fixtures', 'run'))));
  });

  for (const file of files) {
    test(path.relative(REPO, file), () => {
      const text = fs.readFileSync(file, 'utf8');
      const lines = tokenize(text);
      lines.forEach((line, i) => {
        const where = `${path.relative(REPO, file)}:${i + 1}`;
        assert.ok(line.tokens.length > 0, `${where} has tokens`);
        assert.equal(line.tokens[0].startIndex, 0, `${where}: the tokens start the line`);
        assert.equal(line.tokens[line.tokens.length - 1].endIndex, line.text.length, `${where}: the tokens end the line`);
        assert.equal(line.depth, 1, `${where} ends outside any region`);
        for (const t of line.tokens) {
          assert.ok(!t.scopes.some((s) => s.startsWith('invalid')), `${where}: ${JSON.stringify(t.text)} is ${t.scopes.join(' ')}`);
          // A keyword never starts or ends inside a name.
          if (t.scopes.some((s) => /^(keyword\.(control|other|operator\.logical)|storage\.type|constant\.language|support)\./.test(s))) {
            const before = line.text[t.startIndex - 1] || ' ';
            const after = line.text[t.endIndex] || ' ';
            assert.ok(!/\w/.test(before) && !/\w/.test(after), `${where}: ${JSON.stringify(t.text)} is a whole word`);
          }
        }
      });
    });
  }
});
