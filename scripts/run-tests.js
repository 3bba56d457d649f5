#!/usr/bin/env node
// Lints projenrc, runs every package's tests and lint (after `lerna run ready`), the jsii Python code-generation
// check, the workspace-level tests under test/ (packing and installing as a consumer) and, when the shared corpus is beside the clone, the ASFF conformance run; then
// prints one closing line `tests: N passed, N failed` summed over all jest runs.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
let passed = 0;
let failed = 0;
let exitCode = 0;

function run(label, command, args, options = {}) {
  const started = Date.now();
  process.stdout.write(`\n=== ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf-8', maxBuffer: 1 << 30, ...options });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`=== ${label}: exit ${result.status} in ${seconds}s\n`);
  if (result.status !== 0) exitCode = 1;
  return `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
}

// The packages lint in their own test task; the root lints .projenrc.ts and projenrc/.
run('eslint (projenrc)', 'npx', ['projen', 'eslint']);

// --no-sort: every package is built by `lerna run ready` before this, so the tests need no order. Sorted, lerna held
// each dependent's tests until its dependencies' tests had passed, and the chain asff-parsers -> scan-stage ->
// reference-pipeline ran one package at a time on one of the two lanes (1,026 of the 1,141 s of a CI run).
const testOutput = run('package tests', 'npx', ['lerna', 'run', 'test', '--stream', '--concurrency', '2', '--no-bail', '--no-sort']);
for (const line of testOutput.split('\n')) {
  const match = /Tests:\s+(.*)\btotal\b/.exec(line);
  if (!match) continue;
  const failedCount = /(\d+) failed/.exec(match[1]);
  const passedCount = /(\d+) passed/.exec(match[1]);
  if (failedCount) failed += Number(failedCount[1]);
  if (passedCount) passed += Number(passedCount[1]);
}

run('jsii python bindings (code only)', 'npx', ['lerna', 'run', 'check:python', '--stream', '--concurrency', '2', '--no-sort']);

// The workspace-level tests (node:test): the packages packed and installed as a consumer gets them, and the scripts.
const rootOutput = run('root tests (consumer install, scripts)', process.execPath, ['--test', '--test-reporter=tap', 'test/']);
for (const line of rootOutput.split('\n')) {
  const match = /^# (pass|fail) (\d+)$/.exec(line);
  if (match && match[1] === 'pass') passed += Number(match[2]);
  if (match && match[1] === 'fail') failed += Number(match[2]);
}

const corpus = path.join(root, '..', 'shared', 'corpus');
if (fs.existsSync(path.join(corpus, 'expected.tsv'))) {
  run('asff conformance on ../shared/corpus', 'node', ['packages/asff-parsers/bin/asff', 'conformance', corpus]);
} else {
  process.stdout.write('\n=== asff conformance skipped: ../shared/corpus not present\n');
}

if (exitCode !== 0 && failed === 0) failed = 1; // a failing step that is not a jest test still fails the run
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
process.exit(exitCode);
