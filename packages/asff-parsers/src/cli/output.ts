import { once } from 'node:events';

/** Writes a chunk and waits for the stream to drain when its buffer is full, so large outputs never pile up in memory. */
export async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream as unknown as NodeJS.EventEmitter, 'drain');
}
