import { Clock, systemClock } from './clock';

/** A request rate: sustained requests per second plus the burst allowed from idle. */
export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** Security Hub quotas per account and Region. */
export const BATCH_IMPORT_RATE: RateLimit = { ratePerSecond: 10, burst: 30 };
export const BATCH_UPDATE_RATE: RateLimit = { ratePerSecond: 10, burst: 30 };
export const GET_FINDINGS_RATE: RateLimit = { ratePerSecond: 3, burst: 6 };

/**
 * Client-side pacing: callers wait for a token, in arrival order, so that the
 * request rate reaches the service quota but never exceeds it. Pacing on the
 * client rather than retrying on 429 keeps the import near the floor set by
 * the quota instead of oscillating around it.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  /**
   * @param reserve fraction of a token kept back. Requests reach the service
   * after a variable latency; when one arrives sooner after its predecessor
   * than it was sent, the service's bucket sees a shorter gap than ours did.
   * A reserve of r tokens absorbs r / rate seconds of such jitter while the
   * sustained rate stays exactly `ratePerSecond` (only the first request after
   * the burst waits r / rate longer).
   */
  constructor(private readonly limit: RateLimit, private readonly clock: Clock = systemClock, private readonly reserve = 1) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) throw new Error('A rate limit needs ratePerSecond > 0 and burst >= 1');
    if (!(reserve >= 0 && reserve < limit.burst)) throw new Error('The reserve must be below the burst');
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  /**
   * After a throttle the service's bucket is empty (someone else shares the
   * quota): empty ours too, so the next requests start at the sustained rate.
   */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.ratePerSecond);
    this.last = now;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      this.refill();
      const needed = Math.min(1 + this.reserve, this.limit.burst);
      if (this.tokens >= needed) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((needed - this.tokens) / this.limit.ratePerSecond) * 1000));
    }
  }
}
