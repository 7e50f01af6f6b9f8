import { expect } from 'chai';
import { aggregationErrorEnergy, optimalityGap, truncationAt, type BoundConstants } from '../src/design/bound.js';
import { selectRank } from '../src/design/rank.js';

const constants: BoundConstants = {
  delta0: 2, contraction: 0.05, L: 4, variance: 1e-4, gain2: 1e-4,
  truncation: [{ r: 1, eps: 0.4 }, { r: 2, eps: 0.2 }, { r: 4, eps: 0.1 }, { r: 8, eps: 0.05 }, { r: 16, eps: 0.03 }, { r: 32, eps: 0.02 }, { r: 64, eps: 0.015 }],
};

describe('design/bound and rank selection', () => {
  it('aggregation error energy is linear in the payload and in the MSE', () => {
    expect(aggregationErrorEnergy(2000, 1, 0.1, 4)).to.be.closeTo(2 * aggregationErrorEnergy(1000, 1, 0.1, 4), 1e-15);
    expect(aggregationErrorEnergy(1000, 1, 0.2, 4)).to.be.closeTo(2 * aggregationErrorEnergy(1000, 1, 0.1, 4), 1e-15);
  });

  it('the bound is the closed-form geometric sum of its terms', () => {
    const T = 30, q = 1 - constants.contraction;
    const b = optimalityGap(constants, { r: 8, rounds: T, entries: 10_000, mseMean: 0.01, S: 2 });
    let geo = 0;
    for (let t = 0; t < T; t++) geo += Math.pow(q, T - 1 - t);
    const e = aggregationErrorEnergy(10_000, constants.gain2, 0.01, 2);
    expect(b.total).to.be.closeTo(Math.pow(q, T) * 2 + geo * (2 * e + 1e-4) + 0.05, 1e-12);
  });

  it('ε(r) is exact on the grid and monotone between points', () => {
    expect(truncationAt(constants, 8)).to.equal(0.05);
    const a = truncationAt(constants, 5), b = truncationAt(constants, 6);
    expect(a).to.be.below(0.1).and.above(b);
    expect(b).to.be.above(0.05);
  });

  it('backtracking finds the grid minimum of the bound (checked against exhaustive evaluation)', () => {
    const grid = [1, 2, 4, 8, 16, 32, 64];
    for (const mse of [1e-4, 1e-3, 1e-2, 1e-1, 1]) {
      const entries = (r: number) => 10_000 * r;
      const res = selectRank({ grid, entries, designMse: () => mse, latencyS: () => 0, constants, rounds: 30, S: 2 });
      const all = grid.map((r) => optimalityGap(constants, { r, rounds: 30, entries: entries(r), mseMean: mse, S: 2 }).total);
      const best = grid[all.indexOf(Math.min(...all))]!;
      expect(res.chosen.r, `mse ${mse}`).to.equal(best);
      expect(res.tried.length).to.be.at.most(grid.length);
    }
  });

  it('more aggregation error moves the chosen rank down; a latency budget is respected', () => {
    const grid = [1, 2, 4, 8, 16, 32, 64];
    const pick = (mse: number, budget?: number) => selectRank({
      grid, entries: (r) => 10_000 * r, designMse: () => mse, latencyS: (r) => r * 1e-3, latencyBudgetS: budget, constants, rounds: 30, S: 2,
    }).chosen;
    expect(pick(1e-4).r).to.be.at.least(pick(1).r);
    const c = pick(1e-4, 4.5e-3);
    expect(c.r).to.be.at.most(4);
    expect(c.feasible).to.equal(true);
  });
});
