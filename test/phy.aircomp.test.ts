import { expect } from 'chai';
import { generateChannel } from '../src/phy/channel/index.js';
import type { ChannelConfig } from '../src/phy/channel/config.js';
import { RandomStreams } from '../src/random/streams.js';
import { summarize, toDb } from '../src/stats/summary.js';
import { UserInputError } from '../src/errors.js';
import {
  applyDesign, conditionalMse, createScheme, errorPerSubcarrier, precoderPower, weightedSum,
  type DesignContext, type PowerMode, type TransceiverDesign,
} from '../src/phy/aircomp/index.js';
import type { ChannelRealization } from '../src/phy/types.js';

const cfg = (over: Partial<ChannelConfig> = {}): ChannelConfig => ({ K: 6, Nr: 8, Nt: 4, M: 16, iidSubcarriers: true, ...over });

function ctxOf(K: number, S: number, snrDb: number, powerMode: PowerMode = 'subcarrier', unequal = false): DesignContext {
  const phi = new Float64Array(K);
  for (let k = 0; k < K; k++) phi[k] = unequal ? (k + 1) / ((K * (K + 1)) / 2) : 1 / K;
  return { phi, sigma2: Math.pow(10, -snrDb / 10), P: 1, powerMode, S };
}

/** K device grids of i.i.d. CN(0, 1) symbols (unit power, independent across devices). */
function randomGrids(streams: RandomStreams, K: number, M: number, S: number, T: number, tag: number): Float64Array[] {
  return Array.from({ length: K }, (_, k) => streams.stream('data', tag, 'device', k).fillComplexNormal(new Float64Array(2 * T * M * S), 1));
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/** Per OFDM symbol t: the error averaged over subcarriers (i.i.d. across t for a fixed design). */
function perSymbolErrors(est: Float64Array, target: Float64Array, M: number, S: number): number[] {
  const T = target.length / (2 * M * S);
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    let e = 0;
    for (let i = t * 2 * M * S; i < (t + 1) * 2 * M * S; i++) e += (est[i]! - target[i]!) ** 2;
    out.push(e / M);
  }
  return out;
}

