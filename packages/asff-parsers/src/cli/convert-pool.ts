import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BatchElement, FromWorker, Findings, ToWorker, WorkerError, WorkerSetup } from './convert-worker';
import { disambiguatedId } from '../asff/finding-id';
import type { ScanContext } from '../asff/scan-context';
import { SeenIds } from '../asff/seen-ids';
import { checkScanContext, convert, toReportError } from '../convert';
import { MalformedInputError } from '../errors';
import { toOcsf } from '../ocsf';
import { detectParser } from '../parsers/detect';
import { findParser, PARSERS } from '../parsers/registry';
import { JsonElementScanner, type JsonSelection, type RawJsonElement } from '../streams/json-elements';
import { DETECT_HEAD_BYTES, fileSource, peekSource, type ReportSource } from '../streams/report-source';

/** The output formats of `asff convert`. */
export type OutputFormat = 'asff' | 'ndjson' | 'ocsf';

/** What `serializedFindings` converts. */
export interface SerializeOptions {
  readonly tool: string;
  readonly input: string | NodeJS.ReadableStream | AsyncIterable<Buffer | string | Uint8Array>;
  readonly fileName: string;
  readonly context: ScanContext;
  readonly format: OutputFormat;
  /**
   * Worker threads to convert with: 0 converts in this thread; undefined
   * decides by the report (see `autoWorkers`). Workers only ever change speed.
   */
  readonly workers?: number;
  /** Batches handed to workers and not yet back, at most (default 4 per worker). */
  readonly maxInFlight?: number;
  /** Input bytes per batch (default 64 KiB; an element larger than that is a batch of its own). */
  readonly batchBytes?: number;
}

/** What a conversion with workers did (for tests). */
export interface PoolStats {
  /** Workers that converted the report (0: it was converted in-thread). */
  workers: number;
  /** Batches of elements handed to workers. */
  batches: number;
  /** The most batches in flight at once. */
  maxInFlight: number;
}

/**
 * The tools whose parser maps each report element on its own (no state
 * carried from one element to the next): their elements can be spread over
 * several workers. Their fixtures are converted both ways by the tests.
 */
export const ELEMENT_WISE_TOOLS: ReadonlySet<string> = new Set(['grype', 'sarif', 'snyk-code', 'zap']);

/**
 * Below this size a report converts in-thread: starting a worker (loading the
 * converter again, about 0.3 s of CPU each, and warming a second JIT) costs
 * a good part of what it could save.
 */
export const WORKER_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Workers for a report of `bytes` on this machine. Two workers and the main
 * thread's scanning cost about 35% more CPU than converting in-thread, and
 * each worker's heap adds 50-60 MB of RSS: on two cores that buys little (and
 * nothing when the cores are busy with other builds), so workers start only
 * where four or more cores can run them beside the main thread.
 */
export function autoWorkers(bytes: number, cores = availableParallelism()): number {
  return bytes >= WORKER_MIN_BYTES && cores >= 4 ? 2 : 0;
}

let workerScript: string | undefined;

/** The script conversion workers start on; the single-file CLI bundle names itself. */
export function setWorkerScript(file: string): void {
  workerScript = file;
}

function startWorker(setup: WorkerSetup): Worker {
  const script = workerScript ?? join(__dirname, 'convert-worker-entry.js');
  if (existsSync(script) || workerScript !== undefined) return new Worker(script, { workerData: setup });
  // Running from the TypeScript sources (the tests): the worker compiles them as it loads them.
  const source = join(__dirname, 'convert-worker-entry.ts');
  return new Worker(`require('ts-node/register/transpile-only'); require(${JSON.stringify(source)});`, { eval: true, workerData: setup });
}

/**
 * The findings of one report, each serialised as `asff convert` writes it
 * (an ASFF finding, or an OCSF event for `ocsf`), in report order, with the
 * Ids disambiguated as `convert` does. Large JSON reports of the element-wise
 * tools are converted by worker threads while this thread reads and scans;
 * the text is the same either way.
 */
export function serializedFindings(options: SerializeOptions, stats: PoolStats = { workers: 0, batches: 0, maxInFlight: 0 }): AsyncIterable<string> {
  const workers = options.workers ?? (typeof options.input === 'string' ? autoWorkers(sizeOf(options.input)) : 0);
  if (workers <= 0 || typeof options.input !== 'string') return inThread(options);
  return pooled(options, options.input, workers, stats);
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    // The in-thread conversion reports why the file cannot be read.
    return 0;
  }
}

async function* inThread(options: SerializeOptions): AsyncGenerator<string> {
  const ocsf = options.format === 'ocsf';
  for await (const finding of convert({ tool: options.tool, input: options.input, fileName: options.fileName, context: options.context })) {
    yield JSON.stringify(ocsf ? toOcsf(finding) : finding);
  }
}

/** A worker and what it said before the report started flowing. */
interface Started {
  readonly worker: Worker;
  readonly first: Promise<FromWorker | Error>;
}

