import { writeFile } from 'node:fs/promises';
import { AwsSecurityFinding, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { ReportError, UsageError } from '../../errors';
import { Baseline, findingsOfScopes } from '../../gate/baseline';
import { evaluateGate } from '../../gate/evaluate-gate';
import { junitReport } from '../../gate/junit-report';
import { markdownReport } from '../../gate/markdown-report';
import { readFindings } from '../../gate/read-findings';
import { sarifReport } from '../../gate/sarif-report';
import { textSummary } from '../../gate/text-summary';
import { checkScope } from '../../importer/scope';
import { combinationNotes, combinePolicies } from '../../policy/combine-policies';
import { loadPolicy } from '../../policy/parse-policy';
import { bufferChunks, fileSource, ReportSource } from '../../streams/report-source';
import { optionHelp, parseArgs, usageLine, type OptionSpec } from '../args';
import type { CliCommand, CliIo } from '../command';
import { write } from '../output';

const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'input',
    kind: 'string',
    required: true,
    repeatable: true,
    valueName: '<file|->',
    description: 'findings from asff convert ({"Findings":[...]} or NDJSON), - for standard input; ' +
      'repeat it to judge several tools\' findings together (a vulnerability that several tools report counts once)',
  },
  {
    name: 'policy',
    kind: 'string',
    required: true,
    valueName: '<file>',
    description: 'the factory-owned policy file: stage thresholds, suppressions, rules for repositories',
  },
  {
    name: 'repository-policy',
    kind: 'string',
    valueName: '<file>',
    description: 'the application repository\'s policy file: may only tighten thresholds and propose suppressions within the factory\'s rules',
  },
  { name: 'stage', kind: 'string', required: true, valueName: '<name>', description: 'the pipeline stage whose threshold applies' },
  {
    name: 'baseline',
    kind: 'string',
    repeatable: true,
    valueName: '<file>',
    description: 'findings to compare with (the default branch\'s, same format as --input): required by the new and sla gate modes',
  },
  {
    name: 'baseline-scope',
    kind: 'string',
    repeatable: true,
    valueName: '<S>',
    description: 'read the baseline from Security Hub: the ACTIVE findings of this scope (the default branch\'s scope of the same stage and tool)',
  },
  { name: 'region', kind: 'string', valueName: '<region>', description: 'with --baseline-scope: Region of the Security Hub' },
  { name: 'junit', kind: 'string', valueName: '<file>', description: 'write a JUnit XML report (CodeBuild test reports)' },
  { name: 'sarif', kind: 'string', valueName: '<file>', description: 'write a SARIF 2.1.0 report' },
  { name: 'markdown', kind: 'string', valueName: '<file>', description: 'write a Markdown summary' },
];

/** `asff gate`: exit 1 when an unsuppressed ACTIVE finding meets the stage's threshold, 0 otherwise, 2 on bad input. */
export const gateCommand: CliCommand = {
  name: 'gate',
  summary: 'pass or fail a pipeline stage on its findings and the policy file',
  usage: `${usageLine('gate', OPTIONS)}\n\nexit status: 0 passed, 1 failed (a blocking finding), 2 bad input\n\n${optionHelp(OPTIONS)}`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { options, lists } = parseArgs(argv, OPTIONS);
    const baselineScopes = lists['baseline-scope'] ?? [];
    for (const scope of baselineScopes) {
      try {
        checkScope(scope);
      } catch (error) {
        throw new UsageError(`--baseline-scope: ${(error as Error).message}`);
      }
    }
    if (baselineScopes.length > 0 && options.region === undefined) throw new UsageError('--baseline-scope needs --region');
    if (options.region !== undefined && baselineScopes.length === 0) throw new UsageError('--region only applies with --baseline-scope');
    const inputs = lists.input ?? [];
    if ([...inputs, ...(lists.baseline ?? [])].filter((i) => i === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
    const repositoryFile = options['repository-policy'] as string | undefined;
    const now = new Date();
    const factoryPolicy = await loadPolicy(options.policy as string);
    const repositoryPolicy = repositoryFile === undefined ? undefined : await loadPolicy(repositoryFile);
    const combined = combinePolicies(factoryPolicy, repositoryPolicy, now);
    const policy = combined.policy;
    const open = (input: string): ReportSource => (input === '-' ? bufferChunks(io.stdin as unknown as AsyncIterable<Buffer>) : fileSource(input));
    const read = (files: readonly string[]) => readAll(files.map((f) => readFindings(open(f), f === '-' ? '<stdin>' : f)));
    let baseline: Baseline | undefined;
    if ((lists.baseline ?? []).length > 0 || baselineScopes.length > 0) {
      const client = baselineScopes.length > 0 ? new SecurityHubClient({ region: options.region as string, maxAttempts: 1 }) : undefined;
      try {
        baseline = await Baseline.from(readAll([read(lists.baseline ?? []), ...(client ? [findingsOfScopes(client, baselineScopes)] : [])]));
      } finally {
        client?.destroy();
      }
    }
    const result = await evaluateGate(read(inputs), { policy, stage: options.stage as string, now, baseline });
    const outputs: [string | undefined, () => string][] = [
      [options.junit as string | undefined, () => junitReport(result)],
      [options.sarif as string | undefined, () => sarifReport(result)],
      [options.markdown as string | undefined, () => markdownReport(result)],
    ];
    for (const [path, render] of outputs) {
      if (path === undefined) continue;
      await writeFile(path, render()).catch((error: NodeJS.ErrnoException) => {
        throw new ReportError(path, `cannot write the report (${error.code ?? error.message})`, 'unreadable');
      });
    }
    const notes = repositoryFile === undefined ? [] : combinationNotes(combined, repositoryFile);
    await write(io.stdout, textSummary(result) + notes.map((line) => `${line}\n`).join(''));
    return result.passed ? 0 : 1;
  },
};

/** The findings of several sources, one after another. */
async function* readAll(sources: readonly AsyncIterable<AwsSecurityFinding>[]): AsyncIterable<AwsSecurityFinding> {
  for (const source of sources) yield* source;
}
