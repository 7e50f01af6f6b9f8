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
  constructor(
    private readonly count: number,
    private readonly streams: RandomStreams,
    private readonly trial: number,
    private readonly bandwidth: BandwidthRule = 'equal',
  ) {
    checkCount(count, 'split.scheduler.devicesPerRound');
  }
  decide(st: RoundState): Decision {
    const K = st.snrDensity.length;
    const members = this.streams.stream('split-schedule', this.trial, st.round).sample(K, Math.min(this.count, K)).sort((a, b) => a - b);
    return { ...allocate(this.bandwidth, members, st), scheduled: members };
  }
}

export class BestChannelScheduler implements Scheduler {
  readonly name = 'best-channel';
  constructor(private readonly count: number, private readonly bandwidth: BandwidthRule = 'min-max') {
    checkCount(count, 'split.scheduler.devicesPerRound');
  }
  decide(st: RoundState): Decision {
    const members = byChannel(st.snrDensity).slice(0, Math.min(this.count, st.snrDensity.length)).sort((a, b) => a - b);
    return { ...allocate(this.bandwidth, members, st), scheduled: members };
  }
}

export class RoundRobinScheduler implements Scheduler {
  readonly name = 'round-robin';
  constructor(private readonly count: number, private readonly bandwidth: BandwidthRule = 'equal') {
    checkCount(count, 'split.scheduler.devicesPerRound');
  }
  decide(st: RoundState): Decision {
    const K = st.snrDensity.length;
    const n = Math.min(this.count, K);
    const set = new Set<number>();
    for (let i = 0; i < n; i++) set.add((st.round * n + i) % K);
    const members = [...set].sort((a, b) => a - b);
    return { ...allocate(this.bandwidth, members, st), scheduled: members };
  }
}