describe('phy.aircomp', () => {
  const streams = new RandomStreams(7);
  const ch = generateChannel(cfg(), streams, { trial: 0, round: 0 });

  it('zf with zero noise returns the exact weighted sum (1e-9 relative)', () => {
    for (const S of [1, 2, 4]) {
      for (const mode of ['subcarrier', 'symbol'] as const) {
        const ctx = { ...ctxOf(ch.K, S, 20, mode, true), sigma2: 0 };
        const d = createScheme('zf').design(ch, ctx);
        const grids = randomGrids(streams, ch.K, ch.M, S, 3, 1);
        const est = applyDesign(ch, d, ctx, grids, null);
        const target = weightedSum(grids, ctx.phi);
        let e = 0, r = 0;
        for (let i = 0; i < est.length; i++) { e += (est[i]! - target[i]!) ** 2; r += target[i]! ** 2; }
        expect(Math.sqrt(e / r)).to.be.below(1e-9);
        // the receive-domain path gives the same deterministic part
        const est2 = applyDesign(ch, d, ctx, grids, null, { path: 'receive' });
        for (let i = 0; i < est.length; i++) expect(Math.abs(est2[i]! - est[i]!)).to.be.below(1e-10);
      }
    }
  });

  it('zf: analytic MSE is σ²·S·η and η is the smallest value meeting every budget', () => {
    for (const mode of ['subcarrier', 'symbol'] as const) {
      const ctx = ctxOf(ch.K, 2, 10, mode, true);
      const d = createScheme('zf').design(ch, ctx);
      const p = precoderPower(d, ch.K, ch.M);
      for (let m = 0; m < ch.M; m++) {
        let uu = 0;
        for (let i = m * 2 * ch.Nr * 2; i < (m + 1) * 2 * ch.Nr * 2; i++) uu += d.U.data[i]! ** 2;
        expect(d.analyticMse[m]).to.be.closeTo(ctx.sigma2 * uu, 1e-12 * d.analyticMse[m]!);
      }
      if (mode === 'subcarrier') {
        for (let m = 0; m < ch.M; m++) {
          let mx = 0;
          for (let k = 0; k < ch.K; k++) mx = Math.max(mx, p[k * ch.M + m]!);
          expect(mx).to.be.closeTo(ctx.P, 1e-9); // binding device on every subcarrier
        }
      } else {
        let mx = 0;
        for (let k = 0; k < ch.K; k++) {
          let s = 0;
          for (let m = 0; m < ch.M; m++) s += p[k * ch.M + m]!;
          mx = Math.max(mx, s);
        }
        expect(mx).to.be.closeTo(ch.M * ctx.P, 1e-9 * ch.M);
      }
    }
  });

  it('Monte-Carlo MSE agrees with every scheme\'s analytic MSE within its 95% CI (both paths)', () => {
    // 12 checks: each interval is widened to a Bonferroni family-wise 95% (z 2.87 vs 1.96), so one run
    // of the suite fails by chance with probability ≤ 5%, not ≈ 46%.
    const widen = 2.87 / 1.96;
    const cases: Array<[string, number, PowerMode, ChannelRealization]> = [
      ['zf', 2, 'subcarrier', ch], ['zf', 4, 'symbol', ch],
      ['mmse', 2, 'subcarrier', ch], ['mmse', 4, 'symbol', ch],
      ['tci', 1, 'subcarrier', ch], ['tci', 1, 'symbol', ch],
    ];
    const T = 300;
    let tag = 100;
    for (const [name, S, mode, c] of cases) {
      const ctx = ctxOf(c.K, S, 5, mode, true);
      const d = createScheme(name).design(c, ctx);
      const analytic = mean(d.analyticMse);
      for (const path of ['effective', 'receive'] as const) {
        tag++;
        const grids = randomGrids(streams, c.K, c.M, S, T, tag);
        const est = applyDesign(c, d, ctx, grids, streams.stream('noise', tag), { path });
        const s = summarize(perSymbolErrors(est, weightedSum(grids, ctx.phi), c.M, S));
        expect(analytic, `${name} ${mode} ${path}: analytic ${analytic} vs MC ${s.mean} ± ${s.ciHalf}`)
          .to.be.within(s.mean - widen * s.ciHalf, s.mean + widen * s.ciHalf);
      }
    }
  });

  it('imperfect CSI: the design MSE is the designed one; the Monte-Carlo matches the MSE on the true channel', () => {
    const c = generateChannel(cfg({ csiError: 0.05 }), streams, { trial: 1, round: 0 });
    const ctx = ctxOf(c.K, 2, 15, 'subcarrier');
    const d = createScheme('zf').design(c, ctx);
    const onTrue = conditionalMse(c, d, ctx.phi, ctx.sigma2);
    expect(mean(onTrue)).to.be.above(mean(d.analyticMse)); // misalignment appears on H
    const grids = randomGrids(streams, c.K, c.M, 2, 300, 999);
    const est = applyDesign(c, d, ctx, grids, streams.stream('noise', 999));
    const s = summarize(perSymbolErrors(est, weightedSum(grids, ctx.phi), c.M, 2));
    expect(mean(onTrue)).to.be.within(s.ciLow, s.ciHigh);
  });

  it('zf NMSE falls 10 dB per 10 dB of SNR at high SNR; mmse is never worse than zf', () => {
    const nmse: number[] = [];
    for (const snr of [20, 30, 40]) {
      const ctx = ctxOf(ch.K, 2, snr, 'subcarrier', true);
      const zf = createScheme('zf').design(ch, ctx);
      const grids = randomGrids(streams, ch.K, ch.M, 2, 100, 2000 + snr);
      const target = weightedSum(grids, ctx.phi);
      const est = applyDesign(ch, zf, ctx, grids, streams.stream('noise', 2000 + snr));
      let e = 0, r = 0;
      for (let i = 0; i < est.length; i++) { e += (est[i]! - target[i]!) ** 2; r += target[i]! ** 2; }
      nmse.push(toDb(e / r));
    }
    expect(nmse[0]! - nmse[1]!).to.be.closeTo(10, 0.5);
    expect(nmse[1]! - nmse[2]!).to.be.closeTo(10, 0.5);
    for (const snr of [-10, 0, 10, 20, 40]) {
      for (const mode of ['subcarrier', 'symbol'] as const) {
        for (const S of [1, 3]) {
          const ctx = ctxOf(ch.K, S, snr, mode, true);
          const zf = createScheme('zf').design(ch, ctx);
          const mm = createScheme('mmse').design(ch, ctx);
          const tz = mean(zf.analyticMse), tm = mean(mm.analyticMse);
          expect(tm, `snr ${snr} ${mode} S=${S}`).to.be.at.most(tz * (1 + 1e-9));
          if (mode === 'subcarrier') {
            for (let m = 0; m < ch.M; m++) expect(mm.analyticMse[m]).to.be.at.most(zf.analyticMse[m]! * (1 + 1e-9));
          }
          if (snr <= 0) expect(tm).to.be.below(0.9 * tz); // regularisation pays at low SNR
          // mmse respects the budgets
          const p = precoderPower(mm, ch.K, ch.M);
          for (let k = 0; k < ch.K; k++) {
            let s = 0;
            for (let m = 0; m < ch.M; m++) {
              s += p[k * ch.M + m]!;
              if (mode === 'subcarrier') expect(p[k * ch.M + m]).to.be.at.most(ctx.P * (1 + 1e-9));
            }
            expect(s).to.be.at.most(ch.M * ctx.P * (1 + 1e-9));
          }
        }
      }
    }
  });

  it('tci: SISO truncation rate is 1 − e^(−g_th); active devices invert, silent ones send nothing, budgets hold', () => {
    const c = generateChannel({ K: 10, Nr: 1, Nt: 1, M: 512, iidSubcarriers: true }, streams, { trial: 3, round: 0 });
    for (const mode of ['subcarrier', 'symbol'] as const) {
      const ctx = ctxOf(c.K, 1, 10, mode);
      const th = 0.3;
      const d: TransceiverDesign = createScheme('tci', { threshold: th }).design(c, ctx);
      const n = c.K * c.M;
      let silent = 0;
      for (let i = 0; i < n; i++) silent += d.silent![i]!;
      const p0 = 1 - Math.exp(-th);
      expect(silent / n).to.be.closeTo(p0, 3 * Math.sqrt((p0 * (1 - p0)) / n));
      const p = precoderPower(d, c.K, c.M);
      for (let k = 0; k < c.K; k++) {
        let s = 0;
        for (let m = 0; m < c.M; m++) {
          const i = k * c.M + m;
          if (d.silent![i]) expect(p[i]).to.equal(0);
          s += p[i]!;
          if (mode === 'subcarrier') expect(p[i]).to.be.at.most(ctx.P * (1 + 1e-9));
        }
        expect(s).to.be.at.most(c.M * ctx.P * (1 + 1e-9));
      }
      // misalignment is exactly the truncation error: Σ_active φ²(1/Φ − 1)² + Σ_silent φ² (Σφ = 1)
      const noNoise = conditionalMse(c, d, ctx.phi, 0);
      for (let m = 0; m < c.M; m++) {
        let Phi = 0, sil = 0, act = 0;
        for (let k = 0; k < c.K; k++) if (!d.silent![k * c.M + m]) Phi += ctx.phi[k]!;
        for (let k = 0; k < c.K; k++) {
          if (d.silent![k * c.M + m]) sil += ctx.phi[k]! ** 2;
          else act += ctx.phi[k]! ** 2 * (1 / Phi - 1) ** 2;
        }
        expect(noNoise[m]).to.be.closeTo(sil + act, 1e-12);
      }
    }
  });

  it('per-subcarrier errors sum to the total, and the exact scheme is the weighted sum bit for bit', () => {
    const ctx = ctxOf(ch.K, 2, 10);
    const grids = randomGrids(streams, ch.K, ch.M, 2, 4, 5);
    const d = createScheme('ideal').design(ch, ctx);
    const est = applyDesign(ch, d, ctx, grids, streams.stream('noise', 5));
    expect(Buffer.from(est.buffer).equals(Buffer.from(weightedSum(grids, ctx.phi).buffer))).to.equal(true);
    const e = errorPerSubcarrier(est, weightedSum(grids, ctx.phi), ch.M, 2);
    expect(mean(e)).to.equal(0);
  });

  it('rejects infeasible stream counts with a UserInputError naming the field', () => {
    const ctx = ctxOf(ch.K, 5, 10); // S = 5 > N_t = 4
    expect(() => createScheme('zf').design(ch, ctx)).to.throw(UserInputError, /phy\.streams/);
    expect(() => createScheme('tci').design(ch, ctxOf(ch.K, 2, 10))).to.throw(UserInputError, /phy\.streams: 2/);
    expect(() => createScheme('nope')).to.throw(UserInputError, /zf/);
  });
});