async function* pooled(options: SerializeOptions, file: string, count: number, stats: PoolStats): AsyncGenerator<string> {
  const { fileName, context } = options;
  const fallback = (source: ReportSource | string): AsyncGenerator<string> => inThread({ ...options, input: source });
  // Anything wrong before the report flows (options, an unreadable file, an unknown report) is reported by the
  // in-thread conversion, with exactly its messages.
  let parserId: string | undefined;
  let peeked;
  try {
    checkScanContext(context);
    peeked = await peekSource(fileSource(file), DETECT_HEAD_BYTES);
    const parser = options.tool === 'auto'
      ? detectParser({ text: peeked.head.toString('utf8'), fileName, complete: peeked.complete }, PARSERS)
      : findParser(options.tool);
    parserId = parser?.id;
  } catch {
    parserId = undefined;
  }
  if (peeked === undefined) {
    yield* fallback(file);
    return;
  }
  if (parserId === undefined || !ELEMENT_WISE_TOOLS.has(parserId)) {
    yield* fallback(peeked.source);
    return;
  }
  const setup: WorkerSetup = {
    asffConvertWorker: true,
    tool: parserId,
    fileName,
    scan: { ...context, now: (context.now ?? new Date()).getTime() },
    format: options.format === 'ocsf' ? 'ocsf' : 'asff',
    head: new Uint8Array(peeked.head),
    complete: peeked.complete,
    sentinel: `asff-id-${randomBytes(16).toString('hex')}`,
  };
  const started: Started[] = [];
  try {
    for (let i = 0; i < count; i++) started.push(handshake(setup));
  } catch {
    // worker_threads unavailable (a restricted runtime): convert in-thread.
  }
  const answers = await Promise.all(started.map((s) => s.first));
  const selection = agreedSelection(answers, count);
  if (selection === undefined) {
    await Promise.all(started.map((s) => s.worker.terminate()));
    yield* fallback(peeked.source);
    return;
  }
  stats.workers = count;
  try {
    yield* convertWith(started.map((s) => s.worker), selection, peeked.source, options, stats);
  } finally {
    await Promise.all(started.map((s) => s.worker.terminate()));
  }
}

/** Starts a worker and waits for its first word: the selection its parser reads, a fallback, or a failure. */
function handshake(setup: WorkerSetup): Started {
  const worker = startWorker(setup);
  const first = new Promise<FromWorker | Error>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', resolve);
    worker.once('exit', (code) => resolve(new Error(`the conversion worker stopped (exit code ${code})`)));
  });
  return { worker, first };
}

/** The selection every worker's parser asked for; undefined when any worker cannot convert this way. */
function agreedSelection(answers: readonly (FromWorker | Error)[], count: number): JsonSelection | undefined {
  if (answers.length !== count || answers.length === 0) return undefined;
  const selections = answers.map((a) => (a instanceof Error || a.type !== 'selection' ? undefined : a.selection));
  const first = selections[0];
  if (first === undefined || selections.some((s) => s === undefined || JSON.stringify(s) !== JSON.stringify(first))) return undefined;
  return first;
}

function fromWorkerError(error: WorkerError): Error {
  if (error.name === 'MalformedInputError') return new MalformedInputError(error.message, error.kind);
  const copy = new Error(error.message) as NodeJS.ErrnoException;
  if (error.code !== undefined) copy.code = error.code;
  return copy;
}

/** The text with the Id at each position replaced by another Id (both JSON-escaped). */
function withId(text: string, at: readonly number[], id: string, replacement: string): string {
  let result = '';
  let from = 0;
  for (const position of at) {
    result += text.slice(from, position) + replacement;
    from = position + id.length;
  }
  return result + text.slice(from);
}

/** Input bytes per batch: small batches keep each worker's live data (and so its heap) small. */
const BATCH_BYTES = 64 * 1024;

