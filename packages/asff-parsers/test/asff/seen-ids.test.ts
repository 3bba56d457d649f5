import fc from 'fast-check';
import { SeenIds } from '../../src/asff/seen-ids';

describe('SeenIds', () => {
  test('reports each Id once, whatever the order and the table growth', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[0-9a-f]{40}$/), { maxLength: 3000 }), (hashes) => {
        const seen = new SeenIds();
        const firstTime = hashes.map((h) => seen.add(`tool/${h}`));
        const expected = hashes.map((h, i) => hashes.indexOf(h) === i);
        expect(firstTime).toEqual(expected);
        expect(seen.size).toBe(new Set(hashes).size);
      }),
      { numRuns: 30 },
    );
  });

  test('tells apart Ids that differ in the first 52 bits of their hash', () => {
    const seen = new SeenIds();
    expect(seen.add('grype/0000000000001aaaa')).toBe(true);
    expect(seen.add('grype/0000000000002aaaa')).toBe(true);
    expect(seen.add('grype/0000000000001bbbb')).toBe(false);
    expect(seen.add('custom-id-without-hash')).toBe(true);
    expect(seen.add('custom-id-without-hash')).toBe(false);
  });

  test('keeps 100 000 Ids in well under 8 MB', () => {
    const seen = new SeenIds();
    for (let i = 0; i < 100_000; i++) seen.add(`t/${(i * 2654435761).toString(16).padStart(13, '0')}`);
    expect(seen.size).toBe(100_000);
    expect((seen as unknown as { table: Float64Array }).table.byteLength).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
