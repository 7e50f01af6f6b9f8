/**
 * Over-the-air aggregation as a trainer `Aggregator`: every round draws the channel of all clients
 * (streams named by trial, round and client id — never by scheme, so every scheme compared in a run
 * sees the same draw) and runs the PHY's end-to-end aggregation (phy/aircomp/aggregate.ts: per-device
 * normalisation with side-channel mean and scale, transceiver design with the chosen scheme, MIMO-OFDM
 * superposition with noise, combining, de-mapping), and returns the distorted aggregate with its diagnostics
 * (NMSE against the ideal weighted average of the same round, air-time, energy, analytic MSE).
 */
import { NumericalError } from '../errors.js';
import { RandomStreams } from '../random/streams.js';
import { nmse, weightedAverage, type AggregationInput, type AggregationResult, type Aggregator } from '../fl/aggregator.js';
import { airAggregate } from '../phy/aircomp/aggregate.js';
import { precoderPower } from '../phy/aircomp/mse.js';
import type { AirCompScheme } from '../phy/aircomp/types.js';
import { generateChannel } from '../phy/channel/generate.js';
import type { ChannelRealization } from '../phy/types.js';
import { airCompEnergyJoules, airCompLatencySeconds, airCompSymbols } from '../phy/timing.js';
import type { RadioConfig } from './radio.js';
import { subsetChannel } from './subset.js';

export class ChannelSequence {
  private last?: { round: number; ch: ChannelRealization };

  constructor(private readonly radio: RadioConfig, private readonly streams: RandomStreams) {}

  /** The realisation of round `round` (1-based) for all clients; Gauss–Markov rounds are generated in order. */
  at(round: number): ChannelRealization {
    if (this.last?.round === round) return this.last.ch;
    const where = (r: number) => ({ trial: this.radio.trial, round: r });
    if (!this.radio.channel.temporal) {
      this.last = { round, ch: generateChannel(this.radio.channel, this.streams, where(round)) };
      return this.last.ch;
    }
    // Correlated across rounds: replay from round 1 (or continue) so a resumed run sees the same draws.
    let r = this.last && this.last.round < round ? this.last.round : 0;
    let ch = r > 0 ? this.last!.ch : undefined;
    while (r < round) {
      r++;
      ch = generateChannel(this.radio.channel, this.streams, where(r), ch);
    }
    this.last = { round, ch: ch! };
    return ch!;
  }
}

export class AirCompAggregator implements Aggregator {
  readonly name: string;
  private readonly channels: ChannelSequence;

  constructor(private readonly radio: RadioConfig, private readonly scheme: AirCompScheme, seed: number, name?: string) {
    this.name = name ?? scheme.name;
    this.channels = new ChannelSequence(radio, new RandomStreams(seed));
  }

  aggregate({ vectors, weights, context }: AggregationInput): AggregationResult {
    const t0 = performance.now();
    const ch = subsetChannel(this.channels.at(context.round), context.clients);
    const D = vectors[0]?.length ?? 0;
    const { S, M } = { S: this.radio.S, M: ch.M };
    const xs = vectors.map((v) => Float64Array.from(v));
    const { estimate, design, target } = airAggregate(
      ch, this.scheme, xs, weights,
      { sigma2: this.radio.sigma2, P: this.radio.P, powerMode: this.radio.powerMode, S },
      context.streams.stream('noise'), { path: this.radio.receivePath },
    );
    const out = Float32Array.from(estimate);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i]!)) throw new NumericalError(`over-the-air aggregate (${this.name}) has a non-finite entry at round ${context.round}`);
    }
    const ideal = weightedAverage(vectors, weights);
    const T = airCompSymbols(D, M, S);
    const pw = precoderPower(design, ch.K, M);
    const perDevice = new Float64Array(ch.K);
    for (let k = 0; k < ch.K; k++) for (let m = 0; m < M; m++) perDevice[k] += pw[k * M + m]!;
    const energy = airCompEnergyJoules(perDevice, T, this.radio.timing);
    let mse = 0;
    for (const v of design.analyticMse) mse += v;
    return {
      aggregate: out,
      diagnostics: {
        nmse: nmse(out, ideal),
        latencyS: design.exact ? 0 : airCompLatencySeconds(D, M, S, this.radio.timing),
        energyJ: energy.reduce((a, b) => a + b, 0),
        ofdmSymbols: T,
        mseAnalytic: mse / M,
        gain2: target.gain * target.gain,
        phyMs: performance.now() - t0,
        ...(design.info ?? {}),
      },
    };
  }
}
