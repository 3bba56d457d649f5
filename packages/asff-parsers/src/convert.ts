import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { buildFinding } from './asff/builder';
import { disambiguatedId } from './asff/finding-id';
import { PARTITIONS, type ScanContext } from './asff/scan-context';
import { SeenIds } from './asff/seen-ids';
import { MalformedInputError, ReportError, UsageError } from './errors';
import { detectParser } from './parsers/detect';
import type { Parser } from './parsers/parser';
import { findParser, PARSERS, toolIds } from './parsers/registry';
import { bufferChunks, DETECT_HEAD_BYTES, fileSource, peekSource, type ReportSource } from './streams/report-source';

/** What to convert. */
export interface ConvertOptions {
  /** A tool id (`asff tools`) or `auto` to recognise the report from its first bytes. */
  readonly tool: string;
  /** A file path, or a stream of the report's bytes (e.g. `process.stdin`). */
  readonly input: string | NodeJS.ReadableStream | AsyncIterable<Buffer | string | Uint8Array>;
  /** Account, Region, partition and the scan scope. */
  readonly context: ScanContext;
  /** The name used in messages; defaults to the path, or `-` for a stream. */
  readonly fileName?: string;
  /** The parsers to choose from (default: the registry). */
  readonly parsers?: readonly Parser[];
}

/** Counters of a conversion, updated while it streams. */
export interface ConvertStats {
  /** The tool whose parser read the report (known once reading starts). */
  tool?: string;
  /** Findings yielded so far. */
  findings: number;
  /**
   * Findings whose Id was already used earlier in the same report and that
   * got an occurrence suffix instead of overwriting it (a sign the parser's
   * location key is not specific enough).
   */
  repeatedIds: number;
}

/** The findings of one report, streamed, with live counters. */
export interface Conversion extends AsyncIterable<AwsSecurityFinding> {
  readonly stats: ConvertStats;
}

/**
 * Converts one scanner report into ASFF findings, streaming: findings are
 * yielded as the report is read, so memory does not grow with the report.
 * Every problem with the input surfaces as a `ReportError` naming the file;
 * bad options as a `UsageError`. Within one report no two findings share an Id.
 */
export function convert(options: ConvertOptions): Conversion {
  const stats: ConvertStats = { findings: 0, repeatedIds: 0 };
  return {
    stats,
    [Symbol.asyncIterator]: () => run(options, stats)[Symbol.asyncIterator](),
  };
}

/** Throws a UsageError unless the scan context can produce importable findings. */
export function checkScanContext(context: ScanContext): void {
  if (!/^\d{12}$/.test(context.account ?? '')) throw new UsageError(`--account must be 12 digits, got '${context.account ?? ''}'`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(context.region ?? '')) {
    throw new UsageError(`--region must be a Region name like eu-west-1, got '${context.region ?? ''}'`);
  }
  if (context.partition !== undefined && !PARTITIONS.includes(context.partition)) {
    throw new UsageError(`--partition must be one of ${PARTITIONS.join(', ')}, got '${context.partition}'`);
  }
}

async function* run(options: ConvertOptions, stats: ConvertStats): AsyncGenerator<AwsSecurityFinding> {
  const parsers = options.parsers ?? PARSERS;
  const fileName = options.fileName ?? (typeof options.input === 'string' ? options.input : '-');
  checkScanContext(options.context);
  let parser: Parser | undefined;
  if (options.tool !== 'auto') {
    parser = findParser(options.tool, parsers);
    if (parser === undefined) throw new UsageError(`unknown tool '${options.tool}'; known tools: ${toolIds(parsers).join(', ')} or auto`);
  }
  const scan: ScanContext = { ...options.context, now: options.context.now ?? new Date() };
  const seen = new SeenIds();
  const occurrences = new Map<string, number>();
  try {
    let source: ReportSource = typeof options.input === 'string' ? fileSource(options.input) : bufferChunks(options.input as AsyncIterable<Buffer>);
    if (parser === undefined) {
      const peeked = await peekSource(source, DETECT_HEAD_BYTES);
      if (peeked.head.length === 0) throw new MalformedInputError('the report is empty', 'unrecognised');
      parser = detectParser({ text: peeked.head.toString('utf8'), fileName, complete: peeked.complete }, parsers);
      source = peeked.source;
    }
    stats.tool = parser.id;
    for await (const draft of parser.parse(source, { fileName, scan })) {
      let finding = buildFinding(draft, parser, scan);
      const id = finding.Id!;
      if (!seen.add(id)) {
        const occurrence = (occurrences.get(id) ?? 1) + 1;
        occurrences.set(id, occurrence);
        stats.repeatedIds++;
        finding = { ...finding, Id: disambiguatedId(id, occurrence) };
      }
      stats.findings++;
      yield finding;
    }
  } catch (error) {
    throw toReportError(error, fileName);
  }
}

/** Any failure of a conversion as the one-line error that names the file. */
export function toReportError(error: unknown, fileName: string): Error {
  if (error instanceof ReportError || error instanceof UsageError) return error;
  if (error instanceof MalformedInputError) return new ReportError(fileName, error.message, error.kind, { cause: error });
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new ReportError(fileName, 'no such file', 'unreadable', { cause: error });
  if (code === 'EISDIR') return new ReportError(fileName, 'is a directory, not a report', 'unreadable', { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new ReportError(fileName, 'permission denied', 'unreadable', { cause: error });
  if (code !== undefined) return new ReportError(fileName, `cannot read the report (${code})`, 'unreadable', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new ReportError(fileName, `cannot convert the report: ${message}`, 'malformed', { cause: error });
}
