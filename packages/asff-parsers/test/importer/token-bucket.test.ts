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

  describe('adapting to a quota shared with other importers', () => {
    const limit = { ratePerSecond: 10, burst: 30 };

    /** Times (ms from start) of `count` grants taken one after another. */
    async function grantTimes(bucket: TokenBucket, clock: VirtualClock, count: number): Promise<number[]> {
      const start = clock.now();
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        await bucket.take();
        times.push(clock.now() - start);
      }
      return times;
    }

    test('a throttle lowers the rate to 0.7 of what it was, and the burst to one second of the rate from then on', async () => {
      const clock = new VirtualClock();
      const bucket = new TokenBucket(limit, clock, 0);
      bucket.throttled(await bucket.take());
      expect(bucket.ratePerSecond()).toBeCloseTo(7, 6);
      // Idle long enough to recover the rate and refill any burst: 10 tokens come at once, not 30.
      await clock.sleep(5_000);
      expect(bucket.ratePerSecond()).toBe(10);
      const times = await grantTimes(bucket, clock, 20);
      expect(times.filter((t) => t === 0)).toHaveLength(10);
      expect(times[19]).toBe(1000);
    });

    test('throttles of requests sent before the last decrease lower the rate once, not once each', async () => {
      const clock = new VirtualClock();
      const bucket = new TokenBucket(limit, clock, 0);
      const grants = await Promise.all(Array.from({ length: 10 }, () => bucket.take()));
      for (const grant of grants) bucket.throttled(grant);
      expect(bucket.ratePerSecond()).toBeCloseTo(7, 6);
      // A request granted after that decrease is new information: it lowers the rate again.
      const later = await bucket.take();
      const before = bucket.ratePerSecond();
      bucket.throttled(later);
      expect(before).toBeLessThan(10);
      expect(bucket.ratePerSecond()).toBeCloseTo(before * 0.7, 6);
    });

    test('recovers along the cubic curve: back to the throttled rate after K seconds, at the quota soon after', async () => {
      const clock = new VirtualClock();
      const bucket = new TokenBucket(limit, clock, 0);
      bucket.throttled();
      const k = Math.cbrt((10 * 0.3) / 0.4);
      const rates: number[] = [];
      for (let ms = 0; ms <= 4000; ms += 250) {
        rates.push(bucket.ratePerSecond());
        await clock.sleep(250);
      }
      // Never falls while no throttle comes, and climbs back to the quota but never above it.
      expect(rates.every((r, i) => i === 0 || r >= rates[i - 1])).toBe(true);
      expect(rates[0]).toBeCloseTo(7, 6);
      expect(Math.max(...rates)).toBe(10);
      clock.time -= 4250;
      await clock.sleep(Math.round(k * 1000));
      expect(bucket.ratePerSecond()).toBeCloseTo(10, 2);
      expect(rates.findIndex((r) => r === 10) * 250).toBeLessThanOrEqual(Math.ceil(k * 1000) + 250);
    });

    test('grants at the lowered rate, then faster as it recovers', async () => {
      const clock = new VirtualClock();
      const bucket = new TokenBucket(limit, clock, 0);
      await grantTimes(bucket, clock, 30);
      bucket.throttled();
      const times = await grantTimes(bucket, clock, 40);
      const gaps = times.map((t, i) => (i === 0 ? t : t - times[i - 1]));
      // 1/7 s right after the throttle, 1/10 s once recovered.
      expect(gaps[0]).toBe(143);
      expect(gaps[gaps.length - 1]).toBe(100);
      expect(gaps.every((g, i) => i === 0 || g <= gaps[i - 1])).toBe(true);
    });

    test('never falls below its floor, however many throttles come', async () => {
      const clock = new VirtualClock();
      const bucket = new TokenBucket(limit, clock, 0, { minRatePerSecond: 0.5 });
      const rates: number[] = [];
      for (let i = 0; i < 50; i++) {
        bucket.throttled();
        rates.push(bucket.ratePerSecond());
      }
      // 10 x 0.7^n passes 0.5 at the ninth throttle; from there on the floor holds.
      expect(rates[7]).toBeGreaterThan(0.5);
      expect(Math.min(...rates)).toBe(0.5);
      expect(rates.slice(8)).toEqual(Array(42).fill(0.5));
      // At the floor it still grants: one request every 2 s.
      const start = clock.now();
      await bucket.take();
      await bucket.take();
      expect(clock.now() - start).toBeLessThanOrEqual(4000);
    });

    test('refuses adaptive settings that would never lower or never recover', () => {
      expect(() => new TokenBucket(limit, undefined, 1, { beta: 1 })).toThrow(/beta/);
      expect(() => new TokenBucket(limit, undefined, 1, { scale: 0 })).toThrow(/scale/);
      expect(() => new TokenBucket(limit, undefined, 1, { minRatePerSecond: 0 })).toThrow(/minRatePerSecond/);
    });
  });
});
