// `npm test` on a machine without the system tools the tests use stops within seconds with one line.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const assert = require('node:assert/strict');

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'check-test-tools.js');

/** A PATH holding only node and bash, plus the named tools as no-op stand-ins. */
function pathWith(tools) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-'));
  fs.symlinkSync(process.execPath, path.join(dir, 'node'));
  fs.symlinkSync('/bin/bash', path.join(dir, 'bash'));
  // The AWS CLI stand-in answers as version 2 would: a version 1 does not count.
  for (const tool of tools) fs.writeFileSync(path.join(dir, tool), tool === 'aws' ? '#!/bin/sh\necho aws-cli/2.9.19 Python/3.11\n' : '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

const ALL = ['git', 'git-secrets', 'shellcheck', 'bandit', 'kubectl', 'jq', 'openssl', 'clamscan', 'aws'];

test('names the missing tools and the one command that installs their Debian packages', () => {
  const result = spawnSync(process.execPath, [SCRIPT], { env: { PATH: pathWith(ALL.filter((t) => t !== 'bandit' && t !== 'kubectl')) }, encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.equal(result.stderr, 'npm test needs bandit, kubectl on PATH; install with: sudo apt-get install -y bandit kubernetes-client\n');
});

test('passes silently when every tool is there', () => {
  const result = spawnSync(process.execPath, [SCRIPT], { env: { PATH: pathWith(ALL) }, encoding: 'utf8' });
  assert.deepEqual([result.status, result.stdout, result.stderr], [0, '', '']);
});

test('--missing-packages lists only the packages to install, for .ci/run', () => {
  const result = spawnSync(process.execPath, [SCRIPT, '--missing-packages'], { env: { PATH: pathWith(ALL.filter((t) => t !== 'jq')) }, encoding: 'utf8' });
  assert.deepEqual([result.status, result.stdout], [0, 'jq\n']);
});

test('an AWS CLI version 1 on PATH does not count: the checks need version 2 (Debian awscli)', () => {
  const dir = pathWith(ALL.filter((t) => t !== 'aws'));
  fs.writeFileSync(path.join(dir, 'aws'), '#!/bin/sh\necho aws-cli/1.45.11 Python/3.11.7\n', { mode: 0o755 });
  const result = spawnSync(process.execPath, [SCRIPT, '--missing-packages'], { env: { PATH: dir }, encoding: 'utf8' });
  assert.deepEqual([result.status, result.stdout], [0, 'awscli\n']);
});
