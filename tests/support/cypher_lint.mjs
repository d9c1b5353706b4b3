// Lint Cypher statements with Neo4j's own parser and semantic analyser.
//
// Reads a JSON array of statements (strings) on stdin and writes a JSON array of
//   {index, statement, diagnostics: [{severity, message, line, column}]}
// to stdout, one entry per statement, in input order. `line` and `column` are
// 1-based. Diagnostics about parameters ($id, ...) not being defined are dropped:
// statements are linted without parameter values. Everything else is kept.
//
// Functions and procedures are checked against the registry of built-in Neo4j 5
// functions and procedures shipped with @neo4j-cypher/language-support (its
// testData.mockSchema, APOC and GDS left out), so a misspelt or non-built-in function
// is an error. Labels, relationship types and property keys are not checked.
//
// Usage: echo '["MATCH (n) RETURN n"]' | node tests/support/cypher_lint.mjs
// Exit status: 0 when linting ran (whatever it found), 2 on bad input.

import { isNotParamError, lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const SEVERITIES = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
const EXTENSION_PREFIXES = ['apoc.', 'gds.'];

function builtIns(registry) {
  const scoped = {};
  for (const [version, entries] of Object.entries(registry ?? {})) {
    scoped[version] = Object.fromEntries(
      Object.entries(entries).filter(
        ([name]) => !EXTENSION_PREFIXES.some((prefix) => name.startsWith(prefix)),
      ),
    );
  }
  return scoped;
}

const DB_SCHEMA = {
  functions: builtIns(testData?.mockSchema?.functions),
  procedures: builtIns(testData?.mockSchema?.procedures),
  defaultLanguage: 'CYPHER 5',
};

function lint(statement, index) {
  const { diagnostics } = lintCypherQuery(statement, DB_SCHEMA);
  return {
    index,
    statement,
    diagnostics: diagnostics.filter(isNotParamError).map((diagnostic) => ({
      severity: SEVERITIES[diagnostic.severity] ?? 'error',
      message: diagnostic.message,
      line: diagnostic.range.start.line + 1,
      column: diagnostic.range.start.character + 1,
    })),
  };
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function fail(message) {
  process.stderr.write(`cypher_lint: ${message}\n`);
  process.exit(2);
}

let statements;
try {
  statements = JSON.parse(await readStdin());
} catch (error) {
  fail(`stdin is not JSON: ${error.message}`);
}
if (!Array.isArray(statements) || !statements.every((s) => typeof s === 'string')) {
  fail('stdin must be a JSON array of strings');
}
process.stdout.write(`${JSON.stringify(statements.map(lint))}\n`);
