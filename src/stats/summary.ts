/**
 * Summary statistics for Monte-Carlo figures. Every reported figure carries its trial count and a
 * 95% confidence interval.
 *
 * - Mean: Student-t interval mean ± t_{0.975, n−1} · s / √n.
 * - Median: distribution-free interval from order statistics (binomial, normal approximation
 *   for n > 30, exact binomial search below).
 * - dB figures: the interval of the mean is mapped through 10·log10 (monotone), so the dB interval is
 *   asymmetric; a non-positive lower bound maps to −Infinity.
 */
export interface Summary {
  n: number;
  mean: number;
  /** 95% CI of the mean */
  ciLow: number;
  ciHigh: number;
  /** half-width of the 95% CI of the mean */
  ciHalf: number;
  std: number;
  median: number;
  /** 95% CI of the median (order statistics) */
  medianLow: number;
  medianHigh: number;
  min: number;
  max: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) {
    return { n: 0, mean: NaN, ciLow: NaN, ciHigh: NaN, ciHalf: NaN, std: NaN, median: NaN, medianLow: NaN, medianHigh: NaN, min: NaN, max: NaN };
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i]!;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const half = n > 1 ? tQuantile975(n - 1) * std / Math.sqrt(n) : Infinity;
  const sorted = Array.from(values).sort((a, b) => a - b);
  const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const [lo, hi] = medianRank(n);
  return {
    n, mean, std, ciHalf: half, ciLow: mean - half, ciHigh: mean + half, median,
    medianLow: sorted[lo]!, medianHigh: sorted[hi]!, min: sorted[0]!, max: sorted[n - 1]!,
  };
}

export function toDb(x: number): number {
  return x > 0 ? 10 * Math.log10(x) : -Infinity;
}

/** 0.975 quantile of Student's t with `df` degrees of freedom (table + Cornish–Fisher tail). */
export function tQuantile975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];
  if (df < 1) return Infinity;
  if (df <= 30) return table[Math.round(df) - 1]!;
  // Cornish–Fisher expansion around z = 1.959964
  const z = 1.959963984540054;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

/**
 * 0-based ranks [lo, hi] of the order statistics bracketing the median with ≥ 95% coverage.
 * For tiny n the interval is the full range.
 */
function medianRank(n: number): [number, number] {
  if (n < 6) return [0, n - 1];
  // largest j with P(Bin(n, 1/2) < j) ≤ 0.025  → interval [X_(j), X_(n−j+1)] (1-based)
  let cdf = 0;
  let j = 0;
  let pmf = Math.pow(0.5, n); // P(X = 0)
  while (j < n) {
    if (cdf + pmf > 0.025) break;
    cdf += pmf;
    pmf = pmf * (n - j) / (j + 1);
    j++;
  }
  // j = number of order statistics that may be excluded on each side
  const lo = Math.max(0, j - 1);
  return [Math.min(lo, n - 1), Math.max(0, n - 1 - lo)];
}
