import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The outcome of running one phase of a buildspec the way CodeBuild does. */
export interface PhaseRun {
  /** Index of the command that failed, or undefined when all succeeded. */
  readonly failedCommand?: number;
  readonly status: number;
  readonly output: string;
}

export interface RunOptions {
  readonly cwd: string;
  /** Build environment (CodeBuild and project variables), on top of the buildspec's defaults. */
  readonly env: Record<string, string>;
}

/**
 * Runs `phases.<phase>.commands` in order with bash, each in its own process,
 * stopping at the first failure as CodeBuild does. The buildspec's
 * `env.variables` are defaults that the given environment overrides.
 */
export function runPhase(spec: any, phase: string, options: RunOptions): PhaseRun {
  const env = { ...stringValues(spec.env?.variables ?? {}), ...options.env };
  let output = '';
  const commands: string[] = spec.phases?.[phase]?.commands ?? [];
  for (const [index, command] of commands.entries()) {
    const result = spawnSync('bash', ['-c', command], { cwd: options.cwd, env, encoding: 'utf8', timeout: 120_000 });
    output += `${result.stdout ?? ''}${result.stderr ?? ''}`;
    if (result.status !== 0) return { failedCommand: index, status: result.status ?? -1, output };
  }
  return { status: 0, output };
}

function stringValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}

/**
 * A stand-in `aws` CLI on PATH: records every call in `calls.jsonl` and keeps a
 * copy of each `s3 cp` upload (with its metadata) instead of calling AWS.
 */
export function installAwsStub(binDir: string, recordDir: string): void {
  fs.mkdirSync(binDir, { recursive: true });
  fs.mkdirSync(recordDir, { recursive: true });
  const stub = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const args = process.argv.slice(2);
const record = ${JSON.stringify(recordDir)};
fs.appendFileSync(path.join(record, 'calls.jsonl'), JSON.stringify(args) + '\\n');
if (args[0] === 's3' && args[1] === 'cp') {
  const [source, destination] = args.slice(2, 4);
  const flag = args.indexOf('--metadata');
  const metadata = flag < 0 ? undefined : JSON.parse(args[flag + 1]);
  const n = fs.readdirSync(record).filter((f) => f.startsWith('upload-')).length;
  const name = 'upload-' + String(n).padStart(3, '0') + '.json';
  fs.writeFileSync(path.join(record, name), JSON.stringify({ destination, metadata, body: fs.readFileSync(source, 'utf8') }));
  process.exit(0);
}
console.error('aws stub: unsupported call ' + args.join(' '));
process.exit(2);
`;
  fs.writeFileSync(path.join(binDir, 'aws'), stub, { mode: 0o755 });
}

/** Puts a real executable on PATH under `name`. */
export function linkTool(binDir: string, name: string, target: string): void {
  fs.mkdirSync(binDir, { recursive: true });
  fs.symlinkSync(target, path.join(binDir, name));
}
