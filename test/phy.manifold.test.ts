import { expect } from 'chai';
import { batchItem, cmat, type CMat } from '../src/linalg/cmat.js';
import { RandomStreams } from '../src/random/streams.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { logSurrogateWithGradient, optimiseBeamformer } from '../src/phy/beamforming/manifold.js';
import { dominantSubspace } from '../src/phy/aircomp/subspace.js';
import { ManifoldScheme } from '../src/phy/aircomp/manifold.js';
import { ZfScheme } from '../src/phy/aircomp/zf.js';
import type { DesignContext } from '../src/phy/aircomp/types.js';

function channel(K: number, Nr: number, Nt: number, M: number, seed: number) {
  return generateChannel({ K, Nr, Nt, M, iidSubcarriers: true }, new RandomStreams(seed), { trial: 0, round: 0 });
}

const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

describe('phy/beamforming/manifold', () => {
  it('Euclidean gradient of the smoothed objective matches central finite differences', () => {
    const ch = channel(4, 6, 2, 2, 1);
    const phi = Float64Array.from([0.4, 0.3, 0.2, 0.1]);
    const prob = { H: ch.Hhat, K: 4, M: 2, phi, groups: [[0, 1]] };
    const F0 = dominantSubspace(ch, 2);
    const Fm = [0, 1].map((m) => cmat(6, 2, batchItem(F0, m).data.slice()));
    const rng = new RandomStreams(2).stream('dir');
    for (const p of [1, 8, 32]) {
      const { grad } = logSurrogateWithGradient(prob, [0, 1], Fm, p);
      const dir = Fm.map((f) => cmat(f.rows, f.cols, rng.fillNormal(new Float64Array(f.data.length))));
      let analytic = 0;
      for (let j = 0; j < 2; j++) for (let i = 0; i < dir[j]!.data.length; i++) analytic += grad[j]!.data[i]! * dir[j]!.data[i]!;
      const eps = 1e-6;
      const shifted = (s: number): CMat[] => Fm.map((f, j) => cmat(f.rows, f.cols, f.data.map((v, i) => v + s * eps * dir[j]!.data[i]!)));
      const fd = (logSurrogateWithGradient(prob, [0, 1], shifted(1), p).value - logSurrogateWithGradient(prob, [0, 1], shifted(-1), p).value) / (2 * eps);
      expect(Math.abs(fd - analytic)).to.be.below(1e-6 * Math.max(1, Math.abs(fd)), `p = ${p}: fd ${fd} vs analytic ${analytic}`);
    }
  });

  it('never ends worse than its warm start, and keeps F orthonormal', () => {
    for (let seed = 0; seed < 5; seed++) {
      const ch = channel(6, 8, 2, 4, 100 + seed);
      const phi = new Float64Array(6).fill(1 / 6);
      const F0 = dominantSubspace(ch, 2);
      const res = optimiseBeamformer({ H: ch.Hhat, K: 6, M: 4, phi, groups: [[0], [1], [2], [3]] }, F0);
      expect(res.objective).to.be.at.most(res.initialObjective);
      for (let i = 1; i < res.history.length; i++) expect(res.history[i]).to.be.at.most(res.history[i - 1]! + 1e-12);
      for (let m = 0; m < 4; m++) {
        const F = batchItem(res.F, m);
        for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) {
          let re = 0, im = 0;
          for (let r = 0; r < 8; r++) {
            const xr = F.data[2 * (r * 2 + a)]!, xi = F.data[2 * (r * 2 + a) + 1]!;
            const yr = F.data[2 * (r * 2 + b)]!, yi = F.data[2 * (r * 2 + b) + 1]!;
            re += xr * yr + xi * yi;
            im += xr * yi - xi * yr;
          }
          expect(re).to.be.closeTo(a === b ? 1 : 0, 1e-10);
          expect(im).to.be.closeTo(0, 1e-10);
        }
      }
    }
  });

  it('beats zf clearly when N_r is close to K·S (analytic MSE, same channels)', () => {
    const K = 8, S = 2, Nr = 16, Nt = 2, M = 8;
    const ctx: DesignContext = { phi: new Float64Array(K).fill(1 / K), sigma2: 0.1, P: 1, powerMode: 'subcarrier', S };
    let gains = 0;
    const trials = 4;
    for (let t = 0; t < trials; t++) {
      const ch = channel(K, Nr, Nt, M, 200 + t);
      const zf = new ZfScheme().design(ch, ctx);
      const mf = new ManifoldScheme().design(ch, ctx);
      const g = 10 * Math.log10(sum(zf.analyticMse) / sum(mf.analyticMse));
      expect(g).to.be.at.least(-1e-9);
      gains += g;
    }
    expect(gains / trials).to.be.above(1); // at least 1 dB on average
  });

  it('symbol-wide power mode optimises one coupled problem and is never worse than zf', () => {
    const K = 4, S = 2, Nr = 8, Nt = 2, M = 4;
    const ctx: DesignContext = { phi: new Float64Array(K).fill(0.25), sigma2: 0.05, P: 1, powerMode: 'symbol', S };
    const ch = channel(K, Nr, Nt, M, 7);
    const zf = new ZfScheme().design(ch, ctx);
    const mf = new ManifoldScheme().design(ch, ctx);
    expect(sum(mf.analyticMse)).to.be.at.most(sum(zf.analyticMse) * (1 + 1e-12));
  });

  it('device selection never increases the total analytic MSE', () => {
    const K = 6, S = 1, Nr = 4, Nt = 1, M = 4;
    const ctx: DesignContext = { phi: new Float64Array(K).fill(1 / K), sigma2: 1, P: 1, powerMode: 'subcarrier', S };
    const ch = channel(K, Nr, Nt, M, 11);
    const all = new ManifoldScheme().design(ch, ctx);
    const sel = new ManifoldScheme({ dropDevices: true }).design(ch, ctx);
    expect(sum(sel.analyticMse)).to.be.at.most(sum(all.analyticMse) * (1 + 1e-9));
  });
});
