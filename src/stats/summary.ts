/**
 * Summary statistics for Monte-Carlo figures. Every reported figure carries its trial count and a
 * 95% confidence interval that brackets the estimate and stays in the quantity's range.
 *
 * - Mean: Student-t interval mean ± t_{0.975, n−1} · s / √n; with `nonNegative` the same interval on
 *   the log scale (positive.ts), which never goes below 0.
 * - Median: distribution-free interval from order statistics (binomial ranks summed in log space,
 *   order.ts: exact for small n, no underflow for large n); `medianCoverage` is its exact coverage
 *   (below 95% only when n < 6, where the sample extremes are the best available bounds).
 * - Proportions (accuracies): Wilson or Clopper–Pearson (proportion.ts).
 * - Heavy tails: tails.ts decides when the median must be the headline.
 * - dB figures: intervals map through 10·log10 (monotone), so dB intervals are asymmetric.
 */
import { positiveMeanInterval } from './positive.js';
import { medianOfSorted, quantileRanks } from './order.js';
import { tQuantile975 } from './t.js';

export { tQuantile975 } from './t.js';

export interface Summary {
  n: number;
  mean: number;
  /** 95% CI of the mean */
  ciLow: number;
  ciHigh: number;
  /** half-width of the 95% t-interval of the mean (the interval itself may be asymmetric: see ciLow/ciHigh) */
  ciHalf: number;
  std: number;
  median: number;
  /** 95% CI of the median (order statistics) */
  medianLow: number;
  medianHigh: number;
  /** exact coverage of [medianLow, medianHigh] (≥ 0.95 for n ≥ 6) */
  medianCoverage: number;
  min: number;
  max: number;
}

export interface SummarizeOptions {
  /** the quantity is ≥ 0 (delay, loss, NMSE): the mean's interval is built on the log scale */
  nonNegative?: boolean;
}

export function summarize(values: ArrayLike<number>, opts: SummarizeOptions = {}): Summary {
  const n = values.length;
  if (n === 0) {
    return { n: 0, mean: NaN, ciLow: NaN, ciHigh: NaN, ciHalf: NaN, std: NaN, median: NaN, medianLow: NaN, medianHigh: NaN, medianCoverage: NaN, min: NaN, max: NaN };
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const half = n > 1 ? tQuantile975(n - 1) * std / Math.sqrt(n) : Infinity;
  let ciLow = mean - half, ciHigh = mean + half;
  if (opts.nonNegative) {
    const p = positiveMeanInterval(values);
    ciLow = p.low;
    ciHigh = p.high;
  }
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const { lo, hi, coverage } = quantileRanks(n, 0.5, 0.95);
  return {
    n, mean, std, ciHalf: half, ciLow, ciHigh, median: medianOfSorted(sorted),
    medianLow: sorted[lo - 1]!, medianHigh: sorted[hi - 1]!, medianCoverage: coverage, min: sorted[0]!, max: sorted[n - 1]!,
  };
}

export function toDb(x: number): number {
  return x > 0 ? 10 * Math.log10(x) : -Infinity;
}
