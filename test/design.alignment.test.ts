import { expect } from 'chai';
import { generateChannel } from '../src/phy/channel/index.js';
import { RandomStreams } from '../src/random/streams.js';
import { alignmentGain, applyDesign, combinerPower, conditionalMse, createScheme, effectiveMatrices, weightedSum, type DesignContext } from '../src/phy/aircomp/index.js';
import { aggregationErrorEnergy, optimalityGap, uncorrelatedMse, type BoundConstants } from '../src/design/bound.js';

// The bound for biased (MMSE) transceivers rests on two facts checked here: the alignment gain c̄ is
// what a least-squares fit of the received aggregate on its target gives (Monte-Carlo through the
// physical channel), and the error around c̄·target has energy MSE − (1 − c̄)²·S·Σφ².
describe('design/alignment gain and the bound under a shrinking transceiver', () => {
  const K = 8, S = 2, M = 16;
  const streams = new RandomStreams(41);
  const ch = generateChannel({ K, Nr: 8, Nt: 4, M, iidSubcarriers: true }, streams, { trial: 0, round: 0 });
  const phi = new Float64Array(K);
  for (let k = 0; k < K; k++) phi[k] = (k + 1) / ((K * (K + 1)) / 2);
  let w2 = 0;
  for (const f of phi) w2 += f * f;
  const ctx: DesignContext = { phi, sigma2: 1, P: 1, powerMode: 'subcarrier', S }; // 0 dB

  it('zero forcing on the designed channel is aligned: c_m = 1 on every subcarrier', () => {
    for (const name of ['zf', 'manifold']) {
      const c = alignmentGain(ch, createScheme(name).design(ch, ctx), phi, ch.Hhat);
      for (const v of c) expect(v, name).to.be.closeTo(1, 1e-9);
    }
    const ideal = alignmentGain(ch, createScheme('ideal').design(ch, ctx), phi);
    expect([...ideal]).to.deep.equal(new Array(M).fill(1));
  });

  it('the joint MMSE transceiver shrinks (c̄ < 1); Monte-Carlo through the channel gives the same c̄ and the uncorrelated MSE', () => {
    const d = createScheme('mmse').design(ch, ctx);
    const c = alignmentGain(ch, d, phi);
    let cbar = 0, mse = 0;
    const mseM = conditionalMse(ch, d, phi, ctx.sigma2);
    for (let m = 0; m < M; m++) {
      cbar += c[m]! / M;
      mse += mseM[m]! / M;
    }
    expect(cbar, `c̄ = ${cbar}`).to.be.lessThan(0.99);
    expect(cbar).to.be.greaterThan(0.5);
    const perp = uncorrelatedMse(mse, cbar, S, w2);
    expect(perp).to.be.lessThan(mse);
    // Monte-Carlo: T OFDM symbols of i.i.d. CN(0, 1) symbols through H with receiver noise
    const T = 3000;
    const x = Array.from({ length: K }, (_, k) => streams.stream('data', 'device', k).fillComplexNormal(new Float64Array(2 * T * M * S), 1));
    const est = applyDesign(ch, d, ctx, x, streams.stream('noise'));
    const target = weightedSum(x, phi);
    let num = 0, den = 0;
    for (let i = 0; i < target.length; i++) {
      num += est[i]! * target[i]!;
      den += target[i]! * target[i]!;
    }
    const cHat = num / den;
    // standard error of the fit ≈ √(MSE/(2·n·Σφ²)) over n = T·M·S complex symbols: ≈ 0.002 here
    const se = Math.sqrt(mse / (2 * T * M * S * w2));
    expect(cHat).to.be.closeTo(cbar, 5 * se);
    let e2 = 0;
    for (let i = 0; i < target.length; i++) e2 += (est[i]! - cbar * target[i]!) ** 2;
    const perpHat = e2 / (T * M); // per S-stream symbol vector, mean over subcarriers
    // T·M vectors, each a sum of 2S squared Gaussians: relative s.e. ≈ 1/√(T·M·S)
    expect(perpHat).to.be.closeTo(perp, 5 * perp / Math.sqrt(T * M * S));
    // the identity against the direct sum Σ_m [Σ_k ‖G_{k,m} − c̄φ_k I‖² + σ²‖U_m‖²] / M
    const G = effectiveMatrices(ch, d).data, u = combinerPower(d, M);
    let direct = 0;
    for (let m = 0; m < M; m++) {
      let e = ctx.sigma2 * u[m]!;
      for (let k = 0; k < K; k++) {
        const o = (k * M + m) * 2 * S * S;
        for (let i = 0; i < S; i++) {
          for (let j = 0; j < S; j++) e += (G[o + 2 * (i * S + j)]! - (i === j ? cbar * phi[k]! : 0)) ** 2 + G[o + 2 * (i * S + j) + 1]! ** 2;
        }
      }
      direct += e / M;
    }
    expect(perp).to.be.closeTo(direct, 1e-12 * direct);
  });

  it('the bound under c̄ < 1 is the recursion with contraction 1 − c̄(1 − q_r) and only the uncorrelated error as noise', () => {
    const c: BoundConstants = {
      f0: 4, fstar: 2, contraction: 0.2, L: 4, Lnoise: 0.05, step2: 1,
      perRank: [{ r: 2, kappa: 0.8, eps: 0.1, variance: 0, gain2: 1e-3 }],
    };
    const T = 12, entries = 5000, mse = 0.04, S2 = 2;
    const aligned = optimalityGap(c, { r: 2, rounds: T, entries, mse, S: S2 });
    const same = optimalityGap(c, { r: 2, rounds: T, entries, mse, S: S2, shrink: 1, msePerp: 0.001 });
    expect(same.total).to.equal(aligned.total); // c̄ = 1: the whole MSE is noise, msePerp unused
    expect(aligned.shrink).to.equal(1);
    const shrink = 0.8, perp = 0.03;
    const b = optimalityGap(c, { r: 2, rounds: T, entries, mse, S: S2, shrink, msePerp: perp });
    const q = 1 - shrink * 0.2 * 0.8;
    let gap = 2;
    const perRound = (0.05 / 2) * aggregationErrorEnergy(entries, 1e-3, perp, S2);
    for (let t = 0; t < T; t++) gap = 0.1 + q * (gap - 0.1) + perRound;
    expect(b.q).to.be.closeTo(q, 1e-15);
    expect(b.total).to.be.closeTo(gap, 1e-12);
    expect(b.shrink).to.equal(shrink);
    // a shrink slows the contraction: with the same noise the bound is higher than the aligned one
    expect(optimalityGap(c, { r: 2, rounds: T, entries, mse, S: S2, shrink, msePerp: mse }).total).to.be.greaterThan(aligned.total);
    // c̄ ≥ 1 is not a shrink
    expect(optimalityGap(c, { r: 2, rounds: T, entries, mse, S: S2, shrink: 1.02, msePerp: perp }).total).to.equal(aligned.total);
  });
});
