import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The real AWS CLI v2 (Debian's `awscli` package), used to check that the command lines the buildspecs run and
 * the docs tell operators to run are ones the CLI accepts: service, operation, option names, required options
 * and parameter shapes, as the CLI's own models define them. Version 1 (e.g. a pip install earlier on PATH) has
 * other customizations and options, so it is not accepted.
 */
export function awsCliV2(): string {
  // Every `aws` on PATH, in order (as scripts/check-test-tools.js looks): the first that is version 2.
  const candidates = (process.env.PATH ?? '').split(':').filter(Boolean).map((dir) => join(dir, 'aws'));
  for (const candidate of candidates) {
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf-8' });
    if (version.status === 0 && /^aws-cli\/2\./.test(version.stdout)) return candidate;
  }
  throw new Error('the AWS CLI v2 is not installed: sudo apt-get install -y awscli (scripts/check-test-tools.js lists it)');
}

/** What the CLI made of one command line. */
export interface CliVerdict {
  /** The arguments after `aws`. */
  readonly argv: readonly string[];
  /** Why the CLI rejected it (its own message, one line), or undefined when it accepted it. */
  readonly rejection?: string;
  /** Set when the CLI did not know the operation or an option and the SDK v3 model does (see sdkVerdict). */
  readonly newerThanCli?: string;
}

export interface CheckOptions {
  /**
   * A reference to an operation in prose (`aws eks list-access-entries`) names no arguments: only the service,
   * the operation and the options it does give are checked, not that the required ones are present.
   */
  readonly requiredOptions?: (argv: readonly string[]) => boolean;
}

/**
 * Runs every command line through the real CLI's parser and parameter validation in one process (about 1 s for
 * the whole set). The requests go to a closed local port: a command that gets that far was accepted.
 */
export function checkWithAwsCli(commands: ReadonlyArray<readonly string[]>, options: CheckOptions = {}): CliVerdict[] {
  const cli = awsCliV2();
  // The driver runs under the interpreter the CLI's own script names, so it imports that CLI's modules.
  const interpreter = /^#!\s*(\S+)/.exec(readFileSync(cli, 'utf-8').split('\n')[0])?.[1];
  if (!interpreter) throw new Error(`${cli}: no interpreter line; cannot load the AWS CLI's modules`);
  const home = mkdtempSync(join(tmpdir(), 'aws-cli-check-'));
  const run = spawnSync(interpreter, [join(__dirname, 'aws-cli-driver.py')], {
    input: commands.map((argv) => JSON.stringify(argv)).join('\n') + '\n',
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-secret-the-endpoint-is-a-closed-port',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      KUBECONFIG: join(home, 'kubeconfig'),
    },
  });
  if (run.status !== 0) throw new Error(`the AWS CLI check driver failed: ${run.stderr.trim().split('\n').pop()}`);
  const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { rc: number; stderr: string });
  if (results.length !== commands.length) throw new Error(`the AWS CLI check driver answered ${results.length} of ${commands.length} commands`);
  return commands.map((argv, i) => {
    const reason = rejection(results[i], options.requiredOptions?.(argv) ?? true);
    if (reason && /^(Invalid choice|Unknown options)/.test(reason)) {
      const newer = sdkVerdict(argv);
      if (newer.known) return { argv, newerThanCli: newer.note };
      return { argv, rejection: `${reason} (${newer.note})` };
    }
    const required = reason && REQUIRED.exec(reason)?.[1];
    if (required) {
      // The CLI may know an operation whose request has changed since (Security Lake's preview API): its
      // complaint then names options the current model no longer has, and the command is judged by that model.
      const newer = sdkVerdict(argv, required.split(/,\s*/));
      if (newer.known) return { argv, newerThanCli: newer.note };
    }
    return { argv, rejection: reason };
  });
}

const REQUIRED = /^the following arguments are required: (.+)$/;

/** CLI service names whose SDK v3 client package is named otherwise. */
const SDK_CLIENT: Record<string, string> = { configservice: 'config-service' };

const camel = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Debian's CLI v2 is older than some operations and options the docs rightly use (EKS access entries came
 * after it). For those, the AWS SDK for JavaScript v3 client of the workspace, which is current, is the
 * model: the operation must be one of its commands and every option a member of its request shape.
 */
function sdkVerdict(argv: readonly string[], cliRequired?: readonly string[]): { known: boolean; note: string } {
  const [service, operation] = argv;
  const client = `@aws-sdk/client-${SDK_CLIENT[service] ?? service}`;
  let types: string;
  try {
    types = dirname(require.resolve(`${client}/package.json`));
  } catch {
    return { known: false, note: `no ${client} in the workspace to check a newer model against` };
  }
  const name = camel(`-${operation}`);
  if (!existsSync(join(types, 'dist-types', 'commands', `${name}Command.d.ts`))) {
    return { known: false, note: `${client} has no ${name}Command either` };
  }
  const modelDir = join(types, 'dist-types', 'models');
  const source = readdirSync(modelDir).map((file) => readFileSync(join(modelDir, file), 'utf-8')).join('\n');
  const shape = new RegExp(`export interface ${name}Request \\{\\n([\\s\\S]*?)\\n\\}`).exec(source)?.[1] ?? '';
  const members = new Set([...shape.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]));
  const unknown = argv.filter((word) => word.startsWith('--')).map((word) => word.slice(2)).filter((option) => !members.has(camel(option)));
  if (unknown.length) return { known: false, note: `${client}'s ${name}Request has no ${unknown.join(', ')} either` };
  if (cliRequired) {
    // Only when none of what the CLI requires is in the current request is the CLI's model of it outdated; then
    // the current model's required members (declared without `?`) must be given.
    if (cliRequired.some((option) => members.has(camel(option.replace(/^--/, ''))))) return { known: false, note: 'the CLI requires them' };
    const given = new Set(argv.filter((word) => word.startsWith('--')).map((word) => camel(word.slice(2))));
    const missing = [...shape.matchAll(/^ {4}(\w+):/gm)].map((m) => m[1]).filter((member) => !given.has(member));
    if (missing.length) return { known: false, note: `${client}'s ${name}Request requires ${missing.join(', ')}` };
  }
  return { known: true, note: `newer than this CLI: checked against ${client}'s ${name}Command` };
}

/** The CLI's reason for rejecting a command, from its exit code and message; undefined when it was accepted. */
function rejection(result: { rc: number; stderr: string }, requiredOptions: boolean): string | undefined {
  const lines = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  // The usage text comes first; the reason is the `error:` line (an invalid choice lists the valid ones after it).
  // An unknown service or operation: the CLI lists the valid choices (and maybe a suggestion) around it.
  const choice = /Invalid choice: '([^']+)'/.exec(result.stderr)?.[1] ?? /argument (\w+): Invalid choice/.exec(result.stderr)?.[1];
  if (choice) return `Invalid choice: ${choice}`;
  const last = lines.find((l) => /(^|\s)error: |^Unknown options:|^Error parsing parameter/.test(l)) ?? lines[lines.length - 1] ?? '';
  if (result.rc === -1) return `the CLI crashed: ${last}`;
  if (/Parameter validation failed/.test(result.stderr)) return lines.slice(lines.indexOf('Parameter validation failed:')).join(' ');
  // 252: the CLI's usage errors (unknown service, operation or option, a missing required option, a bad value).
  if (result.rc === 252) {
    if (!requiredOptions && /the following arguments are required/.test(last)) return undefined;
    return last.replace(/^[\w.-]+: error: /, '').slice(0, 200);
  }
  return undefined;
}
