import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Partition, ScanContext } from '../../asff/scan-context';
import { ReportError, UsageError } from '../../errors';
import { toolIds } from '../../parsers/registry';
import { optionHelp, parseArgs, usageLine, type OptionSpec } from '../args';
import type { CliCommand, CliIo } from '../command';
import { serializedFindings } from '../convert-pool';
import { BufferedWriter } from '../output';

/** The options of `asff convert`: the contract pipeline scripts depend on. */
export const SCAN_OPTIONS: readonly OptionSpec[] = [
  { name: 'account', kind: 'string', required: true, valueName: '<12 digits>', description: 'AWS account that imports the findings' },
  { name: 'region', kind: 'string', required: true, valueName: '<region>', description: 'Region of the Security Hub' },
  {
    name: 'partition',
    kind: 'string',
    choices: ['aws', 'aws-us-gov', 'aws-cn'],
    valueName: '<aws|aws-us-gov|aws-cn>',
    description: 'AWS partition (default aws)',
  },
  { name: 'repository', kind: 'string', valueName: '<R>', description: 'scanned repository (part of the finding Id scope)' },
  { name: 'branch', kind: 'string', valueName: '<B>', description: 'scanned branch (part of the finding Id scope)' },
  { name: 'commit', kind: 'string', valueName: '<SHA>', description: 'scanned commit (recorded, not part of the Id)' },
  { name: 'build-id', kind: 'string', valueName: '<ID>', description: 'CodeBuild build id (recorded, not part of the Id)' },
  { name: 'image', kind: 'string', valueName: '<URI>', description: 'scanned container image, ideally by digest' },
  {
    name: 'source-root',
    kind: 'string',
    valueName: '<dir>',
    description: "where the source was checked out (default $CODEBUILD_SRC_DIR when set; '' for none): " +
      'reported paths under it become relative, so Ids do not change with the build directory',
  },
];

const OPTIONS: readonly OptionSpec[] = [
  { name: 'tool', kind: 'string', required: true, valueName: '<id|auto>', description: 'scanner that wrote the report (see asff tools), or auto' },
  { name: 'input', kind: 'string', required: true, valueName: '<file|->', description: 'report file, or - for standard input' },
  ...SCAN_OPTIONS,
  { name: 'output', kind: 'string', valueName: '<file|->', description: 'where to write the findings (default -, standard output)' },
  {
    name: 'format',
    kind: 'string',
    choices: ['asff', 'ndjson', 'ocsf'],
    valueName: '<asff|ndjson|ocsf>',
    description: 'asff: {"Findings":[...]} as BatchImportFindings takes it (default); ndjson: one finding per line; ' +
      'ocsf: one OCSF 1.1.0 event per line (Vulnerability or Detection Finding, docs/ocsf.md)',
  },
];

/** The scan context from parsed `SCAN_OPTIONS`; the source root defaults to CodeBuild's checkout directory. */
export function scanContextFrom(options: Readonly<Record<string, string | boolean | undefined>>, env: NodeJS.ProcessEnv = process.env): ScanContext {
  const text = (name: string): string | undefined => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  return {
    account: text('account') ?? '',
    region: text('region') ?? '',
    partition: (text('partition') ?? 'aws') as Partition,
    repository: text('repository'),
    branch: text('branch'),
    commit: text('commit'),
    buildId: text('build-id'),
    image: text('image'),
    sourceRoot: text('source-root') ?? env.CODEBUILD_SRC_DIR,
  };
}

/**
 * ASFF_CONVERT_WORKERS: how many worker threads convert a report (0 for none);
 * unset, JSON reports of 8 MiB or more of the element-wise tools use two where
 * four or more cores are available (see `autoWorkers`). The output is the same
 * either way.
 */
export function workersFrom(env: NodeJS.ProcessEnv): number | undefined {
  const text = env.ASFF_CONVERT_WORKERS?.trim();
  if (text === undefined || text === '') return undefined;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 0 || count > 16) {
    throw new UsageError(`ASFF_CONVERT_WORKERS must be a whole number from 0 to 16, got '${text}'`);
  }
  return count;
}

export const convertCommand: CliCommand = {
  name: 'convert',
  summary: 'convert a scanner report to ASFF findings',
  usage: `${usageLine('convert', OPTIONS)}\n\ntools: ${toolIds().join(' ')} auto\n\n${optionHelp(OPTIONS)}`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { options } = parseArgs(argv, OPTIONS);
    const input = options.input as string;
    const output = (options.output as string | undefined) ?? '-';
    const ocsf = options.format === 'ocsf';
    const ndjson = options.format === 'ndjson' || ocsf;
    const findings = serializedFindings({
      tool: options.tool as string,
      input: input === '-' ? io.stdin : input,
      fileName: input === '-' ? '<stdin>' : input,
      context: scanContextFrom(options),
      format: ocsf ? 'ocsf' : ndjson ? 'ndjson' : 'asff',
      workers: workersFrom(process.env),
    });
    // A file output is written under a temporary name and renamed at the end,
    // so a failed conversion never leaves a half-written findings file behind.
    const temporary = output === '-' ? undefined : `${output}.${process.pid}.partial`;
    const target = temporary === undefined ? io.stdout : await openOutput(output, temporary);
    const out = new BufferedWriter(target);
    try {
      // The opening bracket waits for the first finding, so a report rejected
      // at its first bytes leaves standard output empty.
      let first = true;
      try {
        for await (const json of findings) {
          await out.add(ndjson ? `${json}\n` : first ? `{"Findings":[\n${json}` : `,\n${json}`);
          first = false;
        }
      } catch (error) {
        // Findings converted before a failure still reach standard output, as when each was written at once;
        // the report's error is the one to tell, not a failure to write them.
        await out.flush().catch(() => undefined);
        throw error;
      }
      if (!ndjson) await out.add(first ? '{"Findings":[]}\n' : '\n]}\n');
      await out.flush();
      if (temporary !== undefined) {
        target.end();
        await finished(target);
        await rename(temporary, output).catch((e: NodeJS.ErrnoException) => {
          throw new ReportError(output, `cannot write the output (${e.code ?? e.message})`, 'unreadable');
        });
      }
    } catch (error) {
      if (temporary !== undefined) {
        target.end();
        await unlink(temporary).catch(() => undefined);
      }
      throw error;
    }
    return 0;
  },
};

async function openOutput(output: string, temporary: string): Promise<NodeJS.WritableStream> {
  const stream = createWriteStream(temporary);
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new ReportError(output, `cannot write the output (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'unreadable');
  }
  return stream;
}
