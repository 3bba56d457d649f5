import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { MalformedInputError, ReportError } from '../../errors';
import { writeLicenseReport } from '../../licenses/license-report';
import { combineLicenseRules } from '../../licenses/license-rules';
import { loadPolicy } from '../../policy/parse-policy';
import { fileSource } from '../../streams/report-source';
import { optionHelp, parseArgs, usageLine, type OptionSpec } from '../args';
import type { CliCommand, CliIo } from '../command';
import { write } from '../output';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'sbom', kind: 'string', required: true, valueName: '<file>', description: 'the SBOM to judge: CycloneDX JSON or SPDX JSON' },
  {
    name: 'policy',
    kind: 'string',
    required: true,
    valueName: '<file>',
    description: 'the factory-owned policy file, whose licenses: section holds the rules',
  },
  {
    name: 'repository-policy',
    kind: 'string',
    valueName: '<file>',
    description: 'the application repository\'s policy file: its licenses: section may only tighten the factory\'s',
  },
  { name: 'stage', kind: 'string', required: true, valueName: '<name>', description: 'the pipeline stage whose licence rules apply' },
  {
    name: 'image',
    kind: 'string',
    valueName: '<id|URI>',
    description: 'the image the SBOM describes, named in each finding (default: the SBOM\'s own subject)',
  },
  {
    name: 'output',
    kind: 'string',
    valueName: '<file|->',
    description: 'where to write the licence report for asff convert --tool sbom-licenses (default -, standard output)',
  },
];

/**
 * `asff licenses`: judges the packages of an SBOM with the policy's licence rules for a stage and writes the licence
 * report, which `asff convert --tool sbom-licenses` turns into findings and `asff gate` judges like any scanner's.
 * Exit 0 whatever the verdicts (the gate decides), 2 on bad input.
 */
export const licensesCommand: CliCommand = {
  name: 'licenses',
  summary: 'judge an SBOM\'s licences with the policy and write the licence report (tool sbom-licenses)',
  usage: `${usageLine('licenses', OPTIONS)}\n\n` +
    `exit status: 0 report written (violations or not: asff gate decides), 2 bad input\n\n${optionHelp(OPTIONS)}`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { options } = parseArgs(argv, OPTIONS);
    const sbomFile = options.sbom as string;
    const stage = options.stage as string;
    const repositoryFile = options['repository-policy'] as string | undefined;
    const factory = await loadPolicy(options.policy as string);
    const repository = repositoryFile === undefined ? undefined : await loadPolicy(repositoryFile);
    const { rules, notes } = combineLicenseRules(factory.licenses, repository?.licenses, stage);
    const output = (options.output as string | undefined) ?? '-';
    // Written under a temporary name and renamed at the end: a failure never leaves half a report to upload.
    const temporary = output === '-' ? undefined : `${output}.${process.pid}.partial`;
    const target = temporary === undefined ? io.stdout : await openOutput(output, temporary);
    let summary;
    try {
      const image = options.image as string | undefined;
      summary = await writeLicenseReport({ sbom: fileSource(sbomFile), sbomFile, stage, image, rules, write: (text) => write(target, text) });
      if (temporary !== undefined) {
        target.end();
        await finished(target);
        await rename(temporary, output).catch((e: NodeJS.ErrnoException) => {
          throw new ReportError(output, `cannot write the licence report (${e.code ?? e.message})`, 'unreadable');
        });
      }
    } catch (error) {
      if (temporary !== undefined) {
        target.end();
        await unlink(temporary).catch(() => undefined);
      }
      throw sbomError(error, sbomFile);
    }
    const topLicenses = summary.byLicense.slice(0, 5).map(([license, count]) => `${license} ${count}`).join(', ');
    const byLicense = summary.byLicense.length > 0 ? ` (${topLicenses})` : '';
    const verdict = rules === undefined
      ? `stage ${stage} has no licence rules: nothing judged`
      : `stage ${stage}: ${summary.components} packages, ${summary.violations} licence violation(s)${byLicense}`;
    const lines = [`asff licenses: ${verdict}`, ...notes.map((what) => `  note: ${repositoryFile} tightens ${what}`)];
    // The report may be on standard output: the verdict goes to standard error then.
    await write(output === '-' ? io.stderr : io.stdout, lines.map((line) => `${line}\n`).join(''));
    return 0;
  },
};

function sbomError(error: unknown, sbomFile: string): unknown {
  if (error instanceof ReportError) return error;
  if (error instanceof MalformedInputError) return new ReportError(sbomFile, error.message, error.kind);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new ReportError(sbomFile, 'no such file', 'unreadable');
  if (code !== undefined) return new ReportError(sbomFile, `cannot read the SBOM (${code})`, 'unreadable');
  return error;
}

async function openOutput(output: string, temporary: string): Promise<NodeJS.WritableStream> {
  const stream = createWriteStream(temporary);
  try {
    await once(stream, 'open');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ReportError(output, `cannot write the licence report (${reason})`, 'unreadable');
  }
  return stream;
}
