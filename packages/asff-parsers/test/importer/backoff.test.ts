import fc from 'fast-check';
import { fullJitterDelay } from '../../src/importer/backoff';

describe('fullJitterDelay', () => {
  test('stays within [0, min(cap, base * 2^(retry-1))]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (retry, r) => {
        const delay = fullJitterDelay(retry, { baseMs: 100, capMs: 20_000 }, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.min(20_000, 100 * 2 ** (retry - 1)));
      }),
    );
  });

  test('the ceiling doubles with each retry until the cap', () => {
    const max = (retry: number) => fullJitterDelay(retry, { baseMs: 100, capMs: 1000 }, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map(max)).toEqual([99, 199, 399, 799, 999, 999]);
  });

  test('spreads retries rather than repeating one delay', () => {
    const delays = new Set(Array.from({ length: 50 }, () => fullJitterDelay(6)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