async function* convertWith(
  workers: readonly Worker[],
  selection: JsonSelection,
  source: ReportSource,
  options: SerializeOptions,
  stats: PoolStats,
): AsyncGenerator<string> {
  const maxInFlight = Math.max(1, options.maxInFlight ?? 4 * workers.length);
  const batchBytes = options.batchBytes ?? BATCH_BYTES;
  const results = new Map<number, Findings>();
  const dones: (Findings | undefined)[] = workers.map(() => undefined);
  let crash: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const next = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  let ending = false;
  let returned = 0;
  workers.forEach((worker, w) => {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'result') {
        results.set(message.seq, message);
        returned++;
      } else if (message.type === 'done') {
        dones[w] = message;
      }
      notify();
    });
    worker.on('error', (error) => {
      crash ??= error;
      notify();
    });
    worker.on('exit', (code) => {
      if (!ending) crash ??= new Error(`the conversion worker stopped (exit code ${code})`);
      notify();
    });
  });

  const fail = (error: unknown): Error => toReportError(error, options.fileName);
  const seen = new SeenIds();
  const occurrences = new Map<string, number>();
  const escaped = (text: string): string => JSON.stringify(text).slice(1, -1);
  function* emit(findings: Findings): Generator<string> {
    for (let i = 0; i < findings.texts.length; i++) {
      const id = findings.ids[i];
      if (seen.add(id)) {
        yield findings.texts[i];
        continue;
      }
      const occurrence = (occurrences.get(id) ?? 1) + 1;
      occurrences.set(id, occurrence);
      yield withId(findings.texts[i], findings.idAt[i], escaped(id), escaped(disambiguatedId(id, occurrence)));
    }
    if (findings.error !== undefined) throw fail(fromWorkerError(findings.error));
  }

  // The batches of each chunk read, as seq ranges: a chunk's findings are written once all its batches are back,
  // because an element that is not JSON stops the conversion before any finding of its chunk, as in-thread.
  const chunkEnds: number[] = [];
  let sent = 0;
  let nextSeq = 0;
  let nextChunk = 0;
  function* ready(): Generator<string> {
    while (nextChunk < chunkEnds.length) {
      const end = chunkEnds[nextChunk];
      for (let seq = nextSeq; seq < end; seq++) if (!results.has(seq)) return yield* crashed();
      const batches: Findings[] = [];
      for (let seq = nextSeq; seq < end; seq++) {
        batches.push(results.get(seq)!);
        results.delete(seq);
      }
      nextSeq = end;
      nextChunk++;
      const syntax = batches.find((b) => b.syntax === true);
      if (syntax?.error !== undefined) throw fail(fromWorkerError(syntax.error));
      for (const batch of batches) yield* emit(batch);
    }
    yield* crashed();
  }
  function* crashed(): Generator<string> {
    if (crash !== undefined) throw fail(crash);
  }

  const versions = new WeakMap<object, number>();
  const known: number[] = workers.map(() => 0);
  let version = 0;
  const send = (found: readonly RawJsonElement[], from: number, to: number): void => {
    const w = sent % workers.length;
    const elements: BatchElement[] = [];
    const captured: [number, Readonly<Record<string, unknown>>][] = [];
    let bytes = 0;
    for (let i = from; i < to; i++) bytes += found[i].bytes.length;
    // A buffer of its own, so that it can be moved to the worker instead of copied.
    const batch = Buffer.from(new ArrayBuffer(bytes));
    let offset = 0;
    for (let i = from; i < to; i++) {
      const element = found[i];
      let v = versions.get(element.captured);
      if (v === undefined) {
        v = ++version;
        versions.set(element.captured, v);
      }
      if (v > known[w]) {
        captured.push([v, element.captured]);
        known[w] = v;
      }
      element.bytes.copy(batch, offset);
      const end = offset + element.bytes.length;
      elements.push({ selector: element.selector, path: element.path, start: offset, end, valueStart: element.valueStart, captured: v });
      offset = end;
    }
    const message: ToWorker = { type: 'batch', seq: sent, bytes: batch.buffer, elements, captured };
    workers[w].postMessage(message, [batch.buffer]);
    sent++;
    stats.batches++;
    stats.maxInFlight = Math.max(stats.maxInFlight, sent - returned);
  };

  const scanner = new JsonElementScanner(selection, { raw: true });
  const chunks = source[Symbol.asyncIterator]();
  try {
    yield* scanAndCollect();
  } finally {
    ending = true;
    // Stopped early (a failure, or the reader of the output went away): close the file.
    await chunks.return?.();
  }

  async function* scanAndCollect(): AsyncGenerator<string> {
    // The scanner's own failures (broken structure, a value too large, a truncated report) and read errors stop
    // the conversion after the findings of the chunks before, as in-thread.
    let failure: { error: unknown } | undefined;
    while (true) {
      let found: RawJsonElement[];
      try {
        const chunk = await chunks.next();
        if (chunk.done) {
          scanner.end();
          break;
        }
        found = scanner.pushRaw(chunk.value);
      } catch (error) {
        failure = { error };
        break;
      }
      for (let from = 0; from < found.length;) {
        let to = from + 1;
        let bytes = found[from].bytes.length;
        for (; to < found.length && bytes + found[to].bytes.length <= batchBytes; to++) bytes += found[to].bytes.length;
        // Back-pressure: reading and scanning wait while enough batches are in flight, so memory stays bounded.
        while (sent - returned >= maxInFlight) {
          yield* ready();
          if (sent - returned >= maxInFlight) await next();
        }
        send(found, from, to);
        from = to;
      }
      if (found.length > 0) chunkEnds.push(sent);
      yield* ready();
    }
    for (const worker of workers) worker.postMessage({ type: 'end' } satisfies ToWorker);
    while (nextChunk < chunkEnds.length) {
      yield* ready();
      if (nextChunk < chunkEnds.length) await next();
    }
    if (failure !== undefined) throw fail(failure.error);
    while (dones.some((d) => d === undefined)) {
      yield* crashed();
      await next();
    }
    for (const done of dones) yield* emit(done!);
  }
}