describe('phy.aircomp noise paths', () => {
  it('combined noise Uᴴn (effective path) and the literal N_r-antenna noise have the same covariance σ²UᴴU', () => {
    const streams = new RandomStreams(21);
    const ch = generateChannel({ K: 4, Nr: 6, Nt: 3, M: 8, iidSubcarriers: true }, streams, { trial: 0, round: 0 });
    const S = 3, T = 400, sigma2 = 0.3;
    const ctx: DesignContext = { phi: new Float64Array(4).fill(0.25), sigma2, P: 1, powerMode: 'subcarrier', S };
    const d = createScheme('mmse').design(ch, ctx);
    const zeros = Array.from({ length: ch.K }, () => new Float64Array(2 * T * ch.M * S));
    for (const path of ['effective', 'receive'] as const) {
      const e = applyDesign(ch, d, ctx, zeros, streams.stream('noise', path), { path });
      // entries (i, j) of the empirical covariance on subcarrier m vs σ² (UᴴU)_ij, over all m, i ≤ j
      for (let m = 0; m < ch.M; m++) {
        for (let i = 0; i < S; i++) {
          for (let j = i; j < S; j++) {
            let cr = 0, ci = 0;
            for (let t = 0; t < T; t++) {
              const o = (t * ch.M + m) * 2 * S;
              const ar = e[o + 2 * i]!, ai = e[o + 2 * i + 1]!, br = e[o + 2 * j]!, bi = e[o + 2 * j + 1]!;
              cr += ar * br + ai * bi; // Re(e_i conj(e_j))
              ci += ai * br - ar * bi;
            }
            cr /= T; ci /= T;
            let ur = 0, ui = 0;
            for (let r = 0; r < ch.Nr; r++) {
              const o = m * 2 * ch.Nr * S;
              const xr = d.U.data[o + 2 * (r * S + i)]!, xi = d.U.data[o + 2 * (r * S + i) + 1]!;
              const yr = d.U.data[o + 2 * (r * S + j)]!, yi = d.U.data[o + 2 * (r * S + j) + 1]!;
              // e = Uᴴn: E[e_i conj(e_j)] = u_iᴴ E[n nᴴ] u_j = σ² (UᴴU)_ij, (UᴴU)_ij = Σ_r conj(U_ri) U_rj
              ur += xr * yr + xi * yi;
              ui += xr * yi - xi * yr;
            }
            const scale = sigma2 * Math.sqrt(sqNorm(d, m, i, ch.Nr, S) * sqNorm(d, m, j, ch.Nr, S));
            // standard error of a sample covariance entry ≈ scale/√T; 5 s.e. keeps 6·8·2 checks honest
            const tol = 5 * scale / Math.sqrt(T);
            expect(cr, `${path} m=${m} (${i},${j}) re`).to.be.closeTo(sigma2 * ur, tol);
            expect(ci, `${path} m=${m} (${i},${j}) im`).to.be.closeTo(sigma2 * ui, tol);
          }
        }
      }
    }
  });
});

