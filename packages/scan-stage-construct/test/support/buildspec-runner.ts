import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
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
 * `env.variables` are defaults that the given environment overrides, and
 * variables a command exports are visible to the next ones (CodeBuild keeps
 * them between commands of a build).
 */
export function runPhase(spec: any, phase: string, options: RunOptions): PhaseRun & { readonly env: Record<string, string> } {
  let env: Record<string, string> = { ...stringValues(spec.env?.variables ?? {}), ...options.env };
  const dump = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'buildspec-env-')), 'env');
  let output = '';
  const commands: string[] = spec.phases?.[phase]?.commands ?? [];
  try {
    for (const [index, command] of commands.entries()) {
      const script = `trap 'env -0 > "$__BUILDSPEC_ENV_DUMP"' EXIT\n${command}`;
      const result = spawnSync('bash', ['-c', script], {
        cwd: options.cwd,
        env: { ...env, __BUILDSPEC_ENV_DUMP: dump },
        encoding: 'utf8',
        timeout: 120_000,
      });
      output += `${result.stdout ?? ''}${result.stderr ?? ''}`;
      if (result.status !== 0) return { failedCommand: index, status: result.status ?? -1, output, env };
      env = readEnvironmentDump(dump);
    }
    return { status: 0, output, env };
  } finally {
    fs.rmSync(path.dirname(dump), { recursive: true, force: true });
  }
}

function readEnvironmentDump(file: string): Record<string, string> {
  const entries = fs.readFileSync(file, 'utf8').split('\0').filter((e) => e.includes('='));
  const env = Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  delete env.__BUILDSPEC_ENV_DUMP;
  return env;
}

function stringValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}

/**
 * A stand-in `aws` CLI on PATH: records every call in `calls.jsonl`, keeps a
 * copy of each `s3 cp` upload (with its metadata) instead of calling AWS, serves
 * `s3 cp s3://…` downloads from `objects/<bucket>/<key>`, and
 * answers other calls from `responses/<service>-<operation>/NNN.json`
 * (`{ "stdout", "stderr", "exit" }`, in order; the last one repeats).
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
if (args[0] === 's3' && args[1] === 'cp' && args[2].startsWith('s3://')) {
  // A download: served from objects/<bucket>/<key> of the record folder.
  const stored = path.join(record, 'objects', args[2].slice('s3://'.length));
  if (!fs.existsSync(stored)) {
    console.error('fatal error: An error occurred (404) when calling the HeadObject operation: Key not found');
    process.exit(1);
  }
  fs.copyFileSync(stored, args[3]);
  process.exit(0);
}
if (args[0] === 's3' && args[1] === 'cp') {
  const [source, destination] = args.slice(2, 4);
  const flag = args.indexOf('--metadata');
  const metadata = flag < 0 ? undefined : JSON.parse(args[flag + 1]);
  const n = fs.readdirSync(record).filter((f) => f.startsWith('upload-')).length;
  const name = 'upload-' + String(n).padStart(3, '0') + '.json';
  fs.writeFileSync(path.join(record, name), JSON.stringify({ destination, metadata, body: fs.readFileSync(source, 'utf8') }));
  process.exit(0);
}
const scripted = path.join(record, 'responses', args[0] + '-' + args[1]);
if (fs.existsSync(scripted)) {
  const counter = path.join(scripted, '.next');
  const next = fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0;
  const files = fs.readdirSync(scripted).filter((f) => f.endsWith('.json')).sort();
  const response = JSON.parse(fs.readFileSync(path.join(scripted, files[Math.min(next, files.length - 1)]), 'utf8'));
  fs.writeFileSync(counter, String(next + 1));
  process.stdout.write(response.stdout ?? '');
  process.stderr.write(response.stderr ?? '');
  process.exit(response.exit ?? 0);
}
console.error('aws stub: unsupported call ' + args.join(' '));
process.exit(2);
`;
  fs.writeFileSync(path.join(binDir, 'aws'), stub, { mode: 0o755 });
}

/** Stores an object the stub's `aws s3 cp s3://<bucket>/<key> <file>` downloads. */
export function storeS3Object(recordDir: string, uri: string, body: Buffer | string): void {
  const file = path.join(recordDir, 'objects', uri.replace(/^s3:\/\//, ''));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body);
}

/** Puts a real executable on PATH under `name`. */
export function linkTool(binDir: string, name: string, target: string): void {
  fs.mkdirSync(binDir, { recursive: true });
  fs.symlinkSync(target, path.join(binDir, name));
}

/** Scripts the stub's answers to one `aws <service> <operation>`, in order (the last repeats). */
export function scriptAwsResponses(recordDir: string, service: string, operation: string,
  responses: Array<{ stdout?: string; stderr?: string; exit?: number }>): void {
  const dir = path.join(recordDir, 'responses', `${service}-${operation}`);
  fs.mkdirSync(dir, { recursive: true });
  responses.forEach((response, index) => fs.writeFileSync(path.join(dir, `${String(index).padStart(3, '0')}.json`), JSON.stringify(response)));
}

/** The recorded `aws` calls, as argument lists. */
export function awsCalls(recordDir: string): string[][] {
  const file = path.join(recordDir, 'calls.jsonl');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

/** The recorded `s3 cp` uploads, in order. */
export function recordedUploads(recordDir: string): Array<{ destination: string; metadata?: Record<string, string>; body: string }> {
  return fs.readdirSync(recordDir).filter((f) => f.startsWith('upload-')).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(recordDir, f), 'utf8')));
}

