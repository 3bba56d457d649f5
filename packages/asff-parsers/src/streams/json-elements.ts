import { MalformedInputError } from '../errors';
import { describeJsonSyntaxError } from './json-syntax';
import type { ReportSource } from './report-source';

/**
 * What to pull out of a JSON document while streaming it.
 *
 * Paths are dot-separated object keys and array indexes; `*` matches any key
 * or index: `matches.*`, `runs.*.results.*`, `site.*.alerts.*`, `*` (elements
 * of a top-level array), `advisories.*` (values of an object), `$` (the whole
 * document, for small reports that need to be read as a whole).
 */
export interface JsonSelection {
  /** The values to yield one by one (usually array elements). */
  readonly elements: readonly string[];
  /**
   * Small values to materialise and hand along with every later element,
   * e.g. `source`, `runs.*.tool`, `site.*.@name`. A captured value is
   * forgotten when the container it lives in ends, so `runs.*.tool` of run 0
   * is never attached to results of run 1.
   */
  readonly capture?: readonly string[];
  /**
   * When true (the default) the document must contain the container of at
   * least one `elements` path (e.g. a `matches` key for `matches.*`, even if
   * empty or null); otherwise the reader throws: it is another tool's report.
   */
  readonly requireContainer?: boolean;
  /** Largest single element or captured value, in bytes (default 128 MiB). */
  readonly maxValueBytes?: number;
}

/** One selected value. */
export interface JsonElement {
  /** The `elements` path that selected it. */
  readonly selector: string;
  /** Its concrete path (keys and indexes). */
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  /** The captured values in scope, by `capture` path. */
  readonly captured: Readonly<Record<string, unknown>>;
}

/**
 * Streams a JSON document and yields the selected values. A byte-level
 * scanner finds value boundaries across chunks and hands each selected value's
 * bytes to `JSON.parse`, so the heavy lifting stays in V8's native parser and
 * memory holds one element at a time, whatever the size of the document.
 */
export async function* streamJsonElements(source: ReportSource, selection: JsonSelection): AsyncGenerator<JsonElement> {
  const scanned = (source as Partial<ScannedElementSource>)[SCANNED_ELEMENTS];
  if (scanned !== undefined) {
    yield* scanned.call(source, selection);
    return;
  }
  const scanner = new JsonElementScanner(selection);
  for await (const chunk of source) {
    const found = scanner.push(chunk);
    for (let i = 0; i < found.length; i++) yield found[i];
  }
  scanner.end();
}

/**
 * A source whose selected elements another thread has already found: the
 * conversion's worker threads read reports this way (the main thread scans
 * element boundaries with a raw `JsonElementScanner` and hands over the bytes).
 * `streamJsonElements` asks it for the elements instead of scanning bytes.
 */
export const SCANNED_ELEMENTS = Symbol('asff.scannedElements');

/** See {@link SCANNED_ELEMENTS}. */
export interface ScannedElementSource extends ReportSource {
  [SCANNED_ELEMENTS](selection: JsonSelection): AsyncIterable<JsonElement>;
}

/** One selected element of a raw scanner: its bytes, not yet parsed. */
export interface RawJsonElement {
  readonly selector: string;
  readonly path: readonly (string | number)[];
  readonly bytes: Buffer;
  /** Byte offset of the element in the document, for error messages. */
  readonly valueStart: number;
  readonly captured: Readonly<Record<string, unknown>>;
}

/** Options of a `JsonElementScanner`. */
export interface JsonScannerOptions {
  /**
   * Hand over selected elements as bytes (`RawJsonElement`) instead of
   * parsing them; `parseJsonElement` parses them later, with the same errors.
   * Captured values are parsed either way.
   */
  readonly raw?: boolean;
}

/**
 * Parses the bytes of a selected element as `JsonElementScanner` does, with
 * the same message when they are not JSON.
 */
export function parseJsonElement(text: string, valueStart: number, selectorText: string, path: readonly (string | number)[]): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Never V8's message: it quotes the report around the error.
    const segments = selectorText === '$' ? [] : selectorText.split('.');
    throw new MalformedInputError(`${describeJsonSyntaxError(text, valueStart)} (in ${safePath({ segments }, path) || 'the document'})`);
  }
}

const enum State {
  Value,
  AfterValue,
  ObjectStart,
  ExpectKey,
  Key,
  Colon,
  ArrayStart,
  Consume,
  Done,
}

