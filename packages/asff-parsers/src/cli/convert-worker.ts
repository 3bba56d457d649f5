import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { buildFinding, SCHEMA_VERSION } from '../asff/builder';
import type { ScanContext } from '../asff/scan-context';
import { MalformedInputError, type ReportErrorKind } from '../errors';
import { toOcsf } from '../ocsf';
import { findParser } from '../parsers/registry';
import { parseJsonElement, SCANNED_ELEMENTS, type JsonElement, type JsonSelection, type ScannedElementSource } from '../streams/json-elements';
import { PEEK, type PeekableSource, type PeekedSource } from '../streams/report-source';

/**
 * The conversion worker thread: the main thread scans the report's element
 * boundaries and sends the selected elements' bytes here in batches (one per
 * chunk read); this thread parses them, runs the tool's parser, builds each
 * finding and serialises it. The main thread puts the results back in report
 * order and keeps the Ids already used, so the output is the in-thread one.
 */

/** What the main thread starts a worker with (`workerData`). */
export interface WorkerSetup {
  /** Marks the data of a conversion worker (the CLI bundle starts itself as one). */
  readonly asffConvertWorker: true;
  readonly tool: string;
  readonly fileName: string;
  /** The scan context, `now` as epoch milliseconds: every thread stamps the same CreatedAt. */
  readonly scan: Omit<ScanContext, 'now'> & { readonly now: number };
  readonly format: 'asff' | 'ocsf';
  /** The report's first bytes, for a parser that peeks (ZAP tells JSON from XML). */
  readonly head: Uint8Array;
  /** The head is the whole report. */
  readonly complete: boolean;
  /** Written in place of every finding's Id while serialising, to find where the Id is in the text. */
  readonly sentinel: string;
}

/** One element of a batch: where its bytes are in the batch buffer, and what the scanner knew about it. */
export interface BatchElement {
  readonly selector: string;
  readonly path: readonly (string | number)[];
  readonly start: number;
  readonly end: number;
  readonly valueStart: number;
  /** The version of the captured values in scope (sent once per version in `captured`). */
  readonly captured: number;
}

/** Messages from the main thread. */
export type ToWorker =
  | {
    readonly type: 'batch';
    /** Batches are numbered in report order, across all workers. */
    readonly seq: number;
    readonly bytes: ArrayBuffer;
    readonly elements: readonly BatchElement[];
    readonly captured: readonly (readonly [number, Readonly<Record<string, unknown>>])[];
  }
  | { readonly type: 'end' };

/** A failure, as it crosses the thread boundary. */
export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly kind?: ReportErrorKind;
  readonly code?: string;
}

/** Serialised findings: texts with their Ids, and where each Id (JSON-escaped) sits in its text. */
export interface Findings {
  texts: string[];
  ids: string[];
  idAt: number[][];
  /** The failure after these findings, if any: the conversion stops there. */
  error?: WorkerError;
  /**
   * The failure is an element that is not JSON. The in-thread scanner parses
   * a whole chunk's elements before the parser sees any, so such a failure
   * stops the conversion before any finding of its chunk (the batch then
   * carries none).
   */
  syntax?: boolean;
}

/** Messages to the main thread. */
export type FromWorker =
  | { readonly type: 'selection'; readonly selection: JsonSelection }
  /** The parser reads the bytes itself (not JSON elements): the main thread converts in-thread instead. */
  | { readonly type: 'fallback' }
  | ({ readonly type: 'result'; readonly seq: number } & Findings)
  /** After the end: findings yielded once the elements ran out, or the failure. */
  | ({ readonly type: 'done' } & Findings);

/** Thrown when the parser reads raw bytes: this thread has only scanned elements. */
class RawReadRequested extends Error {}

/** An element of a batch is not JSON. */
class ElementSyntaxError extends Error {
  constructor(readonly error: unknown) {
    super('an element is not JSON');
  }
}

function emptyFindings(): Findings {
  return { texts: [], ids: [], idAt: [] };
}

