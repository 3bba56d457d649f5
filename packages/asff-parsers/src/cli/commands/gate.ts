import { writeFile } from 'node:fs/promises';
import { ReportError } from '../../errors';
import { evaluateGate } from '../../gate/evaluate-gate';
import { junitReport } from '../../gate/junit-report';
import { markdownReport } from '../../gate/markdown-report';
import { readFindings } from '../../gate/read-findings';
import { sarifReport } from '../../gate/sarif-report';
import { textSummary } from '../../gate/text-summary';
import { combinationNotes, combinePolicies } from '../../policy/combine-policies';
import { loadPolicy } from '../../policy/parse-policy';
import { bufferChunks, fileSource } from '../../streams/report-source';
import { optionHelp, parseArgs, usageLine, type OptionSpec } from '../args';
import type { CliCommand, CliIo } from '../command';
import { write } from '../output';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'input', kind: 'string', required: true, valueName: '<file|->', description: 'findings from asff convert ({"Findings":[...]} or NDJSON), - for standard input' },
  { name: 'policy', kind: 'string', required: true, valueName: '<file>', description: 'the factory-owned policy file: stage thresholds, suppressions, rules for repositories' },
  { name: 'repository-policy', kind: 'string', valueName: '<file>', description: 'the application repository\'s policy file: may only tighten thresholds and propose suppressions within the factory\'s rules' },
  { name: 'stage', kind: 'string', required: true, valueName: '<name>', description: 'the pipeline stage whose threshold applies' },
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
    const { options } = parseArgs(argv, OPTIONS);
    const repositoryFile = options['repository-policy'] as string | undefined;
    const now = new Date();
    const factoryPolicy = await loadPolicy(options.policy as string);
    const repositoryPolicy = repositoryFile === undefined ? undefined : await loadPolicy(repositoryFile);
    const combined = combinePolicies(factoryPolicy, repositoryPolicy, now);
    const policy = combined.policy;
    const input = options.input as string;
    const fileName = input === '-' ? '<stdin>' : input;
    const source = input === '-' ? bufferChunks(io.stdin as unknown as AsyncIterable<Buffer>) : fileSource(input);
    const result = await evaluateGate(readFindings(source, fileName), { policy, stage: options.stage as string, now });
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