function sqNorm(d: TransceiverDesign, m: number, i: number, Nr: number, S: number): number {
  let s = 0;
  for (let r = 0; r < Nr; r++) {
    const o = m * 2 * Nr * S + 2 * (r * S + i);
    s += d.U.data[o]! ** 2 + d.U.data[o + 1]! ** 2;
  }
  return s;
}

describe('phy.aircomp airAggregate (real update vectors end to end)', () => {
  it('zf with zero noise returns Σφ_k x_k to 1e-9 relative error; noisy mmse is close', async () => {
    const { airAggregate } = await import('../src/phy/aircomp/index.js');
    const streams = new RandomStreams(3);
    const K = 5, D = 1001;
    const ch = generateChannel({ K, Nr: 8, Nt: 4, M: 16, multipath: { taps: 3 } }, streams, { trial: 0, round: 0 });
    const x = Array.from({ length: K }, (_, k) => {
      const v = streams.stream('x', k).fillNormal(new Float64Array(D), 0.01);
      for (let i = 0; i < D; i++) v[i] += 0.3 * k - 0.5; // device-specific offsets
      return v;
    });
    const phi = [0.1, 0.2, 0.3, 0.25, 0.15];
    const ref = new Float64Array(D);
    for (let k = 0; k < K; k++) for (let i = 0; i < D; i++) ref[i] += phi[k]! * x[k]![i]!;
    const rel = (a: Float64Array) => {
      let e = 0, r = 0;
      for (let i = 0; i < D; i++) { e += (a[i]! - ref[i]!) ** 2; r += ref[i]! ** 2; }
      return Math.sqrt(e / r);
    };
    const zf = airAggregate(ch, createScheme('zf'), x, phi, { sigma2: 0, P: 1, powerMode: 'symbol', S: 4 }, null);
    expect(rel(zf.estimate)).to.be.below(1e-9);
    const mm = airAggregate(ch, createScheme('mmse'), x, phi, { sigma2: 1e-3, P: 1, powerMode: 'subcarrier', S: 2 }, streams.stream('n'));
    expect(rel(mm.estimate)).to.be.below(0.05).and.above(0);
  });
});

