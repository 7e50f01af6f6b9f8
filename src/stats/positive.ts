/**
 * Confidence interval of the mean of a non-negative quantity (delays, losses, NMSE) that never leaves
 * [0, ∞): the t-interval built on the log scale (delta method, Var log x̄ ≈ s²/(n x̄²)),
 *   [x̄ · exp(−t·s/(√n x̄)),  x̄ · exp(t·s/(√n x̄))].
 * It agrees with mean ± t·s/√n to first order when s/(√n x̄) is small and stays positive otherwise.
 */
import { tQuantile975 } from './t.js';

export interface MeanInterval {
  mean: number;
  low: number;
  high: number;
}

/** 95% interval of the mean of non-negative values (log scale); all zeros give [0, 0]. */
export function positiveMeanInterval(values: ArrayLike<number>): MeanInterval {
  const n = values.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(v >= 0)) throw new RangeError(`positiveMeanInterval: value ${v} at ${i} is not ≥ 0`);
    s += v;
  }
  const mean = s / n;
  if (n < 2) return { mean, low: 0, high: mean > 0 ? Infinity : 0 };
  if (mean === 0) return { mean, low: 0, high: 0 };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const se = Math.sqrt(ss / (n - 1) / n);
  const f = Math.exp((tQuantile975(n - 1) * se) / mean);
  return { mean, low: mean / f, high: mean * f };
}
