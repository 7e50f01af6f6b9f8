import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { UserInputError } from '../src/errors.js';
import { generateChannel, applyChannelFreq } from '../src/phy/channel/index.js';
import { resourceGrid, gridIndex, ofdmModulate, ofdmDemodulate, convolveMimo, fftPlan, type TimeSignal } from '../src/phy/ofdm/index.js';

function randomGrid(T: number, M: number, A: number, seed: number) {
  const g = resourceGrid(T, M, A);
  new RandomStreams(seed).stream('grid').fillComplexNormal(g.data, 1);
  return g;
}

function relErr(a: Float64Array, b: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

function maxAbs(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('phy/ofdm', () => {
  it('grid index: layer fastest, then subcarrier, then OFDM symbol', () => {
    const g = resourceGrid(3, 5, 2);
    expect(gridIndex(g, 0, 0, 1)).to.equal(1);
    expect(gridIndex(g, 0, 1, 0)).to.equal(2);
    expect(gridIndex(g, 1, 0, 0)).to.equal(10);
    expect(g.data.length).to.equal(2 * 3 * 5 * 2);
  });

  it('demodulate(modulate(X)) = X (fftSize > M, with and without CP)', () => {
    const X = randomGrid(3, 12, 2, 1);
    for (const cp of [0, 4]) {
      const sig = ofdmModulate(X, { fftSize: 16, cp });
      expect(sig.samples).to.equal(3 * (16 + cp));
      const Y = ofdmDemodulate(sig, 12, { fftSize: 16, cp });
      expect(maxAbs(Y.data, X.data)).to.be.below(1e-14);
    }
  });

  it('time-domain path (IFFT, CP, MIMO convolution, CP removal, FFT) equals Y[m] = H[m] X[m] when CP ≥ L − 1', () => {
    const L = 6, N = 64, M = 48, T = 3, Nt = 2, Nr = 3;
    const ch = generateChannel(
      { K: 2, Nr, Nt, M, fftSize: N, multipath: { taps: L, decayDb: 1 }, correlation: { device: 0.3, server: 0.5 } },
      new RandomStreams(12), { trial: 0, round: 0 },
    );
    for (const cp of [L - 1, L + 3]) {
      const params = { fftSize: N, cp };
      const Ytime = resourceGrid(T, M, Nr);
      const Yfreq = new Float64Array(2 * T * M * Nr);
      let rx: TimeSignal | undefined;
      for (let k = 0; k < ch.K; k++) {
        const X = randomGrid(T, M, Nt, 100 + k);
        rx = convolveMimo(ofdmModulate(X, params), ch.taps!, k * L, L, rx, k > 0); // superposition of devices
        applyChannelFreq(ch, k, X.data, Yfreq, k > 0);
      }
      Ytime.data.set(ofdmDemodulate(rx!, M, params).data);
      expect(maxAbs(Ytime.data, Yfreq), `cp=${cp}`).to.be.below(1e-9);
    }
  });

  it('a CP shorter than the channel leaves inter-symbol interference', () => {
    const L = 8, N = 32, M = 32, T = 4;
    const ch = generateChannel({ K: 1, Nr: 2, Nt: 2, M, multipath: { taps: L } }, new RandomStreams(5), { trial: 0, round: 0 });
    const X = randomGrid(T, M, 2, 9);
    const Yfreq = applyChannelFreq(ch, 0, X.data, new Float64Array(2 * T * M * 2));
    const errs = [L - 1, 4, 1, 0].map((cp) => {
      const params = { fftSize: N, cp };
      const Y = ofdmDemodulate(convolveMimo(ofdmModulate(X, params), ch.taps!, 0, L), M, params);
      return relErr(Y.data, Yfreq);
    });
    expect(errs[0]).to.be.below(1e-12);
    // uniform PDP over 8 taps: 3 of 8 (cp = 4) up to 7 of 8 (cp = 0) tap powers leak → large error
    for (const e of errs.slice(1)) expect(e).to.be.above(0.1);
    expect(errs[3]).to.be.above(errs[1]!);
  });

  it('non-power-of-two FFT sizes and bad CPs are refused with UserInputError', () => {
    expect(() => fftPlan(24)).to.throw(UserInputError);
    const X = randomGrid(1, 8, 1, 1);
    expect(() => ofdmModulate(X, { fftSize: 12, cp: 0 })).to.throw(UserInputError).with.property('field', 'ofdm.fftSize');
    expect(() => ofdmModulate(X, { fftSize: 4, cp: 0 })).to.throw(UserInputError).with.property('field', 'ofdm.fftSize');
    expect(() => ofdmModulate(X, { fftSize: 8, cp: -1 })).to.throw(UserInputError).with.property('field', 'ofdm.cp');
  });
});