describe('phy.aircomp mmse internals', () => {
  it('solveMu meets the power budget exactly when regularising, and returns 0 when ZF fits', async () => {
    const { solveMu } = await import('../src/phy/aircomp/index.js');
    const d = Float64Array.of(5, 1e-3, 0.2, 0); // a zero-gain stream is ignored
    const f = (mu: number) => [0, 1, 2].reduce((s, i) => s + d[i]! / (d[i]! + mu) ** 2, 0);
    expect(solveMu(d, 0, 4, f(0) * 1.01)).to.equal(0);
    for (const c of [1e-6, 1e-2, 1, 100]) {
      const mu = solveMu(d, 0, 4, c);
      expect(mu).to.be.above(0);
      expect(f(mu)).to.be.closeTo(c, 1e-9 * c);
    }
  });

  it('at very low SNR the mmse design beats both zf and sending nothing (MSE Σφ²S)', () => {
    const streams = new RandomStreams(8);
    const ch = generateChannel(cfg(), streams, { trial: 0, round: 0 });
    for (const snr of [-40, -20]) {
      for (const mode of ['subcarrier', 'symbol'] as const) {
        const ctx = ctxOf(ch.K, 2, snr, mode, true);
        const silentMse = 2 * ctx.phi.reduce((s, p) => s + p * p, 0);
        const mm = createScheme('mmse').design(ch, ctx);
        const zf = createScheme('zf').design(ch, ctx);
        expect(mean(mm.analyticMse)).to.be.below(silentMse).and.below(mean(zf.analyticMse));
      }
    }
  });
});

