/**
 * Rank selection by the backtracking-based alternating algorithm (papers.md §1.3, reconstructed):
 *
 *  for a candidate rank r
 *    alternate (i) the receive beamformer F (manifold step) and (ii) the power scale η / precoders
 *    (closed form for zero-forcing) — done by `designMse(r)`, which returns the mean per-subcarrier MSE
 *    of the transceivers for that rank's payload;
 *    evaluate the bound Gap_T(r) (bound.ts) and the per-round air-time T(r)·T_sym;
 *  move along the rank grid from a start index with a step of `step` grid positions: take the better
 *  neighbour while the bound improves; when neither neighbour improves (or violates the latency budget),
 *  halve the step (backtrack); stop when the step falls below one grid position.
 *
 * Every rank evaluated is reported, so the caller can plot the bound over the grid next to measured
 * perplexities.
 */
import { UserInputError } from '../errors.js';
import { optimalityGap, type BoundConstants, type BoundTerms } from './bound.js';

export interface RankCandidate {
  r: number;
  entries: number;
  latencyS: number;
  mseMean: number;
  bound: BoundTerms;
  feasible: boolean;
}

export interface RankSelectionInput {
  grid: number[];
  /** D(r) of one device's upload */
  entries: (r: number) => number;
  /** transceiver design for rank r: mean per-subcarrier MSE (and anything else to log) */
  designMse: (r: number) => number;
  latencyS: (r: number) => number;
  latencyBudgetS?: number | undefined;
  constants: BoundConstants;
  rounds: number;
  S: number;
  /** starting grid index (default: the middle) */
  start?: number;
}

export interface RankSelection {
  chosen: RankCandidate;
  /** in the order evaluated */
  tried: RankCandidate[];
}

export function selectRank(inp: RankSelectionInput): RankSelection {
  const grid = [...inp.grid].sort((a, b) => a - b);
  if (grid.length === 0 || grid.some((r) => !Number.isInteger(r) || r < 1)) {
    throw new UserInputError(`design.ranks: [${inp.grid.join(', ')}] is not allowed; expected a non-empty list of integers ≥ 1`, 'design.ranks');
  }
  const cache = new Map<number, RankCandidate>();
  const tried: RankCandidate[] = [];
  const evalAt = (i: number): RankCandidate => {
    const r = grid[i]!;
    let c = cache.get(r);
    if (!c) {
      const entries = inp.entries(r);
      const mseMean = inp.designMse(r);
      const latencyS = inp.latencyS(r);
      const bound = optimalityGap(inp.constants, { r, rounds: inp.rounds, entries, mseMean, S: inp.S });
      const feasible = inp.latencyBudgetS === undefined || latencyS <= inp.latencyBudgetS;
      c = { r, entries, latencyS, mseMean, bound, feasible };
      cache.set(r, c);
      tried.push(c);
    }
    return c;
  };
  const better = (a: RankCandidate, b: RankCandidate) =>
    a.feasible !== b.feasible ? a.feasible : a.bound.total < b.bound.total;

  let cur = Math.min(grid.length - 1, Math.max(0, inp.start ?? Math.floor((grid.length - 1) / 2)));
  let step = Math.max(1, 2 ** Math.floor(Math.log2(Math.max(1, grid.length / 4))));
  // If the start violates the latency budget, walk down until feasible (smaller rank → fewer symbols).
  while (!evalAt(cur).feasible && cur > 0) cur--;
  for (;;) {
    const here = evalAt(cur);
    let moved = false;
    for (const j of [cur - step, cur + step]) {
      if (j < 0 || j >= grid.length) continue;
      const c = evalAt(j);
      if (better(c, here) && (!moved || better(c, evalAt(cur)))) {
        cur = j;
        moved = true;
      }
    }
    if (!moved) {
      if (step === 1) break;
      step = Math.max(1, step >> 1); // backtrack: shorter step
    }
  }
  return { chosen: evalAt(cur), tried };
}
