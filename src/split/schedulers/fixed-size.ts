/**
 * Baseline schedulers that take a fixed number of devices per round, and All-in.
 *
 * - All-in: every device every round, bandwidth equalising the delays (minimum round delay); it
 *   ignores the delay budget.
 * - Random: n devices uniformly without replacement (stream 'split-schedule', trial, round), equal
 *   bandwidth B / n.
 * - Best-channel: the n largest SNR densities, min-max bandwidth.
 * - Round robin: devices (t n + i) mod K, i < n, equal bandwidth.
 * The bandwidth rule of each can be overridden (`bandwidth`), so a comparison can isolate scheduling.
 * The count may vary by round (`SizeSchedule`): a budget-matched baseline mixes n and n + 1 devices so
 * that its average delay meets the budget (delay-sim.ts, matchBudget).
 */
import type { RandomStreams } from '../../random/streams.js';
import { equalAllocation, minMaxAllocation, type Allocation } from '../bandwidth.js';
import { UserInputError } from '../../errors.js';
import { byChannel } from './lyapunov.js';
import { linksOf, type BandwidthRule, type Decision, type RoundState, type Scheduler } from './types.js';

function allocate(rule: BandwidthRule, members: number[], st: RoundState): Allocation {
  const L = linksOf(st);
  return rule === 'equal' ? equalAllocation(members, L, st.bandwidthHz) : minMaxAllocation(members, L, st.bandwidthHz);
}

function checkCount(n: number, field: string): void {
  if (!Number.isInteger(n) || n < 1) throw new UserInputError(`${field} = ${n}: must be an integer ≥ 1`, field);
}

/** Devices per round of a fixed-size baseline. */
export interface SizeSchedule {
  count(round: number): number;
  /** devices scheduled in rounds 0..round−1 (round robin continues from there) */
  before(round: number): number;
}

/**
 * n devices per round, n + 1 in a fraction p of the rounds, spread evenly (round t takes n + 1 when
 * ⌊(t+1)p⌋ > ⌊tp⌋): the deterministic mixture that hits a fractional average size.
 */
export function mixedSize(n: number, p = 0): SizeSchedule {
  checkCount(n, 'split.baseline_devices');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`mixedSize: p = ${p} must be in [0, 1]`);
  return {
    count: (t) => n + (Math.floor((t + 1) * p) > Math.floor(t * p) ? 1 : 0),
    before: (t) => t * n + Math.floor(t * p),
  };
}

const sizeOf = (c: number | SizeSchedule): SizeSchedule => (typeof c === 'number' ? mixedSize(c) : c);

export class AllInScheduler implements Scheduler {
  readonly name = 'all-in';
  constructor(private readonly bandwidth: BandwidthRule = 'min-max') {}
  decide(st: RoundState): Decision {
    const members = Array.from({ length: st.snrDensity.length }, (_, i) => i);
    return { ...allocate(this.bandwidth, members, st), scheduled: members };
  }
}

export class RandomScheduler implements Scheduler {
  readonly name = 'random';
  private readonly size: SizeSchedule;
  constructor(
    count: number | SizeSchedule,
    private readonly streams: RandomStreams,
    private readonly trial: number,
    private readonly bandwidth: BandwidthRule = 'equal',
  ) {
    this.size = sizeOf(count);
  }
  decide(st: RoundState): Decision {
    const K = st.snrDensity.length;
    const members = this.streams.stream('split-schedule', this.trial, st.round).sample(K, Math.min(this.size.count(st.round), K)).sort((a, b) => a - b);
    return { ...allocate(this.bandwidth, members, st), scheduled: members };
  }
}

export class BestChannelScheduler implements Scheduler {
  readonly name = 'best-channel';
  private readonly size: SizeSchedule;
  constructor(count: number | SizeSchedule, private readonly bandwidth: BandwidthRule = 'min-max') {
    this.size = sizeOf(count);
  }
  decide(st: RoundState): Decision {
    const members = byChannel(st.snrDensity).slice(0, Math.min(this.size.count(st.round), st.snrDensity.length)).sort((a, b) => a - b);
    return { ...allocate(this.bandwidth, members, st), scheduled: members };
  }
}

export class RoundRobinScheduler implements Scheduler {
  readonly name = 'round-robin';
  private readonly size: SizeSchedule;
  constructor(count: number | SizeSchedule, private readonly bandwidth: BandwidthRule = 'equal') {
    this.size = sizeOf(count);
  }
  decide(st: RoundState): Decision {
    const K = st.snrDensity.length;
    const n = Math.min(this.size.count(st.round), K);
    const start = this.size.before(st.round);
    const set = new Set<number>();
    for (let i = 0; i < n; i++) set.add((start + i) % K);
    const members = [...set].sort((a, b) => a - b);
    return { ...allocate(this.bandwidth, members, st), scheduled: members };
  }
}