describe('phy.aircomp zf per-symbol η allocation', () => {
  it("'optimal' is feasible, never worse than 'common', and matches the K = 1 closed form η_m ∝ √c_m", async () => {
    const { ZfScheme, dominantSubspace, streamGeometry, zfTraces } = await import('../src/phy/aircomp/index.js');
    const streams = new RandomStreams(4);
    const ch = generateChannel(cfg(), streams, { trial: 0, round: 0 });
    const ctx = ctxOf(ch.K, 2, 10, 'symbol', true);
    const common = new ZfScheme('common').design(ch, ctx), opt = new ZfScheme('optimal').design(ch, ctx);
    expect(mean(opt.analyticMse)).to.be.at.most(mean(common.analyticMse));
    expect(mean(opt.analyticMse)).to.be.below(0.99 * mean(common.analyticMse)); // the coupling pays here
    const p = precoderPower(opt, ch.K, ch.M);
    let worst = 0;
    for (let k = 0; k < ch.K; k++) {
      let s = 0;
      for (let m = 0; m < ch.M; m++) s += p[k * ch.M + m]!;
      worst = Math.max(worst, s / (ch.M * ctx.P));
    }
    expect(worst).to.be.closeTo(1, 1e-9);

    const one = generateChannel(cfg({ K: 1 }), streams, { trial: 1, round: 0 });
    const c1 = { ...ctxOf(1, 2, 10, 'symbol'), phi: Float64Array.of(1) };
    const d = new ZfScheme('optimal').design(one, c1);
    const t = zfTraces(streamGeometry(one, dominantSubspace(one, 2)));
    const sq = Array.from(t, Math.sqrt), tot = sq.reduce((a, b) => a + b, 0);
    for (let m = 0; m < one.M; m++) {
      const eta = (sq[m]! * tot) / (one.M * c1.P);
      expect(d.analyticMse[m]).to.be.closeTo(c1.sigma2 * 2 * eta, 1e-8 * c1.sigma2 * 2 * eta);
    }
  });
});

describe('phy.aircomp fused normalisation + combining', () => {
  it('applyDesignToUpdates equals applyDesign on the mapped symbols (to 1e-12), padding and constant vectors included', async () => {
    const { applyDesignToUpdates } = await import('../src/phy/aircomp/index.js');
    const { normalizeAndMap, symbolLayout } = await import('../src/phy/ofdm/mapping.js');
    const streams = new RandomStreams(9);
    const K = 4;
    const ch = generateChannel({ K, Nr: 6, Nt: 4, M: 8, iidSubcarriers: true }, streams, { trial: 0, round: 0 });
    for (const S of [1, 2, 3, 4]) {
      for (const D of [2 * 8 * S * 3, 2 * 8 * S * 3 - 3, 37]) {
        const x = Array.from({ length: K }, (_, k) => {
          const v = streams.stream('x', S, D, k).fillNormal(new Float64Array(D));
          if (k === 2) v.fill(1.5); // constant vector: scale 0, sends zeros
          else for (let i = 0; i < D; i++) v[i] += k;
          return v;
        });
        const layout = symbolLayout(D, ch.M, S);
        const mapped = x.map((v) => normalizeAndMap(v, layout));
        const ctx = { ...ctxOf(K, S, 10, 'subcarrier'), phi: Float64Array.of(0.1, 0.4, 0.2, 0.3) };
        const d = createScheme('mmse').design(ch, ctx);
        const a = applyDesign(ch, d, ctx, mapped.map((m) => m.symbols), streams.stream('n', S, D));
        const b = applyDesignToUpdates(ch, d, ctx, x, mapped.map((m) => m.stats), layout, streams.stream('n', S, D));
        let e = 0, r = 0;
        for (let i = 0; i < a.length; i++) { e += (a[i]! - b[i]!) ** 2; r += a[i]! ** 2; }
        expect(Math.sqrt(e / r), `S=${S} D=${D}`).to.be.below(1e-12);
      }
    }
  });
});
