import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { applyDesign, createScheme } from '../src/phy/aircomp/index.js';
import { addCombinedNoise, combinedNoiseFactors } from '../src/phy/aircomp/apply.js';
import { applyDesignToUpdates } from '../src/phy/aircomp/fused.js';
import { setSimdEnabled, simdKernel } from '../src/phy/aircomp/fused-simd.js';
import { normalizationStats, normalizeAndMap, symbolLayout } from '../src/phy/ofdm/mapping.js';

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('phy.aircomp fused round: SIMD kernel and per-symbol noise', () => {
  const K = 5, Nr = 8, Nt = 4, M = 16;
  const ch = generateChannel({ K, Nr, Nt, M, iidSubcarriers: true }, new RandomStreams(21), { trial: 0, round: 0 });
  const updates = (D: number, seed: number) => Array.from({ length: K }, (_, k) => {
    const v = new RandomStreams(seed).stream('x', k).fillNormal(new Float64Array(D));
    if (k === 3) v.fill(-0.5); // constant: sends zeros
    else for (let i = 0; i < D; i++) v[i] += 0.3 * k;
    return v;
  });

  it('the WebAssembly SIMD kernel gives the same bits as the scalar kernels, fused and mapped (S = 4; whole blocks, a partial block, a straddling vector)', () => {
    expect(simdKernel(), 'WebAssembly SIMD is available on Node 20').to.not.equal(null);
    // T = 1, 4, 5, 11 OFDM symbols (SIMD blocks of 4), D with and without a straddling vector
    for (const D of [100, 2 * M * 4 * 4, 2 * M * 4 * 5 - 3, 2 * M * 4 * 11 - 8]) {
      const x = updates(D, D);
      const layout = symbolLayout(D, M, 4);
      const stats = x.map((v) => normalizationStats(v));
      const ctx = { phi: Float64Array.of(0.1, 0.2, 0.3, 0.15, 0.25), sigma2: 0.05, P: 1, powerMode: 'symbol' as const, S: 4 };
      const d = createScheme('zf').design(ch, ctx);
      for (const noisy of [false, true]) {
        const run = () => applyDesignToUpdates(ch, d, ctx, x, stats, layout, noisy ? new RandomStreams(5).stream('noise', D) : null);
        setSimdEnabled(true);
        const fast = run();
        setSimdEnabled(false);
        const scalar = run();
        setSimdEnabled(true);
        expect(same(fast, scalar), `D=${D} noise ${noisy}`).to.equal(true);
        // the mapped round (explicit grids) too
        const grids = x.map((v) => normalizeAndMap(v, layout).symbols);
        const mapped = () => applyDesign(ch, d, ctx, grids, noisy ? new RandomStreams(5).stream('noise', D) : null);
        setSimdEnabled(false);
        const mappedScalar = mapped();
        setSimdEnabled(true);
        const ref = mapped();
        expect(same(ref, mappedScalar), `mapped D=${D} noise ${noisy}`).to.equal(true);
        // and the fused round is the mapped round (to rounding)
        let e = 0, r = 0;
        for (let i = 0; i < ref.length; i++) { e += (ref[i]! - fast[i]!) ** 2; r += ref[i]! ** 2; }
        expect(Math.sqrt(e / r), `D=${D}`).to.be.below(1e-12);
      }
    }
  });

  it('combined noise drawn one OFDM symbol at a time equals the whole grid drawn in one call', () => {
    for (const S of [1, 2, 4]) {
      const ctx = { phi: new Float64Array(K).fill(0.2), sigma2: 0.3, P: 1, powerMode: 'symbol' as const, S };
      const d = createScheme('zf').design(ch, ctx);
      const T = 7;
      const got = new Float64Array(2 * T * M * S);
      addCombinedNoise(got, d, ctx.sigma2, M, T, new RandomStreams(8).stream('n', S));
      // reference: all z of the round in one call, (t, m, s) order, then L_m z
      const z = new RandomStreams(8).stream('n', S).fillComplexNormal(new Float64Array(2 * T * M * S), 1);
      const L = combinedNoiseFactors(d, ctx.sigma2, M).data;
      const want = new Float64Array(2 * T * M * S);
      for (let t = 0; t < T; t++) for (let m = 0; m < M; m++) for (let i = 0; i < S; i++) {
        let re = 0, im = 0;
        for (let j = 0; j < S; j++) {
          const lr = L[m * 2 * S * S + 2 * (i * S + j)]!, li = L[m * 2 * S * S + 2 * (i * S + j) + 1]!;
          const o = ((t * M + m) * S + j) * 2;
          re += lr * z[o]! - li * z[o + 1]!;
          im += lr * z[o + 1]! + li * z[o]!;
        }
        want[((t * M + m) * S + i) * 2] += re;
        want[((t * M + m) * S + i) * 2 + 1] += im;
      }
      expect(same(got, want), `S=${S}`).to.equal(true);
    }
  });
});
