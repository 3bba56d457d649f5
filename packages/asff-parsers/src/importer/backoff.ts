/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export interface BackoffOptions {
  /** Delay scale of the first retry, in ms. Default 100. */
  readonly baseMs?: number;
  /** Upper bound of any delay, in ms. Default 20,000. */
  readonly capMs?: number;
}

/**
 * Delay before retry number `retry` (1 for the first retry): uniform in
 * [0, min(cap, base * 2^(retry-1))]. Full jitter spreads clients that were
 * throttled together instead of having them retry in lockstep.
 */
export function fullJitterDelay(retry: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 100;
  const cap = options.capMs ?? 20_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