const enum Kind {
  Skip,
  Element,
  Capture,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MAX_KEY_BYTES = 64 * 1024;
const DEFAULT_MAX_VALUE_BYTES = 128 * 1024 * 1024;

interface Selector {
  readonly text: string;
  readonly segments: readonly string[];
  readonly kind: Kind;
}

interface Frame {
  readonly isArray: boolean;
  key: string;
  index: number;
  readonly candidates: readonly Selector[];
  /** The concrete path of this container. */
  readonly path: readonly (string | number)[];
}

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Names an unexpected byte without quoting the report: JSON punctuation is
 * shown, anything else only by its class (a report's text may be a credential).
 */
function describeByte(b: number): string {
  if ('{}[],:"'.includes(String.fromCharCode(b))) return `'${String.fromCharCode(b)}'`;
  if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) return 'a letter';
  if (b >= 0x30 && b <= 0x39) return 'a digit';
  if (b >= 0x80) return 'a non-ASCII character';
  if (b < 0x20 || b === 0x7f) return 'a control character';
  return 'a punctuation character';
}

/**
 * A value's path for messages: indexes as they are, keys only where the
 * selector names them. A key matched by `*` is report text (it may even be a
 * credential), so it shows as `*`.
 */
function safePath(selector: Pick<Selector, 'segments'> | undefined, path: readonly (string | number)[]): string {
  return path.map((step, k) => (typeof step === 'number' || selector?.segments[k] !== '*' ? String(step) : '*')).join('.');
}

/**
 * The push-style core of `streamJsonElements`: feed chunks, get the values
 * completed within them. Exposed for callers that drive their own loop.
 */
export class JsonElementScanner {
  private readonly selectors: readonly Selector[];
  private readonly maxValueBytes: number;
  private readonly requireContainer: boolean;
  private readonly frames: Frame[] = [];
  private state = State.Value;
  private offset = 0;
  private started = false;
  private containerSeen = false;
  private captured: Record<string, unknown> = {};
  private capturedDepth = new Map<string, number>();

  // The value being consumed (skipped or collected).
  private kind = Kind.Skip;
  private selector: Selector | undefined;
  private valuePath: (string | number)[] = [];
  /** Byte offset in the document where the current value starts. */
  private valueStart = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private parts: Buffer[] = [];
  private partsBytes = 0;

  // The object key being read.
  private keyParts: Buffer[] = [];
  private keyBytes = 0;
  private keyEscaped = false;
  private keyHasEscape = false;

  private out: JsonElement[] = [];
  private rawOut: RawJsonElement[] = [];
  private readonly raw: boolean;

  constructor(selection: JsonSelection, options: JsonScannerOptions = {}) {
    this.raw = options.raw === true;
    const parse = (text: string, kind: Kind): Selector => {
      if (text === '$') return { text, segments: [], kind };
      const segments = text.split('.');
      if (text.length === 0 || segments.some((s) => s.length === 0)) throw new Error(`invalid JSON selector '${text}'`);
      return { text, segments, kind };
    };
    this.selectors = [
      ...selection.elements.map((s) => parse(s, Kind.Element)),
      ...(selection.capture ?? []).map((s) => parse(s, Kind.Capture)),
    ];
    this.maxValueBytes = selection.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    this.requireContainer = selection.requireContainer ?? true;
  }

  /** Feeds one chunk; returns the elements completed within it. */
  push(chunk: Buffer): JsonElement[] {
    this.out = [];
    this.scan(chunk);
    return this.out;
  }

  /**
   * `push` of a raw scanner: the elements completed within the chunk, as
   * bytes (which may share memory with the chunk).
   */
  pushRaw(chunk: Buffer): RawJsonElement[] {
    this.rawOut = [];
    this.scan(chunk);
    return this.rawOut;
  }

  private scan(chunk: Buffer): void {
    let i = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      // A UTF-8 byte order mark is legal noise in front of a document.
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    const n = chunk.length;
    while (i < n) {
      if (this.state === State.Consume) {
        i = this.consume(chunk, i);
        continue;
      }
      if (this.state === State.Key) {
        i = this.readKey(chunk, i);
        continue;
      }
      const b = chunk[i];
      if (isWhitespace(b)) {
        i++;
        continue;
      }
      switch (this.state) {
        case State.Value:
          i = this.startValue(chunk, i, b);
          break;
        case State.AfterValue:
          this.afterValue(b, i);
          i++;
          break;
        case State.ObjectStart:
        case State.ExpectKey:
          if (b === QUOTE) {
            this.state = State.Key;
            this.keyParts = [];
            this.keyBytes = 0;
            this.keyEscaped = false;
            this.keyHasEscape = false;
          } else if (b === RBRACE && this.state === State.ObjectStart) {
            this.popFrame();
          } else {
            this.fail(`expected an object key, found ${describeByte(b)}`, i);
          }
          i++;
          break;
        case State.Colon:
          if (b !== COLON) this.fail(`expected ':', found ${describeByte(b)}`, i);
          this.state = State.Value;
          i++;
          break;
        case State.ArrayStart:
          if (b === RBRACKET) {
            this.popFrame();
            i++;
          } else {
            this.state = State.Value;
          }
          break;
        case State.Done:
          this.fail(`unexpected ${describeByte(b)} after the end of the document`, i);
      }
    }
    this.offset += n;
  }

  /** Signals the end of input; throws when the document is incomplete or lacks the selected containers. */
  end(): void {
    if (!this.started) throw new MalformedInputError('the report is empty');
    if (this.state === State.Consume && this.scalar && this.frames.length === 0) {
      this.finishValue(Buffer.alloc(0), 0, 0);
    }
    if (this.state !== State.Done) throw new MalformedInputError(`the JSON document is truncated (ends at byte ${this.offset})`);
    if (this.requireContainer && !this.containerSeen) {
      const wanted = this.selectors.filter((s) => s.kind === Kind.Element).map((s) => s.text);
      throw new MalformedInputError(`not the expected report: found none of ${wanted.join(', ')}`, 'unrecognised');
    }
  }

  private fail(problem: string, index: number): never {
    throw new MalformedInputError(`invalid JSON at byte ${this.offset + index}: ${problem}`);
  }

  private startValue(chunk: Buffer, i: number, b: number): number {
    const frame = this.frames[this.frames.length - 1];
    const length = this.frames.length;
    let key: string | number | undefined;
    let candidates: readonly Selector[];
    if (frame === undefined) {
      candidates = this.selectors;
    } else {
      key = frame.isArray ? frame.index : frame.key;
      const k = String(key);
      const segmentIndex = length - 1;
      candidates = frame.candidates.filter((s) => s.segments[segmentIndex] === '*' || s.segments[segmentIndex] === k);
    }
    let exact: Selector | undefined;
    let deeper = false;
    for (const s of candidates) {
      if (s.segments.length === length) {
        exact ??= s;
        if (s.kind === Kind.Element) this.containerSeen = true;
      } else {
        deeper = true;
        if (s.kind === Kind.Element && s.segments.length === length + 1) this.containerSeen = true;
      }
    }
    if (!(b === LBRACE || b === LBRACKET || b === QUOTE || b === 0x2d || (b >= 0x30 && b <= 0x39) || b === 0x74 || b === 0x66 || b === 0x6e)) {
      this.fail(`unexpected ${describeByte(b)}`, i);
    }
    if (exact === undefined && deeper && (b === LBRACE || b === LBRACKET)) {
      const path = frame === undefined ? [] : [...frame.path, key!];
      this.frames.push({
        isArray: b === LBRACKET,
        key: '',
        index: 0,
        candidates: candidates.filter((s) => s.segments.length > length),
        path,
      });
      this.state = b === LBRACE ? State.ObjectStart : State.ArrayStart;
      return i + 1;
    }
    this.kind = exact === undefined ? Kind.Skip : exact.kind;
    this.selector = exact;
    if (exact !== undefined) this.valuePath = frame === undefined ? [] : [...frame.path, key!];
    this.valueStart = this.offset + i;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.scalar = !(b === LBRACE || b === LBRACKET || b === QUOTE);
    this.parts = [];
    this.partsBytes = 0;
    this.state = State.Consume;
    if (this.scalar) return this.consume(chunk, i);
    return i;
  }

  /** Finds the end of the current value, collecting its bytes when selected. */
  private consume(buf: Buffer, i: number): number {
    const start = i;
    const n = buf.length;
    if (this.scalar) {
      while (i < n) {
        const b = buf[i];
        if (b === COMMA || b === RBRACE || b === RBRACKET || isWhitespace(b)) {
          this.finishValue(buf, start, i);
          return i;
        }
        i++;
      }
      this.collect(buf, start, n);
      return n;
    }
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    while (i < n) {
      if (inString) {
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        const q = buf.indexOf(QUOTE, i);
        if (q < 0) {
          let k = n - 1;
          while (k >= i && buf[k] === BACKSLASH) k--;
          escaped = (n - 1 - k) % 2 === 1;
          i = n;
          break;
        }
        let k = q - 1;
        while (k >= i && buf[k] === BACKSLASH) k--;
        i = q + 1;
        if ((q - 1 - k) % 2 === 1) continue;
        inString = false;
        if (depth === 0) {
          this.finishValue(buf, start, i);
          return i;
        }
        continue;
      }
      const b = buf[i++];
      if (b === QUOTE) {
        inString = true;
      } else if (b === LBRACE || b === LBRACKET) {
        depth++;
      } else if (b === RBRACE || b === RBRACKET) {
        depth--;
        if (depth === 0) {
          this.finishValue(buf, start, i);
          return i;
        }
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.collect(buf, start, n);
    return n;
  }

  private collect(buf: Buffer, start: number, end: number): void {
    if (this.kind === Kind.Skip || end <= start) return;
    this.partsBytes += end - start;
    if (this.partsBytes > this.maxValueBytes) {
      const what = this.valuePath.length ? `the value at ${safePath(this.selector, this.valuePath)}` : 'the document';
      const limit = this.maxValueBytes >= 1048576 ? `${Math.round(this.maxValueBytes / 1048576)} MiB` : `${this.maxValueBytes} bytes`;
      throw new MalformedInputError(`${what} exceeds ${limit}, more than one finding may hold`, 'too-large');
    }
    this.parts.push(buf.subarray(start, end));
  }

  private finishValue(buf: Buffer, start: number, end: number): void {
    this.state = this.frames.length === 0 ? State.Done : State.AfterValue;
    if (this.kind === Kind.Skip) return;
    let bytes: Buffer;
    if (this.parts.length === 0) {
      if (end - start > this.maxValueBytes) this.collect(buf, start, end);
      bytes = buf.subarray(start, end);
    } else {
      this.collect(buf, start, end);
      bytes = Buffer.concat(this.parts, this.partsBytes);
      this.parts = [];
      this.partsBytes = 0;
    }
    const selector = this.selector!;
    if (this.raw && this.kind === Kind.Element) {
      this.rawOut.push({ selector: selector.text, path: this.valuePath, bytes, valueStart: this.valueStart, captured: this.captured });
      return;
    }
    const text = bytes.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Never V8's message: it quotes the report around the error.
      const where = safePath(this.selector, this.valuePath) || 'the document';
      throw new MalformedInputError(`${describeJsonSyntaxError(text, this.valueStart)} (in ${where})`);
    }
    if (this.kind === Kind.Element) {
      this.out.push({ selector: selector.text, path: this.valuePath, value, captured: this.captured });
    } else {
      // Copy on write: elements already handed out keep the captures they saw.
      this.captured = { ...this.captured, [selector.text]: value };
      this.capturedDepth.set(selector.text, this.valuePath.length);
    }
  }

  private afterValue(b: number, i: number): void {
    const frame = this.frames[this.frames.length - 1];
    if (b === COMMA) {
      if (frame.isArray) {
        frame.index++;
        this.state = State.Value;
      } else {
        this.state = State.ExpectKey;
      }
    } else if ((b === RBRACE && !frame.isArray) || (b === RBRACKET && frame.isArray)) {
      this.popFrame();
    } else {
      this.fail(`expected ',' or '${frame.isArray ? ']' : '}'}', found ${describeByte(b)}`, i);
    }
  }

  private popFrame(): void {
    const frame = this.frames.pop()!;
    const depth = frame.path.length;
    let forget: string[] | undefined;
    for (const [text, capturedAt] of this.capturedDepth) {
      if (capturedAt > depth) (forget ??= []).push(text);
    }
    if (forget !== undefined) {
      const next = { ...this.captured };
      for (const text of forget) {
        delete next[text];
        this.capturedDepth.delete(text);
      }
      this.captured = next;
    }
    this.state = this.frames.length === 0 ? State.Done : State.AfterValue;
  }

  private readKey(buf: Buffer, i: number): number {
    const start = i;
    const n = buf.length;
    let escaped = this.keyEscaped;
    while (i < n) {
      const b = buf[i];
      if (escaped) {
        escaped = false;
      } else if (b === BACKSLASH) {
        escaped = true;
        this.keyHasEscape = true;
      } else if (b === QUOTE) {
        this.appendKey(buf, start, i);
        const raw = Buffer.concat(this.keyParts, this.keyBytes).toString('utf8');
        let key = raw;
        if (this.keyHasEscape) {
          try {
            key = JSON.parse(`"${raw}"`) as string;
          } catch {
            this.fail('invalid escape in an object key', i);
          }
        }
        this.frames[this.frames.length - 1].key = key;
        this.state = State.Colon;
        return i + 1;
      }
      i++;
    }
    this.keyEscaped = escaped;
    this.appendKey(buf, start, n);
    return n;
  }

  private appendKey(buf: Buffer, start: number, end: number): void {
    this.keyBytes += end - start;
    if (this.keyBytes > MAX_KEY_BYTES) this.fail('an object key is longer than 64 KiB', 0);
    this.keyParts.push(buf.subarray(start, end));
  }
}
