import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { NumericalError, UserInputError } from '../src/errors.js';
import {
  symbolLayout, symbolIndex, mapToSymbols, normalizeAndMapAll, demapSymbols, normalizeAndMap, normalizationStats, denormalizeSymbols,
  aggregationTarget, denormalizeAggregate,
} from '../src/phy/ofdm/index.js';

function bytes(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function vec(D: number, seed: number, mean: number, sd: number): Float64Array {
  const x = new RandomStreams(seed).stream('x').fillNormal(new Float64Array(D), sd * sd);
  for (let i = 0; i < D; i++) x[i] = x[i]! + mean;
  return x;
}

describe('phy/ofdm/mapping', () => {
  it('layout: T = ceil(D / (2MS)); entry pair i sits at (t, m, s) with s fastest, then m, then t', () => {
    const L = symbolLayout(1001, 8, 4);
    expect(L.T).to.equal(Math.ceil(1001 / 64));
    expect(L.symbols).to.equal(L.T * 32);
    const x = Float64Array.from({ length: 1001 }, (_, i) => i);
    const sym = mapToSymbols(x, L);
    const [t, m, s] = [3, 5, 2];
    const i = symbolIndex(L, t, m, s);
    expect(i).to.equal((t * 8 + m) * 4 + s);
    expect([sym[2 * i], sym[2 * i + 1]]).to.deep.equal([2 * i, 2 * i + 1]);
    expect(sym[1001]).to.equal(0); // padding: the last symbol's imaginary part and beyond
    expect(sym.length).to.equal(2 * L.symbols);
    expect(symbolLayout(454_656, 256, 4).T).to.equal(222);
  });

  it('map → demap round trip is exact (odd D, reused output buffers)', () => {
    for (const D of [1, 63, 64, 1001]) {
      const L = symbolLayout(D, 4, 2);
      const x = vec(D, D, 0.3, 2);
      const buf = new Float64Array(2 * L.symbols).fill(7);
      const back = demapSymbols(mapToSymbols(x, L, buf), L);
      expect(bytes(back).equals(bytes(x))).to.equal(true);
      for (let i = D; i < buf.length; i++) expect(buf[i]).to.equal(0);
    }
  });

  it('normalised symbols have zero mean and unit power per complex symbol; de-normalisation restores x', () => {
    const D = 10_000;
    const L = symbolLayout(D, 16, 2);
    const x = vec(D, 1, -4, 0.02);
    const { symbols, stats } = normalizeAndMap(x, L);
    let s = 0, p = 0;
    for (let i = 0; i < D; i++) {
      s += symbols[i]!;
      p += symbols[i]! ** 2;
    }
    expect(s / D).to.be.closeTo(0, 1e-12);
    expect(p / (D / 2)).to.be.closeTo(1, 1e-12); // E|s|² over the D/2 complex data symbols
    expect(stats.mean).to.be.closeTo(-4, 1e-3);
    expect(stats.scale).to.be.closeTo(0.02 * Math.SQRT2, 1e-3);
    const back = denormalizeSymbols(symbols, L, stats);
    for (let i = 0; i < D; i++) expect(back[i]).to.be.closeTo(x[i]!, 1e-14);
  });

  it('zero-noise aggregation of normalised symbols + de-normalisation = Σ φ_k x_k (1e-12)', () => {
    const D = 5003, K = 5;
    const L = symbolLayout(D, 8, 3);
    const xs = [vec(D, 1, 3, 0.01), vec(D, 2, -1, 5), vec(D, 3, 0, 1), new Float64Array(D).fill(2.5) /* constant: scale 0 */, vec(D, 5, 100, 0.5)];
    const phi = [0.1, 0.3, 0.2, 0.15, 0.25];
    const all = normalizeAndMapAll(xs, L);
    const mapped = all.symbols.map((symbols, k) => ({ symbols, stats: all.stats[k]! }));
    expect(bytes(mapped[1]!.symbols).equals(bytes(normalizeAndMap(xs[1]!, L).symbols))).to.equal(true);
    expect(mapped[3]!.stats.scale).to.equal(0);
    for (const commonScale of [true, false]) {
      const target = aggregationTarget(phi, mapped.map((m) => m.stats), { commonScale });
      if (commonScale) expect(target.weights.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-15);
      // what an ideal (noise-free, perfectly aligned) over-the-air sum delivers: Σ w_k s_k
      const agg = new Float64Array(2 * L.symbols);
      for (let k = 0; k < K; k++) for (let i = 0; i < agg.length; i++) agg[i] += target.weights[k]! * mapped[k]!.symbols[i]!;
      const est = denormalizeAggregate(agg, L, target);
      let maxErr = 0, maxAbs = 0;
      for (let i = 0; i < D; i++) {
        let truth = 0;
        for (let k = 0; k < K; k++) truth += phi[k]! * xs[k]![i]!;
        maxErr = Math.max(maxErr, Math.abs(est[i]! - truth));
        maxAbs = Math.max(maxAbs, Math.abs(truth));
      }
      expect(maxErr, `commonScale=${commonScale}`).to.be.below(1e-12 * Math.max(1, maxAbs));
    }
  });

  it('same input gives identical bytes', () => {
    const L = symbolLayout(777, 4, 2);
    const a = normalizeAndMap(vec(777, 3, 1, 1), L).symbols;
    const b = normalizeAndMap(vec(777, 3, 1, 1), L).symbols;
    expect(bytes(a).equals(bytes(b))).to.equal(true);
  });

  it('bad input: NaN raises NumericalError, wrong lengths and sizes raise UserInputError', () => {
    const x = new Float64Array(10);
    x[3] = NaN;
    expect(() => normalizationStats(x)).to.throw(NumericalError);
    expect(() => symbolLayout(0, 4, 2)).to.throw(UserInputError);
    const L = symbolLayout(10, 4, 2);
    expect(() => mapToSymbols(new Float64Array(9), L)).to.throw(UserInputError);
    expect(() => aggregationTarget([0.5, 0.5], [{ mean: 0, scale: 1 }])).to.throw(UserInputError);
  });
});
