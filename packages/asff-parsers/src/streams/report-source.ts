import { createReadStream } from 'node:fs';

/** A report as a stream of byte chunks. Any Node Readable of Buffers is one. */
export type ReportSource = AsyncIterable<Buffer>;

/** How many bytes detection looks at. */
export const DETECT_HEAD_BYTES = 64 * 1024;

/** Chunk size for file reads: large chunks keep the per-chunk overhead negligible. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Opens a report file as a stream of chunks. */
export function fileSource(path: string): ReportSource {
  return createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
}

/** Accepts streams that yield strings too (e.g. a Readable with an encoding set). */
export async function* bufferChunks(input: AsyncIterable<Buffer | string | Uint8Array>): ReportSource {
  for await (const chunk of input) {
    if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else if (Buffer.isBuffer(chunk)) yield chunk;
    else yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** A report held in memory (tests, small inputs). */
export async function* memorySource(content: string | Buffer, chunkSize = READ_CHUNK_BYTES): ReportSource {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    yield bytes.subarray(offset, Math.min(bytes.length, offset + chunkSize));
  }
}

/** The start of a stream plus a source that replays it from the very first byte. */
export interface PeekedSource {
  readonly head: Buffer;
  /** True when the stream ended within the head. */
  readonly complete: boolean;
  readonly source: ReportSource;
}

/**
 * A source that answers `peekSource` itself and stays the same object: a
 * conversion worker's source, whose elements arrive already scanned (see
 * `SCANNED_ELEMENTS`), keeps that ability behind a parser's peek.
 */
export const PEEK = Symbol('asff.peek');

/** See {@link PEEK}. */
export interface PeekableSource extends ReportSource {
  [PEEK](bytes: number): Promise<PeekedSource>;
}

/**
 * Reads the first `bytes` of a source without losing them: the returned source
 * yields the head chunks again, then the rest of the original stream.
 */
export async function peekSource(input: ReportSource, bytes = DETECT_HEAD_BYTES): Promise<PeekedSource> {
  const own = (input as Partial<PeekableSource>)[PEEK];
  if (own !== undefined) return own.call(input, bytes);
  const iterator = input[Symbol.asyncIterator]();
  const buffered: Buffer[] = [];
  let size = 0;
  let complete = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      complete = true;
      break;
    }
    buffered.push(next.value);
    size += next.value.length;
  }
  const head = Buffer.concat(buffered, size).subarray(0, Math.min(size, bytes));
  async function* replay(): ReportSource {
    yield* buffered;
    if (complete) return;
    while (true) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, complete, source: replay() };
}
