import fc from 'fast-check';
import { VirtualClock } from './virtual-clock';
import { TokenBucket } from '../../src/importer/token-bucket';

/** Largest number of grants inside any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('TokenBucket', () => {
  test('grants the burst at once, then one token per 1/rate seconds', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 30 }, clock, 0);
    const start = clock.now();
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      await bucket.take();
      times.push(clock.now() - start);
    }
    expect(times.slice(0, 30).every((t) => t === 0)).toBe(true);
    // 70 more tokens at 10/s: the 100th grant comes at 7 s, the floor of the quota.
    expect(times[99]).toBe(7000);
  });

  test('never grants more than burst + rate * t in any window, whatever the request pattern', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 120 }),
        async (rate, burst, gaps) => {
          const clock = new VirtualClock();
          const bucket = new TokenBucket({ ratePerSecond: rate, burst }, clock, burst > 1 ? 1 : 0);
          const times: number[] = [];
          for (const gap of gaps) {
            await clock.sleep(gap);
            await bucket.take();
            times.push(clock.now());
          }
          for (const windowMs of [100, 1000, 3000]) {
            expect(busiestWindow(times, windowMs)).toBeLessThanOrEqual(burst + Math.ceil((rate * windowMs) / 1000));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('keeps a reserve against latency jitter without lowering the sustained rate', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 30 }, clock);
    const start = clock.now();
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      await bucket.take();
      times.push(clock.now() - start);
    }
    expect(times.filter((t) => t === 0)).toHaveLength(29);
    expect(times[29]).toBe(100);
    const gaps = times.slice(30).map((t, i) => t - times[29 + i]);
    expect(new Set(gaps)).toEqual(new Set([100]));
    expect(times[99]).toBe(7100);
  });

  test('serves concurrent callers in arrival order', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1 }, clock, 0);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
  });

  test('after a drain the next request waits one interval instead of using the burst', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 30 }, clock, 0);
    bucket.drain();
    const start = clock.now();
    await bucket.take();
    expect(clock.now() - start).toBe(100);
  });

  test('refuses a limit that could never grant a token', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond/);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(/burst/);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 2 }, undefined, 2)).toThrow(/reserve/);
  });
});
