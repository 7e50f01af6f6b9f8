/**
 * The start-up checks every run and `airlora validate` make on a validated scenario, beyond its schema
 * and its run kind's own resolve(): the sweep's job count (counted, not expanded) and the memory the run
 * needs against the limit (memory.ts). They allocate nothing in proportion to the sizes they check.
 */
import { UserInputError } from '../errors.js';
import { checkMemory, type MemoryEstimate } from './memory.js';
import { MAX_SWEEP_JOBS } from './sections/sweep.js';

/** Jobs of a `sweep:` section: the product of the grid's list lengths × trials (0 without a sweep). */
export function sweepJobCount(scenario: unknown): number {
  const sweep = (scenario as { sweep?: { grid?: Record<string, unknown>; trials?: unknown } } | null)?.sweep;
  if (!sweep || typeof sweep !== 'object') return 0;
  const grid = sweep.grid && typeof sweep.grid === 'object' ? Object.values(sweep.grid) : [];
  const trials = typeof sweep.trials === 'number' && sweep.trials > 0 ? sweep.trials : 1;
  return grid.reduce((n: number, v) => n * (Array.isArray(v) ? v.length : 1), 1) * trials;
}

/** Throws a UserInputError naming the field when the scenario cannot run here; returns the memory estimate. */
export function startupChecks(scenario: unknown, opts: { limitBytes?: number } = {}): MemoryEstimate {
  const jobs = sweepJobCount(scenario);
  if (jobs > MAX_SWEEP_JOBS) {
    throw new UserInputError(`sweep.grid: ${jobs} jobs (grid lists × trials); at most ${MAX_SWEEP_JOBS} (split the sweep into several files)`, 'sweep.grid');
  }
  return checkMemory(scenario, opts.limitBytes);
}
