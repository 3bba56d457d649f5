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
 * How a bucket adapts when the service throttles it: the CUBIC controller of
 * the AWS SDKs' adaptive retry mode (a multiplicative decrease on a throttle,
 * then a cubic recovery towards and past the rate that was throttled).
 */
export interface AdaptiveRateOptions {
  /** Factor the rate is multiplied by on a throttle. Default 0.7 (the SDKs' beta). */
  readonly beta?: number;
  /** Scale of the cubic recovery, in requests/s per s³. Default 0.4 (the SDKs' scale constant). */
  readonly scale?: number;
  /** The rate never falls below this, in requests/s. Default 0.5 (the SDKs' minimum fill rate). */
  readonly minRatePerSecond?: number;
}

/** A token handed to a caller; {@link TokenBucket.throttled} takes it back to tell old news from new. */
export interface Grant {
  /** When the token was granted (clock ms). */
  readonly at: number;
  /** How many rate decreases had happened when it was granted. */
  readonly decreases: number;
}

/**
 * Client-side pacing: callers wait for a token, in arrival order, so that the
 * request rate reaches the service quota but never exceeds it. Pacing on the
 * client rather than retrying on 429 keeps the import near the floor set by
 * the quota instead of oscillating around it.
 *
 * The quota is per account and Region, so other importers (other stages,
 * other applications, other Lambda invocations) may be spending it too. A
 * throttle is the only sign of them: it lowers this bucket's rate (×0.7) and
 * its burst to one second's worth, and the rate then climbs back along a cubic
 * curve, reaching the throttled rate after K = ∛(rate·0.3/0.4) seconds
 * (2 s from 10/s) and the quota soon after if no further throttle comes.
 * Several importers sharing the quota thus settle near their share of it
 * instead of each sending at the full quota and being refused most of the time.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly beta: number;
  private readonly scale: number;
  private readonly minRate: number;
  /** Set by the first throttle; until then the bucket runs at the configured limit. */
  private throttle?: { readonly at: number; readonly rateBefore: number; readonly recoverySeconds: number };
  private decreases = 0;

  /**
   * @param reserve fraction of a token kept back. Requests reach the service
   * after a variable latency; when one arrives sooner after its predecessor
   * than it was sent, the service's bucket sees a shorter gap than ours did.
   * A reserve of r tokens absorbs r / rate seconds of such jitter while the
   * sustained rate stays exactly `ratePerSecond` (only the first request after
   * the burst waits r / rate longer).
   */
  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock = systemClock,
    private readonly reserve = 1,
    adaptive: AdaptiveRateOptions = {},
  ) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) throw new Error('A rate limit needs ratePerSecond > 0 and burst >= 1');
    if (!(reserve >= 0 && reserve < limit.burst)) throw new Error('The reserve must be below the burst');
    this.beta = adaptive.beta ?? 0.7;
    this.scale = adaptive.scale ?? 0.4;
    this.minRate = Math.min(adaptive.minRatePerSecond ?? 0.5, limit.ratePerSecond);
    if (!(this.beta > 0 && this.beta < 1) || !(this.scale > 0) || !(this.minRate > 0)) {
      throw new Error('Adaptive rate needs 0 < beta < 1, scale > 0 and minRatePerSecond > 0');
    }
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  /** Resolves when the caller may send one request, with the grant to hand back if it is throttled. */
  take(): Promise<Grant> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn.then(() => undefined);
    return turn;
  }

  /** The rate tokens are granted at now, in requests/s. */
  ratePerSecond(): number {
    return this.rateAt(this.clock.now());
  }

  /**
   * The service refused a request for its quota: empty the bucket (the
   * service's is empty) and lower the rate. Requests granted before the last
   * decrease were sent at the old rate; their throttles say nothing new and
   * only empty the bucket, so that a burst of refusals lowers the rate once,
   * not once per request (as TCP lowers its window once per round trip).
   */
  throttled(grant?: Grant): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    if (grant !== undefined && grant.decreases < this.decreases) return;
    const now = this.clock.now();
    const rateBefore = this.rateAt(now);
    this.throttle = {
      at: now,
      rateBefore,
      // The time the cubic curve takes to climb back from beta·rate to rate.
      recoverySeconds: Math.cbrt((rateBefore * (1 - this.beta)) / this.scale),
    };
    this.decreases++;
  }

  /**
   * After a throttle the service's bucket is empty (someone else shares the
   * quota): empty ours too, so the next requests start at the sustained rate.
   */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private rateAt(now: number): number {
    const throttle = this.throttle;
    if (throttle === undefined) return this.limit.ratePerSecond;
    const t = (now - throttle.at) / 1000 - throttle.recoverySeconds;
    const cubic = this.scale * t * t * t + throttle.rateBefore;
    return Math.min(this.limit.ratePerSecond, Math.max(this.minRate, cubic));
  }

  /**
   * The burst: the configured one until the first throttle, then one second's
   * worth of the current rate, so that a bucket that sat idle does not fire a
   * burst into a quota it now knows is shared.
   */
  private capacityAt(rate: number): number {
    if (this.throttle === undefined) return this.limit.burst;
    return Math.min(this.limit.burst, Math.max(1 + this.reserve, rate));
  }

  private refill(): void {
    const now = this.clock.now();
    // The rate at the end of the interval: it only changes along the recovery curve, and
    // intervals are short (a token's wait at most), so the error is a fraction of a token.
    const rate = this.rateAt(now);
    this.tokens = Math.min(this.capacityAt(rate), this.tokens + ((now - this.last) / 1000) * rate);
    this.last = now;
  }

  private async waitForToken(): Promise<Grant> {
    for (;;) {
      this.refill();
      const rate = this.rateAt(this.last);
      const needed = Math.min(1 + this.reserve, this.capacityAt(rate));
      if (this.tokens >= needed) {
        this.tokens -= 1;
        return { at: this.last, decreases: this.decreases };
      }
      // Capped at a second: the rate may rise while we wait, and the wait is recomputed then.
      await this.clock.sleep(Math.min(1000, Math.ceil(((needed - this.tokens) / rate) * 1000)));
    }
  }
}
