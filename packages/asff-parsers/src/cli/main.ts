import { ReportError, UsageError } from '../errors';
import type { CliIo } from './command';
import { COMMANDS } from './commands';
import { packageVersion } from './version';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: asff <command> [options]   (asff <command> --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    '  --debug     show stack traces on errors',
    '  --version   print the version of the CLI',
  ].join('\n');
}

/**
 * The `asff` entry point (bin/asff). Exit codes: 0 success, 2 usage error or
 * unreadable/malformed/unrecognised input (one line on stderr naming the
 * file), 1 for a command's own failure verdict or an unexpected error. Stack
 * traces only with `--debug`.
 */
export async function run(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const streams: CliIo = { stdin: io.stdin ?? process.stdin, stdout: io.stdout ?? process.stdout, stderr: io.stderr ?? process.stderr, debug };
  const code = await dispatch(args, streams);
  process.exitCode = code;
  return code;
}

async function dispatch(args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (command === undefined) throw new UsageError(`unknown command '${name}'`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    return report(error, io, command?.usage);
  }
}

function report(error: unknown, io: CliIo, usage: string | undefined): number {
  // The reader of our output went away (`asff ... | head`): nothing left to tell anyone.
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') return 0;
  if (error instanceof UsageError) {
    io.stderr.write(`asff: ${error.message} (${usage ? `see asff ${usage.split(' ')[1]} --help` : 'asff --help lists the commands'})\n`);
  } else if (error instanceof ReportError) {
    io.stderr.write(`asff: ${error.message}\n`);
  } else {
    io.stderr.write(`asff: unexpected error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
  }
  if (io.debug && error instanceof Error) io.stderr.write(`${stack(error)}\n`);
  return error instanceof UsageError || error instanceof ReportError ? 2 : 1;
}

function stack(error: Error): string {
  const cause = error.cause instanceof Error ? `\ncaused by: ${stack(error.cause)}` : '';
  return `${error.stack ?? error.message}${cause}`;
}
