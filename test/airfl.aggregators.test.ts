import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { AirCompAggregator } from '../src/fl/aggregators/aircomp.js';
import { DigitalAggregator } from '../src/fl/aggregators/digital.js';
import { ChannelSequence } from '../src/phy/channel/sequence.js';
import { subsetChannel } from '../src/phy/channel/subset.js';
import type { RadioConfig } from '../src/phy/radio.js';
import { ZfScheme } from '../src/phy/aircomp/zf.js';
import { MmseScheme } from '../src/phy/aircomp/mmse.js';
import { IdealScheme } from '../src/phy/aircomp/ideal.js';
import { weightedAverage, type AggregationInput } from '../src/fl/aggregator.js';

const N = 6;
function radio(sigma2: number): RadioConfig {
  return {
    channel: { K: N, Nr: 8, Nt: 2, M: 16, iidSubcarriers: true }, S: 2, P: 1, sigma2,
    powerMode: 'subcarrier', receivePath: 'effective', timing: { subcarrierSpacingHz: 15e3 }, trial: 0,
  };
}

function input(round: number, clients: number[]): AggregationInput {
  const rng = new RandomStreams(5).stream('vec', round);
  const vectors = clients.map(() => Float32Array.from({ length: 300 }, () => 0.01 * rng.normal() + 0.002));
  const w = Float64Array.from(clients.map((_, i) => i + 1));
  const s = w.reduce((a, b) => a + b, 0);
  return { vectors, weights: w.map((x) => x / s), context: { round, clients, streams: new RandomStreams(9).child('aggregation', round), upload: 'delta' } };
}

function rel(a: Float32Array, b: Float64Array): number {
  let e = 0, p = 0;
  for (let i = 0; i < b.length; i++) {
    e += (a[i]! - b[i]!) ** 2;
    p += b[i]! ** 2;
  }
  return Math.sqrt(e / p);
}

describe('airfl/aggregators', () => {
  it('zero noise with zf returns the weighted average (to float32 precision)', () => {
    const agg = new AirCompAggregator(radio(0), new ZfScheme(), 1);
    const inp = input(1, [0, 2, 3, 5]);
    const res = agg.aggregate(inp);
    expect(rel(res.aggregate, weightedAverage(inp.vectors, inp.weights))).to.be.below(1e-6);
    expect(res.diagnostics.latencyS).to.be.greaterThan(0);
    expect(res.diagnostics.ofdmSymbols).to.equal(Math.ceil(300 / (2 * 16 * 2)));
  });

  it('with noise the aggregate is distorted; mmse is no worse than zf in analytic MSE on the same draw', () => {
    const inp = input(2, [0, 1, 2, 3, 4, 5]);
    const zf = new AirCompAggregator(radio(0.05), new ZfScheme(), 1).aggregate(inp);
    const mm = new AirCompAggregator(radio(0.05), new MmseScheme(), 1).aggregate(inp);
    expect(zf.diagnostics.nmse).to.be.greaterThan(1e-6);
    expect(mm.diagnostics.mseAnalytic!).to.be.at.most(zf.diagnostics.mseAnalytic! * (1 + 1e-9));
  });

  it('a client keeps its channel whichever subset is selected; the ideal scheme is exact', () => {
    const seq = new ChannelSequence(radio(0.1), new RandomStreams(3));
    const all = seq.at(4);
    const sub = subsetChannel(all, [4, 1]);
    const block = 2 * 16 * 8 * 2;
    expect(Array.from(sub.H.data.subarray(0, block))).to.deep.equal(Array.from(all.H.data.subarray(4 * block, 5 * block)));
    const inp = input(3, [1, 4]);
    const res = new AirCompAggregator(radio(0.1), new IdealScheme(), 1).aggregate(inp);
    expect(rel(res.aggregate, weightedAverage(inp.vectors, inp.weights))).to.be.below(1e-6);
  });

  it('digital upload at 32 bits is exact and reports a positive air-time; 4 bits adds quantisation error', () => {
    const inp = input(1, [0, 1, 2]);
    const d32 = new DigitalAggregator(radio(0.01), 32, 1).aggregate(inp);
    expect(rel(d32.aggregate, weightedAverage(inp.vectors, inp.weights))).to.be.below(1e-6);
    expect(d32.diagnostics.latencyS).to.be.greaterThan(0);
    const d4 = new DigitalAggregator(radio(0.01), 4, 1).aggregate(inp);
    expect(d4.diagnostics.nmse).to.be.greaterThan(1e-4);
    expect(d4.diagnostics.latencyS!).to.be.below(d32.diagnostics.latencyS!);
  });
});
