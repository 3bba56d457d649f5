import { SeenIds } from '../../asff/seen-ids';
import { sha256Hex } from '../../asff/sha256';
import { validateFinding } from '../../asff/validate';
import { ReportError } from '../../errors';
import { readFindings } from '../../gate/read-findings';
import { bufferChunks, fileSource } from '../../streams/report-source';
import { parseArgs } from '../args';
import type { CliCommand, CliIo } from '../command';
import { write } from '../output';

/** Lines of problems printed before the rest are only counted: a broken file of a million findings stays readable. */
const MAX_PRINTED = 20;

/**
 * `asff validate <file>`: checks a findings file (what `asff convert` writes, `{"Findings":[...]}` or one finding
 * per line, or one written by hand or by another tool) against the rules Security Hub applies on
 * BatchImportFindings — the same `validateFinding()` the importer runs before sending — plus Id uniqueness
 * within the file. One line per problem, naming the file, the finding's position and the field, never a value
 * (a finding may carry what a scanner saw). Exit 0 when every finding would be accepted, 1 otherwise.
 */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check a findings file against the rules BatchImportFindings applies',
  usage: 'asff validate <file|->\n\n' +
    '  <file|->       findings as asff convert writes them ({"Findings":[...]} or one per line), or - for standard input',
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { positionals } = parseArgs(argv, [], { min: 1, max: 1, names: '<file|->' });
    const file = positionals[0];
    const name = file === '-' ? '<stdin>' : file;
    const source = file === '-' ? bufferChunks(io.stdin as unknown as AsyncIterable<Buffer>) : fileSource(file);
    const seen = new SeenIds();
    let count = 0;
    let invalid = 0;
    let problems = 0;
    const report = async (line: string) => {
      problems++;
      if (problems <= MAX_PRINTED) await write(io.stderr, `asff: ${name}: ${line}\n`);
    };
    try {
      for await (const finding of readFindings(source, name)) {
        const where = `finding ${count + 1}`;
        count++;
        const issues = validateFinding(finding);
        // SeenIds compares the builder's hash suffix; a file from elsewhere may use any Id, so the whole Id is hashed.
        if (!seen.add(`/${sha256Hex(finding.Id!)}`)) {
          issues.push({ path: 'Id', message: 'repeats an earlier finding\'s Id (BatchImportFindings keeps only one)' });
        }
        if (issues.length > 0) invalid++;
        for (const issue of issues) await report(`${where}: ${issue.path} ${issue.message}`);
      }
    } catch (error) {
      if (error instanceof ReportError) throw error;
      throw new ReportError(name, (error as Error).message, 'malformed', { cause: error });
    }
    if (problems > MAX_PRINTED) await write(io.stderr, `asff: ${name}: … and ${problems - MAX_PRINTED} more problems\n`);
    await write(io.stdout, `${name}: ${count} findings, ${count - invalid} valid, ${invalid} invalid\n`);
    return invalid === 0 ? 0 : 1;
  },
};
