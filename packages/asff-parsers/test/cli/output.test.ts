import { Writable } from 'node:stream';
import { BufferedWriter } from '../../src/cli/output';

/** A stream that records each write and, like a slow pipe, reports a full buffer after every one. */
function recorder(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString('utf8'));
      setImmediate(callback);
    },
  });
  return { stream, writes };
}

describe('BufferedWriter', () => {
  test('gathers small texts into writes of at least the flush size, in order, and flush writes the rest', async () => {
    const { stream, writes } = recorder();
    const out = new BufferedWriter(stream, 10);
    for (const text of ['abc', 'def', 'ghij', 'k', 'lmnopqrstu', 'v']) await out.add(text);
    expect(writes).toEqual(['abcdefghij', 'klmnopqrstu']);
    await out.flush();
    expect(writes).toEqual(['abcdefghij', 'klmnopqrstu', 'v']);
    await out.flush();
    expect(writes).toHaveLength(3);
  });

  test('waits for the stream to drain before the next texts are gathered', async () => {
    const { stream, writes } = recorder();
    const out = new BufferedWriter(stream, 4);
    const pending = out.add('12345');
    expect(writes).toEqual(['12345']);
    expect(stream.writableNeedDrain).toBe(true);
    await pending;
    expect(stream.writableNeedDrain).toBe(false);
  });
});
