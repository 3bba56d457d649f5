import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { UsageError } from '../../errors';
import { readFindings } from '../../gate/read-findings';
import { FileDeadLetterSink } from '../../importer/dead-letter';
import { ImportProgress } from '../../importer/import-summary';
import { SecurityHubImporter } from '../../importer/importer';
import { checkScope } from '../../importer/scope';
import { applySuppressions } from '../../policy/apply-suppressions';
import { loadPolicy } from '../../policy/parse-policy';
import { bufferChunks, fileSource } from '../../streams/report-source';
import { optionHelp, parseArgs, usageLine, type OptionSpec } from '../args';
import type { CliCommand, CliIo } from '../command';
import { write } from '../output';

/** Where dead letters go when `--dead-letter` is not given: they are never dropped. */
export const DEFAULT_DEAD_LETTER_FILE = 'asff-import.dead-letter.ndjson';

const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'input',
    kind: 'string',
    required: true,
    valueName: '<file|->',
    description: 'findings from asff convert ({"Findings":[...]} or NDJSON), - for standard input',
  },
  { name: 'region', kind: 'string', required: true, valueName: '<region>', description: 'Region of the Security Hub' },
  { name: 'scope', kind: 'string', valueName: '<S>', description: 'scope recorded on every finding, e.g. repository@branch#stage/tool' },
  { name: 'archive-missing', kind: 'boolean', description: 'archive ACTIVE findings of the scope absent from the input (needs --scope)' },
  {
    name: 'dead-letter',
    kind: 'string',
    valueName: '<file>',
    description: `NDJSON file for findings that could not be imported (default ${DEFAULT_DEAD_LETTER_FILE})`,
  },
  {
    name: 'policy',
    kind: 'string',
    valueName: '<file>',
    description: 'apply the policy\'s suppressions to the scope in Security Hub (needs --scope)',
  },
  { name: 'stage', kind: 'string', valueName: '<name>', description: 'with --policy: the stage, for suppressions limited to stages' },
];

/**
 * `asff import`: credentials and endpoint resolve as for any AWS SDK v3 client
 * (environment, profile, container or instance role; AWS_ENDPOINT_URL_SECURITYHUB).
 * Prints one JSON summary line; exit 0 when every finding was imported, 1 when
 * some went to the dead letter, 2 on bad input.
 */
export const importCommand: CliCommand = {
  name: 'import',
  summary: 'import findings into Security Hub at its rate limit, optionally archiving fixed ones',
  usage: `${usageLine('import', OPTIONS)}\n\n` +
    'prints {"imported":..,"failed":..,"archived":..,"requests":..,"throttled":..,"retried":..,"seconds":..}\n' +
    `exit status: 0 all imported, 1 some findings in the dead letter, 2 bad input\n\n${optionHelp(OPTIONS)}`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { options } = parseArgs(argv, OPTIONS);
    const scope = options.scope as string | undefined;
    if (scope !== undefined) {
      try {
        checkScope(scope);
      } catch (error) {
        throw new UsageError(`--scope: ${(error as Error).message}`);
      }
    }
    if (options['archive-missing'] && scope === undefined) throw new UsageError('--archive-missing needs --scope');
    if (options.policy !== undefined && scope === undefined) throw new UsageError('--policy needs --scope');
    if (options.stage !== undefined && options.policy === undefined) throw new UsageError('--stage needs --policy');
    // Read the policy first: a bad policy file must fail before anything is imported.
    const policy = options.policy !== undefined ? await loadPolicy(options.policy as string) : undefined;

    const input = options.input as string;
    const fileName = input === '-' ? '<stdin>' : input;
    const deadLetterFile = (options['dead-letter'] as string | undefined) ?? DEFAULT_DEAD_LETTER_FILE;
    const client = new SecurityHubClient({ region: options.region as string, maxAttempts: 1 });
    const progress = progressBar(io.stderr);
    const importer = new SecurityHubImporter({ client, scope, deadLetter: new FileDeadLetterSink(deadLetterFile), onProgress: progress.update });
    try {
      const source = input === '-' ? bufferChunks(io.stdin as unknown as AsyncIterable<Buffer>) : fileSource(input);
      await importer.import(readFindings(source, fileName));
      // Only reached when the whole input was read: a truncated input never archives live findings.
      if (options['archive-missing']) await importer.archiveMissing();
      if (policy !== undefined) {
        await applySuppressions({ client, policy, scope: scope!, stage: options.stage as string | undefined });
      }
    } finally {
      progress.done();
      const failed = await importer.close();
      if (failed > 0) io.stderr.write(`asff: ${failed} finding(s) could not be imported; see ${deadLetterFile}\n`);
      client.destroy();
    }
    const summary = importer.summary();
    await write(io.stdout, `${JSON.stringify(summary)}\n`);
    return summary.failed > 0 ? 1 : 0;
  },
};

/** A one-line progress display, only on a terminal so that logs stay clean. */
function progressBar(stderr: NodeJS.WritableStream): { update: (p: ImportProgress) => void; done: () => void } {
  const tty = (stderr as NodeJS.WriteStream).isTTY === true;
  let shown = false;
  return {
    update: (p) => {
      if (!tty) return;
      shown = true;
      stderr.write(`\rimported ${p.imported}  failed ${p.failed}  requests ${p.requests}  throttled ${p.throttled}\u001b[K`);
    },
    done: () => {
      if (shown) stderr.write('\n');
    },
  };
}
