/**
 * Channel-only simulation of a scheduler over T rounds: the delay side of split federated
 * fine-tuning without any model. The learning runner uses the same per-round draws, so what this
 * reports (round delays, queue, running average) is what a training run of the same scheduler
 * sees. Also used to pick, for a fixed-size baseline, the largest n that meets the delay budget.
 */
import { RandomStreams } from '../random/streams.js';
import { dropDevices, drawRoundSnrDensity, type SplitRadio } from './radio.js';
import { VirtualQueue } from './queue.js';
import type { Decision, Scheduler } from './schedulers/types.js';
import { fixedLoads, type LoadModel } from './loads.js';
import { mixedSize, type SizeSchedule } from './schedulers/fixed-size.js';

export interface DelayRecord {
  round: number;
  scheduled: number[];
  roundDelayS: number;
  /** backlog after this round, Q_{t+1} */
  queue: number;
  /** running average of the round delays up to and including this round */
  averageDelayS: number;
}

/** The per-trial radio: large-scale gains are fixed, small-scale fading redrawn per round. */
export class SplitChannel {
  readonly largeScale: Float64Array;
  constructor(readonly streams: RandomStreams, readonly trial: number, readonly radio: SplitRadio) {
    this.largeScale = dropDevices(streams, trial, radio).gain;
  }
  snrDensity(round: number): Float64Array {
    return drawRoundSnrDensity(this.streams, this.trial, round, this.radio, this.largeScale);
  }
}

/** Drives one scheduler round by round, keeping its own virtual queue. */
export class ScheduleLoop {
  readonly queue: VirtualQueue;
  constructor(
    readonly scheduler: Scheduler,
    readonly channel: SplitChannel,
    readonly horizon: number,
    readonly budgetS: number,
  ) {
    this.queue = new VirtualQueue(budgetS);
  }

  /** One round: the scheduler decides on this round's channel and loads; the loads see who sent. */
  step(round: number, loads: LoadModel | Float64Array): { decision: Decision; record: DelayRecord; upBits: Float64Array } {
    const model = loads instanceof Float64Array ? fixedLoads(loads) : loads;
    const snrDensity = this.channel.snrDensity(round);
    const upBits = model.upBits(round);
    const decision = this.scheduler.decide({
      round,
      horizon: this.horizon,
      snrDensity,
      payloadBits: upBits,
      bandwidthHz: this.channel.radio.bandwidthHz,
      queue: this.queue.backlog,
      budgetS: this.budgetS,
      ...model.extras(snrDensity),
    });
    model.commit(round, decision.scheduled);
    const q = this.queue.push(decision.roundDelayS);
    return {
      decision,
      record: { round, scheduled: decision.scheduled, roundDelayS: decision.roundDelayS, queue: q, averageDelayS: this.queue.averageDelay },
      upBits,
    };
  }
}

/**
 * `rounds` rounds of `scheduler`. `weightHorizon` is the T of the Lyapunov round weights
 * w_t = ρ^{max(0, T−1−t)} (default `rounds`); a long run past a training horizon T keeps w_t = 1 after
 * it, so its first T rounds are exactly those of the training run.
 */
export function simulateDelays(
  scheduler: Scheduler, channel: SplitChannel, rounds: number, budgetS: number, loads: LoadModel | Float64Array,
  weightHorizon = rounds,
): DelayRecord[] {
  const model = loads instanceof Float64Array ? fixedLoads(loads) : loads.fresh();
  const loop = new ScheduleLoop(scheduler, channel, weightHorizon, budgetS);
  const out: DelayRecord[] = [];
  for (let t = 0; t < rounds; t++) out.push(loop.step(t, model).record);
  return out;
}

export interface BudgetMatch {
  /** n devices per round, n + 1 in a fraction p of the rounds */
  n: number;
  p: number;
  /** average delay of the matched baseline over the horizon on this channel */
  achievedS: number;
  /** even one device per round exceeds the budget on average */
  overBudget: boolean;
}

/**
 * The size of a fixed-size baseline that meets the average-delay budget over the horizon on this
 * channel: the largest integer n that fits (a scan from n = K down), then the fraction p = j / T of
 * rounds with n + 1 devices (spread evenly) whose average comes closest to τ̄ from below (p = 0 when
 * n = K). So the
 * baseline uses the budget as fully as an integer count allows, instead of ending anywhere between
 * 0.6 and 1 τ̄. It uses the very draws the training run will see, an oracle calibration in the
 * baselines' favour. If one device per round is already over budget, n = 1 and `overBudget` is set.
 */
export function matchBudget(
  make: (size: SizeSchedule) => Scheduler, channel: SplitChannel, horizon: number, budgetS: number, loads: LoadModel | Float64Array,
): BudgetMatch {
  const avg = (size: SizeSchedule) => {
    const recs = simulateDelays(make(size), channel, horizon, budgetS, loads);
    return recs[recs.length - 1]!.averageDelayS;
  };
  const K = channel.radio.devices;
  let n = K;
  let a = avg(mixedSize(n));
  while (n > 1 && a > budgetS) a = avg(mixedSize(--n));
  if (a > budgetS) return { n: 1, p: 0, achievedS: a, overBudget: true };
  if (n === K) return { n, p: 0, achievedS: a, overBudget: false };
  // every evenly spread pattern with j of the horizon's rounds at n + 1 (p = j / T): the average is not
  // monotone in j under heavy-tailed delays, so all are tried and the largest one within τ̄ kept
  let bestP = 0;
  let best = a;
  for (let j = 1; j < horizon; j++) {
    const v = avg(mixedSize(n, j / horizon));
    if (v <= budgetS && v > best) {
      best = v;
      bestP = j / horizon;
    }
  }
  return { n, p: bestP, achievedS: best, overBudget: false };
}
