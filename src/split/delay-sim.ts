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

  step(round: number, payloadBits: Float64Array): { decision: Decision; record: DelayRecord } {
    const decision = this.scheduler.decide({
      round,
      horizon: this.horizon,
      snrDensity: this.channel.snrDensity(round),
      payloadBits,
      bandwidthHz: this.channel.radio.bandwidthHz,
      queue: this.queue.backlog,
      budgetS: this.budgetS,
    });
    const q = this.queue.push(decision.roundDelayS);
    return {
      decision,
      record: { round, scheduled: decision.scheduled, roundDelayS: decision.roundDelayS, queue: q, averageDelayS: this.queue.averageDelay },
    };
  }
}

/**
 * `rounds` rounds of `scheduler`. `weightHorizon` is the T of the Lyapunov round weights
 * w_t = ρ^{max(0, T−1−t)} (default `rounds`); a long run past a training horizon T keeps w_t = 1 after
 * it, so its first T rounds are exactly those of the training run.
 */
export function simulateDelays(
  scheduler: Scheduler, channel: SplitChannel, rounds: number, budgetS: number, payloadBits: Float64Array,
  weightHorizon = rounds,
): DelayRecord[] {
  const loop = new ScheduleLoop(scheduler, channel, weightHorizon, budgetS);
  const out: DelayRecord[] = [];
  for (let t = 0; t < rounds; t++) out.push(loop.step(t, payloadBits).record);
  return out;
}

/**
 * Largest n in [1, K] whose fixed-size scheduler keeps the average delay over the horizon within the
 * budget on this channel (1 if none does): a scan from n = K down, stopping at the first feasible n.
 * It uses the very draws the training run will see, an oracle calibration in the baselines' favour.
 */
export function matchBudget(
  make: (n: number) => Scheduler, channel: SplitChannel, horizon: number, budgetS: number, payloadBits: Float64Array,
): number {
  for (let n = channel.radio.devices; n >= 1; n--) {
    const recs = simulateDelays(make(n), channel, horizon, budgetS, payloadBits);
    if (recs[recs.length - 1]!.averageDelayS <= budgetS) return n;
  }
  return 1;
}
