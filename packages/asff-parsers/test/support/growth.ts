import { performance } from 'node:perf_hooks';

/**
 * How long one call of `run(size)` takes, in milliseconds: the call is
 * repeated until at least `minMillis` have passed (so sub-millisecond work is
 * measured, not the timer's resolution), and the fastest of three rounds wins
 * (so a garbage collection or another process does not count).
 */
export async function timePerCall(run: (size: number) => unknown, size: number, minMillis = 20, rounds = 3): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      await run(size);
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < minMillis);
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

/**
 * The ratio a linear algorithm stays under when the input grows 10 times:
 * 10 plus generous room for noise on a busy 2-core machine, yet far below
 * the 100 of a quadratic algorithm.
 */
export const LINEAR_RATIO_LIMIT = 30;

/** The times at `size` and `size * factor` and their ratio. */
export interface Growth {
  readonly small: number;
  readonly large: number;
  readonly ratio: number;
}

/**
 * Measures how the time of `run` grows from `size` to `size * factor`. Tests
 * of adversarial inputs assert on this ratio, never on absolute times: a
 * linear algorithm grows about `factor` times (plus noise) on any machine,
 * a quadratic one `factor²` times. Rounds stop early once the ratio is
 * under `settledBelow`.
 */
export async function measureGrowth(
  run: (size: number) => unknown,
  size: number,
  factor = 10,
  rounds = 5,
  settledBelow = LINEAR_RATIO_LIMIT / 2,
): Promise<Growth> {
  // Warm up both sizes: compile, allocate, load modules.
  await run(size);
  await run(size * factor);
  // Interleaved rounds, fastest of each size: on a busy machine (CI runs two packages' tests on 2 cores) the
  // load changes from one moment to the next, and measuring the sizes one after the other once let a burst of
  // load fall on the large size only (52x for a parser measured at 7x on its own).
  let small = Infinity;
  let large = Infinity;
  for (let round = 0; round < rounds; round++) {
    small = Math.min(small, await timePerCall(run, size, 20, 1));
    large = Math.min(large, await timePerCall(run, size * factor, 20, 1));
    // More rounds only take noise out of the fastest times. A ratio already well under the limit (half of it by
    // default) after a warmed-up round is a linear step: a quadratic one shows about 100, and only a small size
    // measured several times too slow could hide it. Stopping here spares CI most of the rounds.
    if (large / small < settledBelow) break;
  }
  return { small, large, ratio: large / small };
}