function toWorkerError(error: unknown): WorkerError {
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      kind: error instanceof MalformedInputError ? error.kind : undefined,
      code: (error as NodeJS.ErrnoException).code,
    };
  }
  return { name: 'Error', message: String(error) };
}

/** The elements of one worker's batches, as `streamJsonElements` yields them, with the findings of each batch. */
class ElementFeed implements ScannedElementSource, PeekableSource {
  /** The findings of the batch whose elements the parser is working on. */
  current: Findings = emptyFindings();
  private batch: Extract<ToWorker, { type: 'batch' }> | undefined;
  private bytes: Buffer | undefined;
  private index = 0;
  private readonly queue: ToWorker[] = [];
  private waiting: ((message: ToWorker) => void) | undefined;
  private readonly captured = new Map<number, Readonly<Record<string, unknown>>>();
  private asked = false;

  /** Whether the parser has asked for elements (a raw read after that is a failure, not a reason to fall back). */
  get started(): boolean {
    return this.asked;
  }

  constructor(private readonly port: MessagePort, private readonly head: Buffer, private readonly complete: boolean) {
    port.on('message', (message: ToWorker) => {
      const resolve = this.waiting;
      this.waiting = undefined;
      if (resolve !== undefined) resolve(message);
      else this.queue.push(message);
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    throw new RawReadRequested('the parser reads bytes');
  }

  async [PEEK](bytes: number): Promise<PeekedSource> {
    if (bytes > this.head.length && !this.complete) throw new RawReadRequested('the parser peeks further than the head');
    return { head: this.head.subarray(0, bytes), complete: this.complete && bytes >= this.head.length, source: this };
  }

  async *[SCANNED_ELEMENTS](selection: JsonSelection): AsyncGenerator<JsonElement> {
    if (this.asked) throw new RawReadRequested('the parser reads the report twice');
    this.asked = true;
    this.post({ type: 'selection', selection });
    while (true) {
      const message = await this.next();
      this.finishBatch();
      if (message.type === 'end') return;
      this.batch = message;
      this.bytes = Buffer.from(message.bytes);
      for (const [version, value] of message.captured) this.captured.set(version, value);
      // One element at a time: parsing a whole batch first would keep all of it alive (and promoted to the old
      // generation) while the parser works through it.
      for (this.index = 0; this.index < message.elements.length; this.index++) {
        const element = message.elements[this.index];
        let value: unknown;
        try {
          value = this.parse(element);
        } catch (error) {
          throw new ElementSyntaxError(error);
        }
        yield { selector: element.selector, path: element.path, value, captured: this.captured.get(element.captured) ?? {} };
      }
    }
  }

  private parse(element: BatchElement): unknown {
    return parseJsonElement(this.bytes!.toString('utf8', element.start, element.end), element.valueStart, element.selector, element.path);
  }

  private async next(): Promise<ToWorker> {
    return this.queue.shift() ?? new Promise<ToWorker>((resolve) => (this.waiting = resolve));
  }

  /** Sends the findings of the batch just finished (the parser asked for the next element, or the elements ended). */
  private finishBatch(): void {
    if (this.batch === undefined) return;
    this.post({ type: 'result', seq: this.batch.seq, ...this.current });
    this.batch = undefined;
    this.bytes = undefined;
    this.current = emptyFindings();
  }

  /** The first element of the current batch, from `from` on, that is not JSON. */
  private syntaxErrorFrom(from: number): unknown {
    const elements = this.batch?.elements ?? [];
    for (let i = from; i < elements.length; i++) {
      try {
        this.parse(elements[i]);
      } catch (error) {
        return error;
      }
    }
    return undefined;
  }

  /**
   * Sends the failure with the findings before it (of the current batch, or
   * after the end), then answers every later batch with no findings, only
   * telling whether it holds an element that is not JSON: that failure comes
   * first when it is in the same chunk.
   */
  async fail(error: unknown): Promise<void> {
    if (error instanceof RawReadRequested && this.batch === undefined && !this.started) {
      this.post({ type: 'fallback' });
      return;
    }
    const syntax = error instanceof ElementSyntaxError ? error.error : this.syntaxErrorFrom(this.index + 1);
    if (syntax !== undefined) this.current = { ...emptyFindings(), error: toWorkerError(syntax), syntax: true };
    else this.current.error = toWorkerError(error);
    if (this.batch === undefined) {
      this.post({ type: 'done', ...this.current });
      return;
    }
    this.finishBatch();
    while (true) {
      const message = await this.next();
      if (message.type === 'end') {
        this.post({ type: 'done', ...emptyFindings() });
        return;
      }
      this.batch = message;
      this.bytes = Buffer.from(message.bytes);
      const later = this.syntaxErrorFrom(0);
      if (later !== undefined) this.current = { ...emptyFindings(), error: toWorkerError(later), syntax: true };
      this.finishBatch();
    }
  }

  done(): void {
    this.post({ type: 'done', ...this.current });
  }

  private post(message: FromWorker): void {
    this.port.postMessage(message);
  }
}

/** How every ASFF finding the builder makes starts, up to its Id. */
const ASFF_HEAD = `{"SchemaVersion":${JSON.stringify(SCHEMA_VERSION)},"Id":"`;
const ASFF_ID_AT = ASFF_HEAD.length;

/** Runs a conversion worker on `port` (the worker's parentPort) until the main thread ends the report. */
export async function runConvertWorker(port: MessagePort, setup: WorkerSetup): Promise<void> {
  const feed = new ElementFeed(port, Buffer.from(setup.head.buffer, setup.head.byteOffset, setup.head.byteLength), setup.complete);
  try {
    const parser = findParser(setup.tool);
    if (parser === undefined) throw new Error(`unknown tool '${setup.tool}'`);
    const scan: ScanContext = { ...setup.scan, now: new Date(setup.scan.now) };
    const escapedSentinel = JSON.stringify(setup.sentinel).slice(1, -1);
    /**
     * The text of a finding and where its Id is: the main thread may still have to suffix the Id (an earlier
     * finding of the report, perhaps in another worker, used it). Serialised with a sentinel in the Id's place,
     * the text tells where the Id goes (an OCSF event holds it twice).
     */
    const withSentinel = (finding: AwsSecurityFinding, id: string): [string, number[]] => {
      finding.Id = setup.sentinel;
      const pieces = JSON.stringify(setup.format === 'ocsf' ? toOcsf(finding) : finding).split(escapedSentinel);
      finding.Id = id;
      const escapedId = JSON.stringify(id).slice(1, -1);
      const at: number[] = [];
      let position = 0;
      for (let i = 0; i < pieces.length - 1; i++) {
        position += pieces[i].length;
        at.push(position);
        position += escapedId.length;
      }
      return [pieces.join(escapedId), at];
    };
    for await (const draft of parser.parse(feed, { fileName: setup.fileName, scan })) {
      const finding = buildFinding(draft, parser, scan);
      const id = finding.Id!;
      const escapedId = JSON.stringify(id).slice(1, -1);
      let text: string;
      let at: number[];
      if (setup.format === 'asff') {
        // The builder writes SchemaVersion first and Id second: the Id's place in the text is known.
        text = JSON.stringify(finding);
        at = [ASFF_ID_AT];
        if (!text.startsWith(escapedId, ASFF_ID_AT) || !text.startsWith(ASFF_HEAD)) [text, at] = withSentinel(finding, id);
      } else {
        [text, at] = withSentinel(finding, id);
      }
      feed.current.texts.push(text);
      feed.current.ids.push(id);
      feed.current.idAt.push(at);
    }
    feed.done();
  } catch (error) {
    await feed.fail(error);
  }
}

/**
 * Starts the worker loop when this thread is a conversion worker; returns
 * false on the main thread. The compiled package starts workers on
 * `convert-worker-entry.js`, the single-file CLI bundle on itself.
 */
export function startConvertWorkerIfAsked(): boolean {
  const setup = workerData as Partial<WorkerSetup> | undefined;
  if (isMainThread || parentPort === null || setup?.asffConvertWorker !== true) return false;
  void runConvertWorker(parentPort, setup as WorkerSetup);
  return true;
}
