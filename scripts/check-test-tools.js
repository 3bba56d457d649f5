#!/usr/bin/env node
// The system tools the tests run for real (the buildspec harness, the real-tool parser tests), and the Debian
// package of each. `npm test` runs this first: on a machine without one of them it stops within seconds with
// one line naming what is missing and the command that installs it, instead of failing tests minutes later.
// `--missing-packages` prints only the Debian packages to install (.ci/run installs them).
'use strict';
const { spawnSync } = require('child_process');

const TOOLS = [
  { command: 'git', package: 'git' },
  { command: 'git-secrets', package: 'git-secrets' },
  { command: 'shellcheck', package: 'shellcheck' },
  { command: 'bandit', package: 'bandit' },
  { command: 'kubectl', package: 'kubernetes-client' },
  { command: 'jq', package: 'jq' },
  { command: 'openssl', package: 'openssl' },
  { command: 'clamscan', package: 'clamav' },
  // The AWS CLI v2 checks the buildspecs' and the docs' `aws` commands; a v1 earlier on PATH (pip) does not count.
  { command: 'aws', package: 'awscli', check: 'for a in $(type -ap aws); do [[ "$("$a" --version 2>/dev/null)" == aws-cli/2.* ]] && exit 0; done; exit 1' },
];

const missing = TOOLS.filter((tool) => spawnSync('bash', ['-c', tool.check ?? `command -v ${tool.command}`], { stdio: 'ignore' }).status !== 0);
const packages = [...new Set(missing.map((tool) => tool.package))];

if (process.argv.includes('--missing-packages')) {
  if (packages.length > 0) console.log(packages.join(' '));
  process.exit(0);
}
if (missing.length > 0) {
  console.error(`npm test needs ${missing.map((tool) => tool.command).join(', ')} on PATH; install with: sudo apt-get install -y ${packages.join(' ')}`);
  process.exit(1);
}
