import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { digitalUpload, mimoSpectralEfficiency, quantize } from '../src/phy/digital/ofdma.js';
import { airCompLatencySeconds, airCompSymbols, ofdmSymbolSeconds } from '../src/phy/timing.js';

describe('phy/digital and timing', () => {
  it('stochastic quantiser is unbiased and its error is bounded by one step', () => {
    const rng = new RandomStreams(1).stream('q');
    const x = Float64Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const reps = 4000;
    const acc = new Float64Array(64);
    const step = (Math.max(...x) - Math.min(...x)) / (2 ** 3 - 1);
    let worst = 0;
    for (let r = 0; r < reps; r++) {
      const q = quantize(x, 3, rng);
      for (let i = 0; i < 64; i++) {
        worst = Math.max(worst, Math.abs(q[i]! - x[i]!));
        acc[i] += q[i]!;
      }
    }
    expect(worst).to.be.at.most(step + 1e-6);
    // per-entry variance ≤ step²/4, so the mean of `reps` draws has sd ≤ step/(2√reps)
    for (let i = 0; i < 64; i++) expect(acc[i]! / reps).to.be.closeTo(x[i]!, 5 * step / (2 * Math.sqrt(reps)));
  });

  it('single-antenna spectral efficiency is log2(1 + p|h|²/σ²)', () => {
    const ch = generateChannel({ K: 2, Nr: 1, Nt: 1, M: 4, iidSubcarriers: true }, new RandomStreams(2), { trial: 0, round: 0 });
    const h2 = ch.H.data[2 * (1 * 4 + 3)]! ** 2 + ch.H.data[2 * (1 * 4 + 3) + 1]! ** 2;
    expect(mimoSpectralEfficiency(ch, 1, 3, 2, 0.5)).to.be.closeTo(Math.log2(1 + (2 * h2) / 0.5), 1e-12);
  });

  it('32-bit upload returns the weighted average; latency is payload over rate; FDMA takes the slowest device', () => {
    const K = 3, M = 6;
    const ch = generateChannel({ K, Nr: 2, Nt: 2, M, iidSubcarriers: true }, new RandomStreams(3), { trial: 0, round: 0 });
    const xs = [0, 1, 2].map((k) => Float64Array.from({ length: 10 }, (_, i) => Math.fround(k + i / 10)));
    const phi = [0.2, 0.3, 0.5];
    const res = digitalUpload(ch, xs, phi, { bits: 32, P: 1, sigma2: 0.1, subcarrierSpacingHz: 15e3 }, (k) => new RandomStreams(4).stream('q', k));
    for (let i = 0; i < 10; i++) expect(res.estimate[i]).to.be.closeTo(0.2 * xs[0]![i]! + 0.3 * xs[1]![i]! + 0.5 * xs[2]![i]!, 1e-12);
    expect(res.access).to.equal('fdma');
    expect(res.payloadBits).to.equal(320);
    for (let k = 0; k < K; k++) expect(res.deviceLatencyS[k]).to.be.closeTo(320 / res.rateBps[k]!, 1e-15);
    expect(res.latencyS).to.equal(Math.max(...res.deviceLatencyS));
  });

  it('over-the-air air-time grows with the payload: T = ceil(D / 2MS) symbols of (1+cp)/Δf', () => {
    expect(airCompSymbols(454_656, 256, 4)).to.equal(222);
    expect(ofdmSymbolSeconds({ subcarrierSpacingHz: 15e3, cpFraction: 0.07 })).to.be.closeTo(1.07 / 15e3, 1e-15);
    expect(airCompLatencySeconds(2 * 256 * 4 + 1, 256, 4, { subcarrierSpacingHz: 30e3 })).to.be.closeTo(2 * 1.07 / 30e3, 1e-15);
  });
});
