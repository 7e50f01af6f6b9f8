/**
 * Over-the-air aggregation as a trainer `Aggregator`: every round draws the channel of all clients
 * (streams named by trial, round and client id — never by scheme, so every scheme compared in a run
 * sees the same draw) and runs the PHY's end-to-end aggregation (phy/aircomp/aggregate.ts: per-device
 * normalisation with side-channel mean and scale, transceiver design with the chosen scheme, MIMO-OFDM
 * superposition with noise, combining, de-mapping), and returns the distorted aggregate with its diagnostics
 * (NMSE against the ideal weighted average of the same round, air-time, energy, analytic MSE).
 */
import { NumericalError } from '../../errors.js';
import { RandomStreams } from '../../random/streams.js';
import { nmse, weightedAverage, type AggregationInput, type AggregationResult, type Aggregator } from '../aggregator.js';
import { airAggregate } from '../../phy/aircomp/aggregate.js';
import { precoderPower } from '../../phy/aircomp/mse.js';
import type { AirCompScheme } from '../../phy/aircomp/types.js';
import { airCompEnergyJoules, airCompLatencySeconds, airCompSymbols } from '../../phy/timing.js';
import type { RadioConfig } from '../../phy/radio.js';
import { ChannelSequence } from '../../phy/channel/sequence.js';
import { subsetChannel } from '../../phy/channel/subset.js';

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
