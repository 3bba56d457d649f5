import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { validateFinding } from '../../asff/validate';
import { convert } from '../../convert';
import { ReportError, UsageError } from '../../errors';
import { findParser } from '../../parsers/registry';
import { parseArgs, type OptionSpec } from '../args';
import { checkFacts, isCheckedFact, parseFacts, type FactRow } from './conformance-facts';
import type { CliCommand, CliIo } from '../command';
import { write } from '../output';

/** One row of `<dir>/expected.tsv`. */
export interface ExpectedRow {
  /** Corpus folder. */
  readonly folder: string;
  readonly file: string;
  /** The count asserted by the corpus, or 'ERROR' when the report must be rejected. */
  readonly expected: number | 'ERROR';
  readonly note: string;
  /** The `--tool` id for the report. */
  readonly tool: string;
}

/** How one report fared. */
export interface ConformanceResult {
  readonly row: ExpectedRow;
  /** pass: count matches; differs: count differs (listed, not failed); no-parser: tool not registered; fail: invalid findings, shared Ids or a crash. */
  readonly status: 'pass' | 'differs' | 'no-parser' | 'fail';
  readonly actual?: number;
  readonly invalid: number;
  readonly collisions: number;
  readonly repeatedIds: number;
  readonly detail: string;
  /** Facts of facts.tsv checked for this report, and those that did not hold. */
  readonly facts?: { readonly checked: number; readonly misses: readonly string[] };
}

const OPTIONS: readonly OptionSpec[] = [
  { name: 'verbose', kind: 'boolean', description: 'print the first validation issues of each failing report' },
  { name: 'strict-facts', kind: 'boolean', description: 'fail when a fact of facts.tsv does not hold (default: listed as a difference)' },
];

/** Misses listed per report; the rest are counted. */
const MISSES_SHOWN = 3;

/** Parses expected.tsv (header: tool, file, expected_findings, note[, asff_tool]). */
export function parseExpected(text: string): ExpectedRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split('\t');
  const column = (name: string): number => header.indexOf(name);
  const [toolAt, fileAt, expectedAt, noteAt, asffAt] = ['tool', 'file', 'expected_findings', 'note', 'asff_tool'].map(column);
  if (toolAt < 0 || fileAt < 0 || expectedAt < 0) throw new UsageError('expected.tsv needs the columns tool, file, expected_findings');
  return lines.map((line) => {
    const cells = line.split('\t');
    const raw = (cells[expectedAt] ?? '').trim();
    const folder = cells[toolAt];
    return {
      folder,
      file: cells[fileAt],
      expected: raw.toUpperCase() === 'ERROR' ? 'ERROR' : Number(raw),
      note: noteAt >= 0 ? (cells[noteAt] ?? '') : '',
      tool: asffAt >= 0 && cells[asffAt] ? cells[asffAt].trim() : folder,
    };
  });
}

/** Converts one corpus report and judges it. */
export async function checkReport(dir: string, row: ExpectedRow, verbose = false, facts: readonly FactRow[] = []): Promise<ConformanceResult> {
  const base = { row, invalid: 0, collisions: 0, repeatedIds: 0 };
  const parser = findParser(row.tool);
  if (parser === undefined) return { ...base, status: 'no-parser', detail: `no parser for '${row.tool}' yet` };
  const conversion = convert({
    tool: row.tool,
    input: join(dir, row.folder, row.file),
    fileName: join(row.folder, row.file),
    context: { account: '123456789012', region: 'us-east-1', partition: 'aws', repository: 'conformance', branch: 'main' },
  });
  const ids = new Set<string>();
  // Findings are kept only when facts name some of them (corpus reports are small; a private corpus without facts
  // streams as before).
  const wanted = facts.filter(isCheckedFact);
  const kept: AwsSecurityFinding[] = [];
  let count = 0;
  let invalid = 0;
  let collisions = 0;
  const issues: string[] = [];
  try {
    for await (const finding of conversion) {
      count++;
      if (wanted.length > 0) kept.push(finding as AwsSecurityFinding);
      const problems = validateFinding(finding as AwsSecurityFinding);
      if (problems.length > 0) {
        invalid++;
        if (issues.length < 3) issues.push(...problems.slice(0, 3 - issues.length).map((p) => `${p.path} ${p.message}`));
      }
      if (ids.has(finding.Id!)) collisions++;
      ids.add(finding.Id!);
    }
  } catch (error) {
    if (error instanceof ReportError && row.expected === 'ERROR') {
      return { ...base, status: 'pass', detail: `rejected as expected: ${error.problem}` };
    }
    const message = error instanceof ReportError ? error.problem : `crash: ${(error as Error).message}`;
    return { ...base, status: 'fail', detail: message };
  }
  const repeatedIds = conversion.stats.repeatedIds;
  const found = { ...base, actual: count, invalid, collisions, repeatedIds };
  if (invalid > 0 || collisions > 0) {
    const what = [invalid > 0 ? `${invalid} invalid findings` : '', collisions > 0 ? `${collisions} shared Ids` : ''].filter(Boolean).join(', ');
    return { ...found, status: 'fail', detail: verbose && issues.length ? `${what}: ${issues.join('; ')}` : what };
  }
  const repeated = repeatedIds > 0 ? ` (${repeatedIds} repeated Ids given occurrence suffixes)` : '';
  const factsResult = wanted.length > 0 ? checkFacts(wanted, kept) : undefined;
  const withFacts = { ...found, ...(factsResult ? { facts: factsResult } : {}) };
  const missed = factsResult && factsResult.misses.length > 0 ? factsDetail(factsResult) : undefined;
  const countingUnit = `counting unit: ${parser.countingUnit}${repeated}`;
  if (row.expected === 'ERROR') return { ...withFacts, status: 'differs', detail: `expected an error, converted ${count}; ${countingUnit}` };
  if (count !== row.expected) return { ...withFacts, status: 'differs', detail: joinDetail([missed, countingUnit]) };
  if (missed !== undefined) return { ...withFacts, status: 'differs', detail: joinDetail([missed, repeated.trim()]) };
  return { ...withFacts, status: 'pass', detail: joinDetail([factsResult ? `facts: ${factsResult.checked} hold` : undefined, repeated.trim()]) };
}

