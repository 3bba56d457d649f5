import { LINEAR_RATIO_LIMIT, measureGrowth } from './growth';

/** Sums over an array of `n` numbers, `passes(n)` times: linear or quadratic work the optimiser cannot drop. */
function work(n: number, passes: number): number {
  const values = Array.from({ length: n }, (_, i) => i % 7);
  let total = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (const value of values) total += value;
  }
  return total;
}

describe('measureGrowth, which the adversarial-input tests rely on', () => {
  test('a linear step stays under the linear limit', async () => {
    const growth = await measureGrowth((n) => work(n, 1), 20_000);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });

  test('a quadratic step stays over it, even though a round under half the limit ends the measurement early', async () => {
    const growth = await measureGrowth((n) => work(n, n), 300);
    expect(growth.ratio).toBeGreaterThan(LINEAR_RATIO_LIMIT);
  });
});
