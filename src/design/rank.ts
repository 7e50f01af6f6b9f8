/**
 * Rank search of the design loop: a backtracking pattern search along the sorted rank grid, beside the
 * exhaustive argmin of the same bound (both are reported; the grid is small and every point is cheap
 * once the constants are known).
 *
 * Search: start at the largest rank within the latency budget (the paper's start at r_max; walk down
 * while the start is infeasible) or at `start`; with a step of s grid positions (s the largest power of
 * two ≤ (n − 1)/2), look at both neighbours at ±s and move to the better one while the bound improves;
 * when neither improves, backtrack: halve s and look again closer; stop when s < 1. Feasible points beat
 * infeasible ones; among equals the lower bound wins. A grid whose bound is not unimodal can make the
 * search stop at a local minimum: the exhaustive argmin is reported next to it for that reason.
 */
import { UserInputError } from '../errors.js';

export interface RankScore {
  bound: number;
  feasible: boolean;
}

export interface RankSearchResult {
  /** rank the search chose */
  chosen: number;
  /** grid argmin of the bound (feasible ranks first) */
  exhaustive: number;
  /** ranks in the order the search evaluated them */
  order: number[];
}

export function checkGrid(grid: readonly number[]): number[] {
  const g = [...new Set(grid)].sort((a, b) => a - b);
  if (g.length === 0 || g.some((r) => !Number.isInteger(r) || r < 1)) {
    throw new UserInputError(`airfl.design.ranks: [${grid.join(', ')}] is not allowed; expected a non-empty list of integers ≥ 1`, 'airfl.design.ranks');
  }
  return g;
}

const better = (a: RankScore, b: RankScore) => (a.feasible !== b.feasible ? a.feasible : a.bound < b.bound);

export function searchRanks(gridIn: readonly number[], score: (r: number) => RankScore, start?: number): RankSearchResult {
  const grid = checkGrid(gridIn);
  const seen = new Map<number, RankScore>();
  const order: number[] = [];
  const at = (i: number): RankScore => {
    const r = grid[i]!;
    let s = seen.get(r);
    if (!s) {
      s = score(r);
      seen.set(r, s);
      order.push(r);
    }
    return s;
  };
  let cur: number;
  if (start !== undefined && grid.includes(start)) cur = grid.indexOf(start);
  else {
    cur = grid.length - 1;
    while (cur > 0 && !at(cur).feasible) cur--;
  }
  let step = 1;
  while (step * 2 <= (grid.length - 1) / 2) step *= 2;
  for (;;) {
    let best = cur;
    for (const j of [cur - step, cur + step]) {
      if (j < 0 || j >= grid.length) continue;
      if (better(at(j), at(best))) best = j;
    }
    if (best !== cur) {
      cur = best;
      continue;
    }
    if (step === 1) break;
    step >>= 1; // backtrack: look closer around the best point so far
  }
  // exhaustive argmin over the whole grid (scores of points the search skipped are computed here)
  const all = grid.map((r) => seen.get(r) ?? score(r));
  let ex = 0;
  for (let i = 1; i < grid.length; i++) if (better(all[i]!, all[ex]!)) ex = i;
  return { chosen: grid[cur]!, exhaustive: grid[ex]!, order };
}
