/** The Security Hub operations the fake serves. */
export type Operation = 'BatchImportFindings' | 'GetFindings' | 'BatchUpdateFindings';

/** What the fake does to a whole request instead of serving it normally. */
export type RequestFault =
  /** HTTP 429 TooManyRequestsException, as a real throttle. */
  | 'throttle'
  /** HTTP 500 InternalException before anything is stored. */
  | 'internal-error'
  /** Store the findings, then answer HTTP 500: the client cannot know they landed. */
  | 'internal-error-after-commit';

/** A per-finding failure reported in FailedFindings / UnprocessedFindings. */
export interface FindingFault {
  readonly code: string;
  readonly message: string;
}

/**
 * Fault injection for one test. Every hook is optional; `requestNumber`
 * counts the requests of that operation from 1, throttled ones included.
 */
export interface FaultPlan {
  beforeRequest?(operation: Operation, requestNumber: number): RequestFault | undefined;
  failFinding?(operation: Operation, findingId: string): FindingFault | undefined;
}

/* eslint-disable no-bitwise -- mulberry32 is 32-bit integer arithmetic by definition */
/** Small deterministic PRNG so that a failing fault schedule can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/* eslint-enable no-bitwise */

/** Every request of `operation` numbered `from`..`from+count-1` is throttled. */
export function throttlingStorm(operation: Operation, from: number, count: number): FaultPlan {
  return {
    beforeRequest: (op, n) => (op === operation && n >= from && n < from + count ? 'throttle' : undefined),
  };
}

export interface RandomFaultRates {
  readonly seed: number;
  readonly throttle?: number;
  readonly internalError?: number;
  readonly internalErrorAfterCommit?: number;
  readonly failedFinding?: number;
  /** ErrorCode used for injected per-finding failures. Default InternalFailure. */
  readonly failedFindingCode?: string;
}

/** Independent random faults with the given probabilities, reproducible from `seed`. */
export function randomFaults(rates: RandomFaultRates): FaultPlan {
  const random = seededRandom(rates.seed);
  return {
    beforeRequest: () => {
      const r = random();
      let edge = rates.throttle ?? 0;
      if (r < edge) return 'throttle';
      edge += rates.internalError ?? 0;
      if (r < edge) return 'internal-error';
      edge += rates.internalErrorAfterCommit ?? 0;
      if (r < edge) return 'internal-error-after-commit';
      return undefined;
    },
    failFinding: () =>
      random() < (rates.failedFinding ?? 0)
        ? { code: rates.failedFindingCode ?? 'InternalFailure', message: 'Injected failure' }
        : undefined,
  };
}
