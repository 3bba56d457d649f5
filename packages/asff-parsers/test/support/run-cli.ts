import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const PACKAGE_DIR = join(__dirname, '..', '..');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled CLI (`npx projen compile` first) as scripts do. */
export function runCli(args: readonly string[], input?: string | Buffer): CliResult {
  const result = spawnSync(process.execPath, [join(PACKAGE_DIR, 'bin', 'asff'), ...args], {
    input,
    encoding: 'utf8',
    timeout: 30_000,
    cwd: PACKAGE_DIR,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const ACCOUNT_ARGS = ['--account', '123456789012', '--region', 'eu-west-1'];
