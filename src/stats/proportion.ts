/**
 * Intervals for a binomial proportion k/n (e.g. test accuracy over n examples). Both stay inside
 * [0, 1] and are sensible at 0 or n successes, unlike the normal approximation.
 *  - Wilson score interval: close to nominal coverage on average.
 *  - Clopper–Pearson: the exact (conservative) interval, coverage ≥ level for every true p; found by
 *    bisection on the binomial tail (order.ts), so it needs no incomplete-beta inverse.
 */
import { binomialCdf } from './order.js';

const Z975 = 1.959963984540054;

/** Wilson score interval [low, high] for k successes in n trials (z = 1.96: 95%). */
export function wilson(k: number, n: number, z = Z975): [number, number] {
  if (n <= 0) return [NaN, NaN];
  const p = k / n;
  const z2 = z * z;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  // exact at the edges (k = 0 → 0, k = n → 1), where rounding would otherwise leave 1 − ε
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/** Clopper–Pearson interval [low, high] for k successes in n trials at the given level. */
export function clopperPearson(k: number, n: number, level = 0.95): [number, number] {
  if (!(n > 0) || !Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) return [NaN, NaN];
  const a2 = (1 - level) / 2;
  // low: P(B ≥ k | p) = α/2 (increasing in p); high: P(B ≤ k | p) = α/2 (decreasing in p)
  const low = k === 0 ? 0 : bisect((p) => 1 - binomialCdf(k - 1, n, p) - a2);
  const high = k === n ? 1 : bisect((p) => a2 - binomialCdf(k, n, p));
  return [low, high];
}

/** Root of an increasing function on (0, 1) by bisection (to 1e-12). */
function bisect(f: (p: number) => number): number {
  let lo = 0, hi = 1;
  for (let i = 0; i < 60 && hi - lo > 1e-12; i++) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
