/**
 * Distribution-free confidence intervals for quantiles from order statistics.
 *
 * For n i.i.d. draws of a continuous quantity with q-quantile ξ, the number B of draws below ξ is
 * Binomial(n, q), and X_(l) ≤ ξ ≤ X_(u) (1-based order statistics) holds exactly when l ≤ B ≤ u − 1.
 * The interval takes the largest l with P(B ≤ l − 1) ≤ α/2 and the smallest u with P(B ≥ u) ≤ α/2, so
 * its coverage is ≥ 1 − α, and reports that coverage exactly. When n is too small for a bound (e.g. the
 * 95% median interval needs n ≥ 6) the sample extreme is used and the coverage says what it is.
 *
 * The binomial tail is summed in log space from lgamma, starting 40 standard deviations below the
 * mean (everything below is < e^-800), so it is exact to rounding for small n, never underflows
 * (the old `0.5^n` start did from n = 1075 on) and costs O(√n) for large n.
 */

const LN_SQRT_2PI = 0.9189385332046728;

/** ln Γ(x) for x > 0: Stirling's series at x ≥ 15 (shifted up by the recurrence below; error ~1e-16 relative). */
export function lgamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x < 15) {
    // shift up: ln Γ(x) = ln Γ(x + n) − ln(x(x+1)…(x+n−1))
    let shift = 0;
    let y = x;
    while (y < 15) {
      shift += Math.log(y);
      y += 1;
    }
    return lgamma(y) - shift;
  }
  const inv = 1 / x, inv2 = inv * inv;
  // Stirling: (x − ½) ln x − x + ½ ln 2π + 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷) + 1/(1188x⁹)
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188))));
  return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + series;
}

/** ln P(B = j) for B ~ Binomial(n, p). */
export function binomialLogPmf(j: number, n: number, p: number): number {
  if (j < 0 || j > n) return -Infinity;
  if (p <= 0) return j === 0 ? 0 : -Infinity;
  if (p >= 1) return j === n ? 0 : -Infinity;
  return lgamma(n + 1) - lgamma(j + 1) - lgamma(n - j + 1) + j * Math.log(p) + (n - j) * Math.log1p(-p);
}

/** P(B ≤ j) for B ~ Binomial(n, p), summed in log space over the non-negligible terms. */
export function binomialCdf(j: number, n: number, p: number): number {
  if (j < 0) return 0;
  if (j >= n) return 1;
  const mean = n * p, sd = Math.sqrt(n * p * (1 - p));
  // sum the shorter side; terms farther than 40 sd from the mean are below e^-800
  if (j <= mean) {
    const i0 = Math.max(0, Math.floor(mean - 40 * sd - 1));
    return sumPmf(i0, j, n, p);
  }
  const i1 = Math.min(n, Math.ceil(mean + 40 * sd + 1));
  return Math.max(0, 1 - sumPmf(j + 1, i1, n, p));
}

/** Σ_{i=a}^{b} P(B = i), the pmf stepped by its ratio (one lgamma evaluation). */
function sumPmf(a: number, b: number, n: number, p: number): number {
  if (b < a) return 0;
  const lr = Math.log(p) - Math.log1p(-p);
  let lp = binomialLogPmf(a, n, p);
  let s = 0;
  for (let i = a; i <= b; i++) {
    s += Math.exp(lp);
    lp += Math.log((n - i) / (i + 1)) + lr;
  }
  return Math.min(1, s);
}

export interface RankInterval {
  /** 1-based ranks of the order statistics X_(lo) ≤ ξ ≤ X_(hi) */
  lo: number;
  hi: number;
  /** exact coverage P(lo ≤ B ≤ hi − 1) of that interval (≥ level unless n is too small) */
  coverage: number;
}

/** Ranks of the order-statistic interval for the q-quantile at the given level (two-sided). */
export function quantileRanks(n: number, q = 0.5, level = 0.95): RankInterval {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`quantileRanks: n = ${n}; expected an integer ≥ 1`);
  if (!(q > 0 && q < 1)) throw new RangeError(`quantileRanks: q = ${q}; expected 0 < q < 1`);
  if (!(level > 0 && level < 1)) throw new RangeError(`quantileRanks: level = ${level}; expected 0 < level < 1`);
  const a2 = (1 - level) / 2;
  // lower: largest l with P(B ≤ l − 1) ≤ α/2; P(B ≤ l − 1) increases with l
  const mean = n * q, sd = Math.sqrt(n * q * (1 - q));
  let l = Math.max(0, Math.floor(mean - 40 * sd - 1));
  let cdf = binomialCdf(l - 1, n, q);
  const lr = Math.log(q) - Math.log1p(-q);
  let lp = binomialLogPmf(l, n, q); // ln P(B = l)
  while (l < n && cdf + Math.exp(lp) <= a2) {
    cdf += Math.exp(lp);
    lp += Math.log((n - l) / (l + 1)) + lr;
    l++;
  }
  const lowTail = cdf; // P(B ≤ l − 1)
  // upper: smallest u with P(B ≥ u) ≤ α/2, i.e. P(B ≤ u − 1) ≥ 1 − α/2; by symmetry of the search
  // from the top: P(B ≥ u) = P(n − B ≤ n − u), n − B ~ Bin(n, 1 − q)
  const m2 = n * (1 - q);
  let r = Math.max(0, Math.floor(m2 - 40 * sd - 1)); // r = n − u + 1 counts the excluded top ranks
  let cdf2 = binomialCdf(r - 1, n, 1 - q);
  let lp2 = binomialLogPmf(r, n, 1 - q);
  while (r < n && cdf2 + Math.exp(lp2) <= a2) {
    cdf2 += Math.exp(lp2);
    lp2 += Math.log((n - r) / (r + 1)) - lr;
    r++;
  }
  const highTail = cdf2; // P(B ≥ n − r + 1)
  let lo = l, hi = n - r + 1;
  let covLow = lowTail, covHigh = highTail;
  // too few draws for a bound: fall back to the sample extreme and report the true coverage
  if (lo < 1) {
    lo = 1;
    covLow = binomialCdf(0, n, q);
  }
  if (hi > n) {
    hi = n;
    covHigh = 1 - binomialCdf(n - 1, n, q);
  }
  if (lo > hi) lo = hi = Math.round((lo + hi) / 2);
  return { lo, hi, coverage: Math.max(0, 1 - covLow - covHigh) };
}

/** Sample median of sorted values. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

export interface QuantileInterval {
  estimate: number;
  low: number;
  high: number;
  coverage: number;
}

/** Median (or q-quantile) of `values` with its order-statistic interval. */
export function quantileInterval(values: ArrayLike<number>, q = 0.5, level = 0.95): QuantileInterval {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const n = sorted.length;
  if (n === 0) return { estimate: NaN, low: NaN, high: NaN, coverage: NaN };
  const { lo, hi, coverage } = quantileRanks(n, q, level);
  const estimate = q === 0.5 ? medianOfSorted(sorted) : sorted[Math.min(n - 1, Math.max(0, Math.ceil(n * q) - 1))]!;
  return { estimate, low: sorted[lo - 1]!, high: sorted[hi - 1]!, coverage };
}