/** The `asff` CLI the asff-parsers package builds: stages run the real converter and gate. */
export const ASFF_CLI = path.join(__dirname, '..', '..', '..', 'asff-parsers', 'bin', 'asff');

/** The shared scripts as this package embeds them; the build installs them under these names (src/private/buildspec.ts). */
export const EMBEDDED_SCRIPTS = path.join(__dirname, '..', '..', 'assets', 'buildspecs');

export interface StageWorkspaceOptions {
  /** `STAGE_NAME`, and the stage the policy file sets a threshold for. */
  readonly stage: string;
  readonly threshold: string;
  /** The CodeBuild project and build the run pretends to be. */
  readonly build: { readonly project: string; readonly id: string; readonly number: number; readonly sourceVersion?: string };
}

/** A throwaway build: source folder, stub `bin/` on PATH, the `aws` stub's record folder, CodeBuild's variables. */
export interface StageWorkspace {
  readonly root: string;
  readonly source: string;
  readonly bin: string;
  readonly record: string;
  readonly env: Record<string, string>;
}

/**
 * Lays out what every scan stage's build phase expects: the source with its
 * security policy, the `aws` stub and the real `asff` on PATH, and the
 * variables CodeBuild and the stage's project set.
 */
export function newStageWorkspace(options: StageWorkspaceOptions): StageWorkspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${options.build.project}-`));
  const source = path.join(root, 'src');
  const bin = path.join(root, 'bin');
  const record = path.join(root, 'calls');
  fs.mkdirSync(source, { recursive: true });
  const policy = `version: 1\nstages:\n  ${options.stage}:\n    threshold: ${options.threshold}\n`;
  fs.writeFileSync(path.join(source, 'security-policy.yml'), policy);
  installAwsStub(bin, record);
  linkTool(bin, 'asff', ASFF_CLI);
  linkTool(bin, 'gate-stage', path.join(EMBEDDED_SCRIPTS, 'gate-stage.sh'));
  const { project, id, number, sourceVersion } = options.build;
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: root,
    REPORTS_BUCKET: 'factory-reports',
    STAGE_NAME: options.stage,
    POLICY_FILE: 'security-policy.yml',
    // The factory's policy (as the stage construct sets it): the same threshold as the repository's file.
    FACTORY_POLICY_B64: Buffer.from(policy).toString('base64'),
    CODEBUILD_BUILD_ARN: `arn:aws:codebuild:eu-west-1:111111111111:build/${project}:${id}`,
    CODEBUILD_BUILD_ID: `${project}:${id}`,
    CODEBUILD_BUILD_NUMBER: String(number),
    ...(sourceVersion ? { CODEBUILD_RESOLVED_SOURCE_VERSION: sourceVersion } : {}),
    CODEBUILD_INITIATOR: 'codepipeline/factory',
  };
  return { root, source, bin, record, env };
}

/** A stand-in tool on PATH: a bash script with `set -euo pipefail`. */
export function stubTool(binDir: string, name: string, body: string): void {
  fs.writeFileSync(path.join(binDir, name), `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`, { mode: 0o755 });
}
