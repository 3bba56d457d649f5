import { once } from 'node:events';

/** Writes a chunk and waits for the stream to drain when its buffer is full, so large outputs never pile up in memory. */
export async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream as unknown as NodeJS.EventEmitter, 'drain');
}

/** How much text a `BufferedWriter` gathers before it writes: larger batches save no more time but raise the peak RSS. */
const FLUSH_CHARS = 64 * 1024;

/**
 * Gathers many small texts into one large write: handing a stream one write
 * per finding costs more (a Buffer, a queue entry and a promise each) than
 * serialising the finding, and the file stream then writes them one by one.
 */
export class BufferedWriter {
  private parts: string[] = [];
  private chars = 0;

  constructor(private readonly stream: NodeJS.WritableStream, private readonly flushChars = FLUSH_CHARS) {}

  /** Adds text; writes (and waits for the stream to drain) once enough has gathered. */
  async add(text: string): Promise<void> {
    this.parts.push(text);
    this.chars += text.length;
    if (this.chars >= this.flushChars) await this.flush();
  }

  /** Writes whatever has gathered. */
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0] : this.parts.join('');
    this.parts = [];
    this.chars = 0;
    await write(this.stream, text);
  }
}
