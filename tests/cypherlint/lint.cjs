#!/usr/bin/env node
// Lints Cypher with Neo4j's own front end (@neo4j-cypher/language-support, lintCypherQuery).
//
// stdin:  a JSON array of Cypher strings.
// stdout: a JSON array, same order and length; item i is the list of diagnostics for statement i,
//         each {severity: "error"|"warning", message, line, column} with 1-based line and column.
//
// One node process lints a whole batch. The library's semantic analysis (Neo4j's Java front end
// compiled to JS) costs roughly 40-60 ms per statement, so a large batch is spread over worker
// threads, one per CPU (CYPHERLINT_JOBS overrides), and identical statements are linted once.
// Analysis runs as Cypher 5 (the library's default; set explicitly below).
//
// The schema passed to the library is deliberately minimal:
//   - no procedures/functions registry: the library then does NOT check procedure or function names
//     at all (unknown ones, e.g. FalkorDB's db.idx.fulltext.queryNodes, pass silently);
//   - no labels/relationship types: no "label not in database" warnings;
//   - every parameter counts as declared: otherwise each `$name` is an error
//     ("Parameter $name is not defined."), which says nothing about the query text.
//
// This file is CommonJS on purpose: the package's ESM entry point uses extensionless relative
// imports that Node's ESM loader cannot resolve, so only `require` works.
'use strict';

const os = require('node:os');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const ERROR = 1; // LSP DiagnosticSeverity.Error; 2..4 (Warning, Information, Hint) map to "warning"
const MIN_PER_WORKER = 24; // below this many statements per thread, extra threads do not pay off

function makeLinter() {
  const { lintCypherQuery } = require('@neo4j-cypher/language-support');
  const anyParameter = new Proxy(
    {},
    {
      get: (_target, key) => (typeof key === 'string' ? null : undefined),
      has: () => true,
    },
  );
  const dbSchema = { defaultLanguage: 'CYPHER 5', parameters: anyParameter };

  return function lintOne(query) {
    let diagnostics;
    try {
      diagnostics = lintCypherQuery(query, dbSchema, false);
    } catch (e) {
      // Never let a crash in the linter look like a clean statement.
      const detail = e && e.stack ? e.stack : String(e);
      return [{ severity: 'error', message: `linter crashed: ${detail}`, line: 1, column: 1 }];
    }
    return diagnostics.map((d) => ({
      severity: d.severity === ERROR ? 'error' : 'warning',
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
    }));
  };
}

function runWorker(queries) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: queries });
    let result = null;
    worker.once('message', (m) => {
      result = m;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result !== null && code === 0) resolve(result);
      else reject(new Error(`lint worker exited with code ${code}`));
    });
  });
}

async function lintAll(unique) {
  const wanted = Number.parseInt(process.env.CYPHERLINT_JOBS ?? '', 10);
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const jobs = Math.max(
    1,
    Math.min(Number.isFinite(wanted) && wanted > 0 ? wanted : cpus, Math.floor(unique.length / MIN_PER_WORKER)),
  );
  if (jobs === 1) return unique.map(makeLinter());

  // Interleave so that each thread gets a similar mix of long and short statements.
  const shares = Array.from({ length: jobs }, (_, j) => unique.filter((_q, i) => i % jobs === j));
  const parts = await Promise.all(shares.map(runWorker));
  return unique.map((_q, i) => parts[i % jobs][Math.floor(i / jobs)]);
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function main() {
  const statements = JSON.parse(await readStdin());
  if (!Array.isArray(statements) || !statements.every((s) => typeof s === 'string')) {
    throw new Error('stdin must be a JSON array of strings');
  }
  const unique = [...new Set(statements)];
  const results = await lintAll(unique);
  const byQuery = new Map(unique.map((q, i) => [q, results[i]]));
  process.stdout.write(JSON.stringify(statements.map((q) => byQuery.get(q))) + '\n');
}

if (isMainThread) {
  main().catch((e) => {
    process.stderr.write(`lint.cjs: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 2;
  });
} else {
  parentPort.postMessage(workerData.map(makeLinter()));
}
