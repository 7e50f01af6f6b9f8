import { expect } from 'chai';
import { batchItem, cmat, matmulAH } from '../src/linalg/cmat.js';
import { invSmallInto } from '../src/linalg/small.js';
import { RandomStreams } from '../src/random/streams.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { optimiseBeamformer } from '../src/phy/beamforming/manifold.js';
import { optimisePerSubcarrier } from '../src/phy/beamforming/manifold-subcarrier.js';
import { dominantSubspace } from '../src/phy/aircomp/subspace.js';
import { ManifoldScheme } from '../src/phy/aircomp/manifold.js';
import { zfGivenF } from '../src/phy/aircomp/zf.js';
import type { ChannelRealization } from '../src/phy/types.js';
import type { DesignContext } from '../src/phy/aircomp/types.js';
import { setSimdEnabled } from '../src/linalg/wasm.js';

const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

function channel(K: number, Nr: number, Nt: number, M: number, seed: number): ChannelRealization {
  return generateChannel({ K, Nr, Nt, M, iidSubcarriers: true }, new RandomStreams(seed), { trial: 0, round: 0 });
}

/** max_k φ_k² tr[(Fᴴ H_k H_kᴴ F)⁻¹] on subcarrier m, evaluated directly with the linalg kernels. */
function exactObjective(ch: ChannelRealization, phi: Float64Array, F: ReturnType<typeof dominantSubspace>, m: number): number {
  const S = F.cols;
  const A = cmat(ch.Nt, S), G = cmat(S, S), Gi = cmat(S, S);
  let mx = 0;
  for (let k = 0; k < ch.K; k++) {
    matmulAH(batchItem(ch.Hhat, k * ch.M + m), batchItem(F, m), A);
    matmulAH(A, A, G);
    invSmallInto(G, Gi);
    let tr = 0;
    for (let i = 0; i < S; i++) tr += Gi.data[2 * (i * S + i)]!;
    mx = Math.max(mx, phi[k]! ** 2 * tr);
  }
  return mx;
}

describe('phy/beamforming/manifold-subcarrier (fast per-subcarrier manifold optimiser)', () => {
  // S = 1 and 2 take the closed-form paths, S = 3 the generic ones
  const cases = [
    { K: 8, Nr: 8, Nt: 2, S: 2, M: 6, seeds: [1, 2, 3] },
    { K: 6, Nr: 6, Nt: 1, S: 1, M: 4, seeds: [4] },
    { K: 5, Nr: 8, Nt: 3, S: 3, M: 4, seeds: [5] },
  ];

  it('designs the same MSE as the coupled optimiser (beamforming/manifold.ts) on the same channels, never worse than zf', () => {
    for (const { K, Nr, Nt, S, M, seeds } of cases) {
      for (const seed of seeds) {
        const ch = channel(K, Nr, Nt, M, seed);
        const phi = Float64Array.from({ length: K }, (_, k) => (k + 1) / ((K * (K + 1)) / 2));
        const ctx: DesignContext = { phi, sigma2: 0.1, P: 1, powerMode: 'subcarrier', S };
        const F0 = dominantSubspace(ch, S);
        const ref = optimiseBeamformer({ H: ch.Hhat, K, M, phi, groups: Array.from({ length: M }, (_, m) => [m]) }, F0);
        const before = sum(zfGivenF(ch, ctx, ref.F, 'manifold').analyticMse);
        const now = sum(new ManifoldScheme().design(ch, ctx).analyticMse);
        const zf = sum(zfGivenF(ch, ctx, F0, 'zf').analyticMse);
        const tag = `K=${K} ${Nr}x${Nt} S=${S} seed ${seed}`;
        // same algorithm up to rounding: within 0.2 % of the previous design's MSE (either way)
        expect(now / before, tag).to.be.within(1 - 2e-3, 1 + 2e-3);
        expect(now, tag).to.be.at.most(zf * (1 + 1e-12));
        expect(now, tag).to.be.below(zf * 0.999); // and it does optimise
      }
    }
  });

  it('the WebAssembly SIMD channel products (S = 2) give the same bits as the scalar loops', () => {
    const K = 8, Nr = 8, Nt = 3, M = 5;
    const ch = channel(K, Nr, Nt, M, 77);
    const phi = Float64Array.from({ length: K }, (_, k) => 0.05 + 0.02 * k);
    const F0 = dominantSubspace(ch, 2);
    const run = (on: boolean) => {
      setSimdEnabled(on);
      try {
        return optimisePerSubcarrier({ H: ch.Hhat, K, M, phi }, F0);
      } finally {
        setSimdEnabled(true);
      }
    };
    const fast = run(true), scalar = run(false);
    expect(fast.iterations).to.be.above(0);
    expect(fast.iterations).to.equal(scalar.iterations);
    expect(fast.objective).to.equal(scalar.objective);
    expect(fast.F.data.every((v, i) => Object.is(v, scalar.F.data[i]))).to.equal(true);
  });

  it('reports objectives that equal a direct evaluation at the returned F (the S-dimensional line search is exact), with F orthonormal', () => {
    for (const { K, Nr, Nt, S, M, seeds } of cases) {
      const ch = channel(K, Nr, Nt, M, seeds[0]! + 50);
      const phi = new Float64Array(K).fill(1 / K);
      const F0 = dominantSubspace(ch, S);
      for (const neighbourWarmStart of [false, true]) {
        const res = optimisePerSubcarrier({ H: ch.Hhat, K, M, phi }, F0, { neighbourWarmStart });
        let direct = 0, initial = 0;
        for (let m = 0; m < M; m++) {
          direct += exactObjective(ch, phi, res.F, m);
          initial += exactObjective(ch, phi, F0, m);
        }
        expect(res.objective).to.be.closeTo(direct, 1e-9 * direct);
        expect(res.initialObjective).to.be.closeTo(initial, 1e-12 * initial);
        expect(res.objective).to.be.at.most(res.initialObjective);
        for (let i = 1; i < res.history.length; i++) expect(res.history[i]).to.be.at.most(res.history[i - 1]! * (1 + 1e-12));
        for (let m = 0; m < M; m++) {
          const F = batchItem(res.F, m);
          const FhF = cmat(S, S);
          matmulAH(F, F, FhF);
          for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) {
            expect(FhF.data[2 * (a * S + b)]).to.be.closeTo(a === b ? 1 : 0, 1e-10);
            expect(FhF.data[2 * (a * S + b) + 1]).to.be.closeTo(0, 1e-10);
          }
        }
      }
    }
  });
});
