import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import {
  binomialCdf, checkTails, clopperPearson, hillTailIndex, lgamma, positiveMeanInterval, quantileInterval, quantileRanks, summarize, wilson,
} from '../src/stats/index.js';

/** Exact ranks for the median from BigInt binomial coefficients (independent of the float code). */
function exactMedianRanks(n: number): { lo: number; hi: number } {
  const total = 1n << BigInt(n);
  // largest l with Σ_{j<l} C(n,j) ≤ 0.025·2^n  ⇔  40·Σ ≤ 2^n
  let c = 1n, cum = 0n, l = 0;
  while (l < n && 40n * (cum + c) <= total) {
    cum += c;
    c = (c * BigInt(n - l)) / BigInt(l + 1);
    l++;
  }
  return { lo: Math.max(1, l), hi: Math.min(n, n + 1 - l) };
}

describe('stats intervals', () => {
  it('lgamma matches ln n! and ln Γ(½) = ln √π', () => {
    let lf = 0;
    for (let n = 1; n <= 170; n++) {
      lf += Math.log(n);
      expect(lgamma(n + 1), `n=${n}`).to.be.closeTo(lf, 1e-12 * Math.max(1, lf));
    }
    expect(lgamma(0.5)).to.be.closeTo(0.5 * Math.log(Math.PI), 1e-13);
  });

  it('median ranks equal the exact (BigInt) binomial ranks for n = 5…300 and around the old underflow (1074, 1075, 2000)', () => {
    for (const n of [...Array.from({ length: 296 }, (_, i) => i + 5), 1074, 1075, 2000]) {
      const r = quantileRanks(n);
      expect({ lo: r.lo, hi: r.hi }, `n=${n}`).to.deep.equal(exactMedianRanks(n));
    }
  });

  it('n = 5…10⁶: ordered, symmetric, brackets the middle rank, coverage ≥ 95% (n ≥ 6) and near the normal approximation', () => {
    for (let e = 0.7; e <= 6.0001; e += 0.1) {
      const n = Math.round(10 ** e);
      const r = quantileRanks(n);
      expect(r.lo).to.be.at.least(1);
      expect(r.hi).to.be.at.most(n);
      expect(r.lo).to.be.at.most((n + 1) / 2);
      expect(r.hi).to.be.at.least((n + 1) / 2);
      expect(r.hi).to.equal(n + 1 - r.lo);
      if (n >= 6) expect(r.coverage, `n=${n}`).to.be.at.least(0.95);
      expect(r.coverage).to.be.at.most(1);
      if (n >= 1000) {
        // normal approximation with continuity: l ≈ n/2 − 1.96·√n/2 + ½
        expect(r.lo, `n=${n}`).to.be.closeTo(n / 2 - 0.98 * Math.sqrt(n) + 0.5, 1.5);
        expect(r.coverage).to.be.below(0.96);
      }
    }
    // n = 5 cannot reach 95%: the sample extremes, with their honest coverage 1 − 2/32
    const r5 = quantileRanks(5);
    expect([r5.lo, r5.hi]).to.deep.equal([1, 5]);
    expect(r5.coverage).to.be.closeTo(1 - 2 / 32, 1e-12);
  });

  it('the binomial cdf is exact for small n and sums to one', () => {
    expect(binomialCdf(2, 5, 0.5)).to.be.closeTo(16 / 32, 1e-13);
    expect(binomialCdf(0, 10, 0.3)).to.be.closeTo(0.7 ** 10, 1e-15);
    expect(binomialCdf(499_999, 1_000_000, 0.5)).to.be.closeTo(0.5 - 0.5 * Math.exp(binomialLogPmfHalf(500_000, 1_000_000)), 1e-9);
  });

  it('summarize: the median interval brackets the median for n = 4000 (inverted before) and covers ≈95% by simulation', () => {
    const rng = new RandomStreams(3).stream('big');
    const big = Array.from({ length: 4000 }, () => Math.exp(rng.normal()));
    const s = summarize(big);
    expect(s.medianLow).to.be.below(s.median);
    expect(s.medianHigh).to.be.above(s.median);
    expect(Math.log(s.medianLow)).to.be.closeTo(-0.04, 0.06);
    expect(Math.log(s.medianHigh)).to.be.closeTo(0.04, 0.06);
    for (const [n, reps] of [[7, 4000], [60, 2000], [1500, 400]] as const) {
      const r = new RandomStreams(4).stream('cov', n);
      let covered = 0;
      for (let i = 0; i < reps; i++) {
        const x = Array.from({ length: n }, () => Math.exp(r.normal())); // true median 1
        const q = quantileInterval(x);
        if (q.low <= 1 && 1 <= q.high) covered++;
      }
      const cov = quantileRanks(n).coverage;
      const se = Math.sqrt((cov * (1 - cov)) / reps);
      // the simulated coverage matches the exact coverage the ranks promise (≥ 95%)
      expect(covered / reps, `n=${n}`).to.be.closeTo(cov, 3.5 * se + 1e-9);
    }
  });

  it('proportions: Wilson and Clopper–Pearson stay in [0, 1]; Clopper–Pearson is exact at the edges and covers ≥ 95%', () => {
    for (const [k, n] of [[0, 10], [10, 10], [3, 7], [500, 1000]] as const) {
      for (const [a, b] of [wilson(k, n), clopperPearson(k, n)]) {
        expect(a).to.be.at.least(0);
        expect(b).to.be.at.most(1);
        expect(a).to.be.at.most(k / n);
        expect(b).to.be.at.least(k / n);
      }
    }
    expect(clopperPearson(0, 10)[1]).to.be.closeTo(1 - 0.025 ** (1 / 10), 1e-9);
    expect(clopperPearson(10, 10)[0]).to.be.closeTo(0.025 ** (1 / 10), 1e-9);
    const [a, b] = clopperPearson(5, 10);
    expect(a).to.be.closeTo(0.187086, 1e-5); // published table value
    expect(b).to.be.closeTo(0.812914, 1e-5);
    // exact coverage at a few p: Σ_k P(B = k) 1[p ∈ CP(k)]
    const n = 40;
    for (const p of [0.05, 0.3, 0.5]) {
      let cov = 0;
      for (let k = 0; k <= n; k++) {
        const [lo, hi] = clopperPearson(k, n);
        if (lo <= p && p <= hi) cov += binomialCdf(k, n, p) - binomialCdf(k - 1, n, p);
      }
      expect(cov, `p=${p}`).to.be.at.least(0.95);
    }
  });

  it('mean of a non-negative quantity: the log-scale interval stays ≥ 0 where the t-interval does not, and covers ≈95%', () => {
    const skewed = [0.001, 0.002, 0.001, 0.003, 5];
    const t = summarize(skewed);
    expect(t.ciLow).to.be.below(0);
    const p = summarize(skewed, { nonNegative: true });
    expect(p.ciLow).to.be.above(0);
    expect(p.ciLow).to.be.below(p.mean);
    expect(p.ciHigh).to.be.above(p.mean);
    expect(positiveMeanInterval([0, 0, 0])).to.deep.equal({ mean: 0, low: 0, high: 0 });
    const rng = new RandomStreams(5).stream('exp');
    let covered = 0;
    const reps = 2000;
    for (let i = 0; i < reps; i++) {
      const x = Array.from({ length: 40 }, () => -Math.log(1 - rng.uniform())); // mean 1
      const q = positiveMeanInterval(x);
      if (q.low <= 1 && 1 <= q.high) covered++;
    }
    expect(covered / reps).to.be.closeTo(0.95, 0.025);
  });

  it('tail check: Pareto(α = 1) is heavy, exponential and bounded quantities are not', () => {
    const rng = new RandomStreams(6).stream('tail');
    const pareto = Array.from({ length: 400 }, () => 1 / (1 - rng.uniform()));
    const expo = Array.from({ length: 400 }, () => -Math.log(1 - rng.uniform()));
    expect(hillTailIndex(pareto)).to.be.closeTo(1, 0.45);
    expect(checkTails(pareto).heavy).to.equal(true);
    expect(checkTails(expo).heavy).to.equal(false);
    expect(checkTails(expo, true).heavy).to.equal(true);
    expect(hillTailIndex([1, 2, 3])).to.be.NaN;
  });
});

function binomialLogPmfHalf(j: number, n: number): number {
  return lgamma(n + 1) - lgamma(j + 1) - lgamma(n - j + 1) - n * Math.LN2;
}