function factsDetail(result: { readonly checked: number; readonly misses: readonly string[] }): string {
  const shown = result.misses.slice(0, MISSES_SHOWN).join('; ');
  const more = result.misses.length > MISSES_SHOWN ? `; ${result.misses.length - MISSES_SHOWN} more` : '';
  return `facts: ${result.misses.length} of ${result.checked} do not hold: ${shown}${more}`;
}

function joinDetail(parts: readonly (string | undefined)[]): string {
  return parts.filter((p) => p !== undefined && p !== '').join('; ');
}

export const conformanceCommand: CliCommand = {
  name: 'conformance',
  summary: 'convert every report of a corpus folder and compare with its expected.tsv',
  usage:
    'asff conformance <dir> [--verbose] [--strict-facts]\n\n' +
    '  Reads <dir>/expected.tsv (tool, file, expected_findings, note, asff_tool), converts <dir>/<tool>/<file>,\n' +
    '  and reports per file the count against the expectation, invalid findings and shared Ids. When\n' +
    '  <dir>/facts.tsv (tool, file, index, field, value) exists, the named findings\' severity, title, ids, CWE,\n' +
    '  component, file path and line are checked too: the finding that matches most facts of an index is the one\n' +
    '  named, and the facts it does not carry are listed.\n' +
    '  Exit 1 when a finding is invalid, two findings share an Id, or a conversion fails unexpectedly;\n' +
    '  count differences that follow from a tool\'s counting unit, and facts that do not hold, are listed, not failed.\n\n' +
    '  --verbose       print the first validation issues of failing reports\n' +
    '  --strict-facts  fail a report whose facts do not all hold',
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { options, positionals } = parseArgs(argv, OPTIONS, { min: 1, max: 1, names: '<dir>' });
    const dir = positionals[0];
    let text: string;
    try {
      text = await readFile(join(dir, 'expected.tsv'), 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ReportError(join(dir, 'expected.tsv'), `cannot read (${reason})`, 'unreadable');
    }
    const rows = parseExpected(text);
    // facts.tsv is optional: a private corpus may assert counts only.
    const facts = parseFacts(await readFile(join(dir, 'facts.tsv'), 'utf8').catch(() => ''));
    const tally = { 'pass': 0, 'differs': 0, 'no-parser': 0, 'fail': 0 };
    const factTally = { checked: 0, missed: 0 };
    await write(io.stdout, ['status', 'tool', 'file', 'expected', 'actual', 'detail'].join('\t') + '\n');
    for (const row of rows) {
      const reportFacts = facts.filter((f) => f.folder === row.folder && f.file === row.file);
      let result = await checkReport(dir, row, options.verbose === true, reportFacts);
      factTally.checked += result.facts?.checked ?? 0;
      factTally.missed += result.facts?.misses.length ?? 0;
      if (options['strict-facts'] === true && result.status === 'differs' && (result.facts?.misses.length ?? 0) > 0) {
        result = { ...result, status: 'fail' };
      }
      tally[result.status]++;
      const actual = result.actual === undefined ? '-' : String(result.actual);
      const cells = [result.status.toUpperCase(), row.tool, `${row.folder}/${row.file}`, String(row.expected), actual, result.detail];
      await write(io.stdout, cells.join('\t') + '\n');
    }
    await write(
      io.stdout,
      `\n${rows.length} reports: ${tally.pass} pass, ${tally.differs} differ by counting unit or facts, ` +
        `${tally['no-parser']} without parser, ${tally.fail} fail\n`,
    );
    if (factTally.checked > 0) await write(io.stdout, `facts: ${factTally.checked - factTally.missed} of ${factTally.checked} hold\n`);
    return tally.fail > 0 ? 1 : 0;
  },
};
