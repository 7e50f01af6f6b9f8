import { expect } from 'chai';
import { aggregationErrorEnergy, optimalityGap, type BoundConstants } from '../src/design/bound.js';
import { searchRanks } from '../src/design/rank.js';

const constants: BoundConstants = {
  f0: 4, fstar: 2, contraction: 0.05, L: 4, step2: 1,
  perRank: [1, 2, 4, 8].map((r) => ({ r, kappa: Math.min(1, r / 4), eps: 0.4 / r, variance: 1e-4 * r, gain2: 1e-4 })),
};

describe('design/bound and rank search', () => {
  it('aggregation error energy is linear in the payload, the MSE and the squared server step', () => {
    expect(aggregationErrorEnergy(2000, 1, 0.1, 4)).to.be.closeTo(2 * aggregationErrorEnergy(1000, 1, 0.1, 4), 1e-15);
    expect(aggregationErrorEnergy(1000, 1, 0.2, 4)).to.be.closeTo(2 * aggregationErrorEnergy(1000, 1, 0.1, 4), 1e-15);
    expect(aggregationErrorEnergy(1000, 1, 0.1, 4, 0.25)).to.be.closeTo(0.25 * aggregationErrorEnergy(1000, 1, 0.1, 4), 1e-15);
  });

  it('the bound is the unrolled recursion: q_r^T Δ₀ + (1 − q_r^T) ε + Σ_t q_r^{T−1−t} (ℓ/2)E‖e‖² (minibatch noise inside q_r)', () => {
    const T = 30;
    for (const r of [1, 2, 8]) {
      const b = optimalityGap(constants, { r, rounds: T, entries: 10_000 * r, mse: 0.01, S: 2 });
      const k = constants.perRank.find((p) => p.r === r)!;
      const q = 1 - constants.contraction * k.kappa;
      // run the recursion g_{t+1} = F*_r + q (g_t − F*_r) + per-round error, on the gap to F*
      let gap = constants.f0 - constants.fstar;
      const perRound = (constants.L / 2) * aggregationErrorEnergy(10_000 * r, k.gain2, 0.01, 2);
      for (let t = 0; t < T; t++) gap = k.eps + q * (gap - k.eps) + perRound;
      expect(b.total).to.be.closeTo(gap, 1e-12 * (1 + gap));
      expect(b.q).to.equal(q);
      expect(b.variance).to.equal(0);
    }
    // with the measured white-noise curvature ℓ the aggregation term scales with ℓ, not L
    const withEll = optimalityGap({ ...constants, Lnoise: 0.01 }, { r: 2, rounds: T, entries: 20_000, mse: 0.01, S: 2 });
    const withL = optimalityGap(constants, { r: 2, rounds: T, entries: 20_000, mse: 0.01, S: 2 });
    expect(withEll.aggregation).to.be.closeTo((withL.aggregation * 0.01) / constants.L, 1e-15);
    expect(withEll.initial).to.equal(withL.initial);
    expect(withEll.truncation).to.equal(withL.truncation);
  });

  it('a rank\'s own white-noise curvature ℓ_r replaces ℓ where it is larger (and only there)', () => {
    const base = { ...constants, Lnoise: 0.01 };
    const at = (ell: number | undefined) => optimalityGap({ ...base, perRank: base.perRank.map((p) => (p.r === 2 ? { ...p, ...(ell !== undefined ? { ell } : {}) } : p)) }, { r: 2, rounds: 9, entries: 20_000, mse: 0.01, S: 2 });
    const plain = at(undefined);
    expect(at(0.004).aggregation).to.equal(plain.aggregation);
    expect(at(0.05).aggregation).to.be.closeTo(plain.aggregation * 5, 1e-15);
    expect(at(0.05).initial).to.equal(plain.initial);
  });

  it('no contraction (q = 1): the bound is Δ₀ plus T rounds of error', () => {
    const c = { ...constants, contraction: 0 };
    const b = optimalityGap(c, { r: 4, rounds: 7, entries: 100, mse: 0.5, S: 1 });
    const k = c.perRank.find((p) => p.r === 4)!;
    expect(b.total).to.be.closeTo(2 + 7 * (c.L / 2) * aggregationErrorEnergy(100, k.gain2, 0.5, 1), 1e-12);
    expect(() => optimalityGap(c, { r: 3, rounds: 7, entries: 100, mse: 0.5, S: 1 })).to.throw(/rank 3/);
  });

  it('the backtracking search lands on the grid argmin for unimodal bounds, including the smallest rank', () => {
    const grid = [1, 2, 4, 8, 16, 32, 64];
    for (let best = 0; best < grid.length; best++) {
      const score = (r: number) => ({ bound: (Math.log2(r) - best) ** 2 + 1, feasible: true });
      const res = searchRanks(grid, score);
      expect(res.chosen, `minimum at ${grid[best]}`).to.equal(grid[best]);
      expect(res.exhaustive).to.equal(grid[best]);
      expect(res.order.length).to.be.at.most(grid.length);
    }
    // five-point grid, rank 1 lowest: found from the default start (largest rank)
    const r1 = searchRanks([1, 2, 4, 8, 16], (r) => ({ bound: r, feasible: true }));
    expect(r1.chosen).to.equal(1);
    expect(r1.order[0]).to.equal(16);
  });

  it('reports the exhaustive argmin beside a search that stops at a local minimum, and prefers feasible ranks', () => {
    const bound: Record<number, number> = { 1: 0.1, 2: 0.5, 4: 0.4, 8: 0.3, 16: 0.35 };
    const res = searchRanks([1, 2, 4, 8, 16], (r) => ({ bound: bound[r]!, feasible: true }), 16);
    expect(res.exhaustive).to.equal(1);
    expect([1, 8]).to.include(res.chosen);
    // a latency budget that only ranks ≤ 4 meet: the infeasible (lower-bound) ranks are never chosen
    const lat = searchRanks([1, 2, 4, 8, 16], (r) => ({ bound: 1 / r, feasible: r <= 4 }));
    expect(lat.chosen).to.equal(4);
    expect(lat.exhaustive).to.equal(4);
  });
});
