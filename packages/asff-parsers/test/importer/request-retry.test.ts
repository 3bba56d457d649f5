import { VirtualClock } from './virtual-clock';
import { isTransient, recordRequestFailure, RequestCounters, startAttempt } from '../../src/importer/request-retry';
import { TokenBucket } from '../../src/importer/token-bucket';

function serviceError(name: string, httpStatusCode: number | undefined): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });
}

describe('request retry steps', () => {
  test('the first attempt is sent at once; each later one first waits a full-jitter backoff and counts as a retry', async () => {
    const clock = new VirtualClock(0);
    const counters: RequestCounters = { requests: 0, throttled: 0, retried: 0 };
    const context = { maxAttempts: 5, backoff: { baseMs: 100, capMs: 1_000 }, clock, random: () => 1, counters };
    await startAttempt(1, context);
    expect({ time: clock.time, ...counters }).toEqual({ time: 0, requests: 1, throttled: 0, retried: 0 });
    await startAttempt(2, context);
    await startAttempt(3, context);
    // random() = 1 takes the top of each window: 100 ms, then 200 ms.
    expect({ time: clock.time, ...counters }).toEqual({ time: 300, requests: 3, throttled: 0, retried: 2 });
  });

  test('a throttled request is counted, empties the bucket and lowers its rate, so the next request waits for a fresh token', async () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 30 }, clock, 0);
    const counters: RequestCounters = { requests: 0, throttled: 0, retried: 0 };
    expect(recordRequestFailure(serviceError('TooManyRequestsException', 429), { bucket, counters })).toBe('throttled');
    expect(counters.throttled).toBe(1);
    await bucket.take();
    // One token at 0.7 x 10/s.
    expect(clock.time).toBe(143);
  });

  test('server errors and lost connections are retried; a refused batch or a denied call is not', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 30 }, new VirtualClock(0), 0);
    const counters: RequestCounters = { requests: 0, throttled: 0, retried: 0 };
    const kinds = [
      serviceError('InternalException', 500),
      serviceError('ECONNRESET', undefined),
      serviceError('InvalidInputException', 400),
      serviceError('AccessDeniedException', 403),
    ].map((error) => recordRequestFailure(error, { bucket, counters }));
    expect(kinds).toEqual(['retryable', 'retryable', 'splittable', 'permanent']);
    expect(kinds.map(isTransient)).toEqual([true, true, false, false]);
    expect(counters.throttled).toBe(0);
  });
});
