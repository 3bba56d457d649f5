import { streamLines } from '../../src/streams/lines';
import { memorySource } from '../../src/streams/report-source';
import { collect } from '../support/convert-helpers';

describe('streamLines', () => {
  test('splits LF and CRLF lines across chunk boundaries and numbers them', async () => {
    const lines = await collect(streamLines(memorySource('a:1:x\r\nsecond line\n\nlast without newline', 3)));
    expect(lines.map((l) => [l.number, l.text])).toEqual([
      [1, 'a:1:x'],
      [2, 'second line'],
      [3, ''],
      [4, 'last without newline'],
    ]);
  });

  test('cuts lines longer than the maximum and says so', async () => {
    const lines = await collect(streamLines(memorySource(`${'x'.repeat(50)}\nshort\n`, 7), 10));
    expect(lines.map((l) => [l.text, l.truncated])).toEqual([
      ['x'.repeat(10), true],
      ['short', false],
    ]);
  });

  test('decodes multi-byte characters split across chunks', async () => {
    const lines = await collect(streamLines(memorySource(Buffer.from('naïve ✓\n', 'utf8'), 1)));
    expect(lines[0].text).toBe('naïve ✓');
  });
});
