import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { summarize } from '../src/stats/summary.js';
import { UserInputError } from '../src/errors.js';
import {
  generateChannel, exponentialPdp, exponentialCorrelation, exponentialCorrelationFactor, resolveChannelConfig,
  pathGain, applyChannelFreq, type ChannelConfig,
} from '../src/phy/channel/index.js';
import type { ChannelRealization } from '../src/phy/types.js';

/**
 * Monte-Carlo checks compare against closed forms with a margin of 1.7 × the 95% CI half-width
 * (≈ 3.3 standard errors), so a fixed seed passes with room and a real bias of that size fails.
 */
const MARGIN = 1.7;

function expectInCi(samples: number[], truth: number, what: string): void {
  const s = summarize(samples);
  expect(Math.abs(s.mean - truth), `${what}: mean ${s.mean} ± ${s.ciHalf} (n=${s.n}) vs ${truth}`).to.be.at.most(MARGIN * s.ciHalf);
}

function bytes(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** entry (i, j) of H_{k,m}: [re, im] */
function h(ch: ChannelRealization, k: number, m: number, i: number, j: number, which: 'H' | 'Hhat' = 'H'): [number, number] {
  const d = ch[which].data;
  const o = 2 * ((k * ch.M + m) * ch.Nr * ch.Nt + i * ch.Nt + j);
  return [d[o]!, d[o + 1]!];
}

describe('phy/channel: generator statistics', () => {
  it('E|h_ij[m]|² = β_k per entry (flat, iid, multipath + correlation + shadowing)', () => {
    const base = { K: 3, Nr: 4, Nt: 2, M: 16, pathLoss: { refLossDb: 30, exponent: 3, dMin: 10, dMax: 100, shadowingDb: 6 } };
    const cfgs: ChannelConfig[] = [
      { ...base },
      { ...base, iidSubcarriers: true },
      { ...base, multipath: { taps: 5, decayDb: 2 }, correlation: { device: 0.5, server: 0.8 } },
    ];
    for (const cfg of cfgs) {
      const streams = new RandomStreams(101);
      const samples: number[] = [];
      for (let trial = 0; trial < 300; trial++) {
        const ch = generateChannel(cfg, streams, { trial, round: 0 });
        let s = 0, n = 0;
        for (let k = 0; k < ch.K; k++) {
          for (let m = 0; m < ch.M; m++) for (let i = 0; i < ch.Nr; i++) for (let j = 0; j < ch.Nt; j++) {
            const [re, im] = h(ch, k, m, i, j);
            s += (re * re + im * im) / ch.beta[k]!;
            n++;
          }
        }
        samples.push(s / n);
      }
      expectInCi(samples, 1, JSON.stringify(cfg.multipath ?? cfg.iidSubcarriers ?? 'flat'));
    }
  });

  it('β follows the path-loss law; distances are uniform over the annulus area', () => {
    const pl = { refLossDb: 30, exponent: 3.5, dMin: 20, dMax: 200 };
    const streams = new RandomStreams(5);
    const rMed = Math.sqrt((pl.dMin ** 2 + pl.dMax ** 2) / 2); // P(d ≤ rMed) = 1/2 under area-uniform drops
    const below: number[] = [];
    for (let trial = 0; trial < 400; trial++) {
      const ch = generateChannel({ K: 5, Nr: 1, Nt: 1, M: 1, pathLoss: pl }, streams, { trial, round: 0 });
      for (let k = 0; k < ch.K; k++) {
        const d = ch.distance[k]!;
        expect(d).to.be.within(pl.dMin, pl.dMax);
        expect(ch.beta[k]).to.be.closeTo(pathGain(pl, d), 1e-15 * pathGain(pl, d));
        below.push(d <= rMed ? 1 : 0);
      }
    }
    expectInCi(below, 0.5, 'P(d ≤ rMed)');
    expect(pathGain(pl, 1)).to.be.closeTo(1e-3, 1e-18);
  });

  it('spatial covariance of vec(H) matches the Kronecker model R_t ⊗ R_r', () => {
    const Nr = 3, Nt = 2, rr = 0.7, rt = 0.4;
    const Rr = exponentialCorrelation(Nr, rr), Rt = exponentialCorrelation(Nt, rt);
    const streams = new RandomStreams(9);
    const n = Nr * Nt;
    // samples of Re(h_a conj(h_b)) for every pair (a, b) of entries, one sample per device draw
    const acc: number[][] = Array.from({ length: n * n }, () => []);
    for (let trial = 0; trial < 250; trial++) {
      const ch = generateChannel({ K: 8, Nr, Nt, M: 1, correlation: { device: rt, server: rr } }, streams, { trial, round: 0 });
      for (let k = 0; k < ch.K; k++) {
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
          const [ar, ai] = h(ch, k, 0, Math.floor(a / Nt), a % Nt);
          const [br, bi] = h(ch, k, 0, Math.floor(b / Nt), b % Nt);
          acc[a * n + b]!.push(ar * br + ai * bi);
        }
      }
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
      const [i1, j1, i2, j2] = [Math.floor(a / Nt), a % Nt, Math.floor(b / Nt), b % Nt];
      expectInCi(acc[a * n + b]!, Rr[i1 * Nr + i2]! * Rt[j1 * Nt + j2]!, `cov(h${i1}${j1}, h${i2}${j2})`);
    }
  });

  it('closed-form exponential correlation factor: C Cᵀ = R (ρ in {0, 0.3, 0.9, 1})', () => {
    for (const rho of [0, 0.3, 0.9, 1]) {
      const n = 5;
      const C = exponentialCorrelationFactor(n, rho), R = exponentialCorrelation(n, rho);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += C[i * n + p]! * C[j * n + p]!;
        expect(s).to.be.closeTo(R[i * n + j]!, 1e-14);
      }
    }
  });

  it('power-delay profile is normalised and exponential; tap powers and frequency correlation match it', () => {
    const p = exponentialPdp(4, { decayDb: 3 });
    expect(p.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-15);
    expect(p[1]! / p[0]!).to.be.closeTo(Math.pow(10, -0.3), 1e-15);
    const q = exponentialPdp(6, { rmsDelaySamples: 2 });
    expect(q.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-15);
    expect(q[3]! / q[2]!).to.be.closeTo(Math.exp(-0.5), 1e-15);
    expect(Array.from(exponentialPdp(3))).to.deep.equal([1 / 3, 1 / 3, 1 / 3]);

    // Monte-Carlo: E|h_l|² = p_l and E[H[m] H[m+Δ]*] = Σ_l p_l e^{j2πlΔ/N}
    const L = 4, N = 16, M = 16, dm = 3;
    const cfg: ChannelConfig = { K: 4, Nr: 2, Nt: 2, M, fftSize: N, multipath: { taps: L, decayDb: 3 } };
    const streams = new RandomStreams(77);
    const tapPow: number[][] = Array.from({ length: L }, () => []);
    const corrRe: number[] = [], corrIm: number[] = [];
    for (let trial = 0; trial < 300; trial++) {
      const ch = generateChannel(cfg, streams, { trial, round: 0 });
      const T = ch.taps!.data, E = ch.Nr * ch.Nt;
      for (let l = 0; l < L; l++) {
        let s = 0;
        for (let k = 0; k < ch.K; k++) for (let e = 0; e < E; e++) {
          const o = 2 * ((k * L + l) * E + e);
          s += T[o]! ** 2 + T[o + 1]! ** 2;
        }
        tapPow[l]!.push(s / (ch.K * E));
      }
      let cr = 0, ci = 0, n = 0;
      for (let k = 0; k < ch.K; k++) for (let m = 0; m + dm < M; m++) {
        const [ar, ai] = h(ch, k, m, 0, 0);
        const [br, bi] = h(ch, k, m + dm, 0, 0);
        cr += ar * br + ai * bi; // Re(a conj b)
        ci += ai * br - ar * bi; // Im(a conj b)
        n++;
      }
      corrRe.push(cr / n);
      corrIm.push(ci / n);
    }
    for (let l = 0; l < L; l++) expectInCi(tapPow[l]!, p[l]!, `tap ${l} power`);
    let er = 0, ei = 0;
    for (let l = 0; l < L; l++) {
      er += p[l]! * Math.cos((2 * Math.PI * l * dm) / N);
      ei += p[l]! * Math.sin((2 * Math.PI * l * dm) / N);
    }
    expectInCi(corrRe, er, 'Re freq corr');
    expectInCi(corrIm, ei, 'Im freq corr');
  });

  it('Gauss–Markov rounds: lag-1 correlation ρ and stationary power', () => {
    const rho = 0.8;
    const cfg: ChannelConfig = { K: 4, Nr: 2, Nt: 2, M: 4, multipath: { taps: 2 }, temporal: { rho } };
    const streams = new RandomStreams(3);
    const lag: number[] = [], pow: number[] = [];
    for (let trial = 0; trial < 150; trial++) {
      let prev: ChannelRealization | undefined;
      let lagSum = 0; // one sample per trial: rounds within a trial are dependent
      for (let round = 0; round < 5; round++) {
        const ch = generateChannel(cfg, streams, { trial, round }, prev);
        if (prev) {
          let c = 0, p = 0;
          for (let i = 0; i < ch.H.data.length; i += 2) {
            c += ch.H.data[i]! * prev.H.data[i]! + ch.H.data[i + 1]! * prev.H.data[i + 1]!;
            p += ch.H.data[i]! ** 2 + ch.H.data[i + 1]! ** 2;
          }
          lagSum += c / (ch.H.data.length / 2);
          if (round === 4) pow.push(p / (ch.H.data.length / 2));
        }
        prev = ch;
      }
      lag.push(lagSum / 4);
    }
    expectInCi(lag, rho, 'lag-1 correlation');
    expectInCi(pow, 1, 'power after 4 Gauss–Markov steps');
  });

  it('CSI error: E|Ĥ − H|² = ε²β (relative) or ε² (absolute); perfect CSI shares H', () => {
    const pathLoss = { refLossDb: 0, exponent: 2, dMin: 1, dMax: 3 };
    for (const mode of ['relative', 'absolute'] as const) {
      const eps2 = 0.05;
      const streams = new RandomStreams(21);
      const samples: number[] = [];
      for (let trial = 0; trial < 200; trial++) {
        const ch = generateChannel({ K: 2, Nr: 2, Nt: 2, M: 8, pathLoss, csiError: eps2, csiErrorMode: mode }, streams, { trial, round: 0 });
        for (let k = 0; k < ch.K; k++) {
          let s = 0;
          const per = 2 * ch.M * ch.Nr * ch.Nt;
          for (let j = k * per; j < (k + 1) * per; j++) s += (ch.Hhat.data[j]! - ch.H.data[j]!) ** 2;
          const ref = mode === 'relative' ? eps2 * ch.beta[k]! : eps2;
          samples.push(s / (per / 2) / ref);
        }
      }
      expectInCi(samples, 1, `CSI error (${mode})`);
    }
    const ch = generateChannel({ K: 2, Nr: 2, Nt: 2, M: 2 }, new RandomStreams(1), { trial: 0, round: 0 });
    expect(ch.Hhat).to.equal(ch.H);
  });
});

describe('phy/channel: reproducibility and layout', () => {
  const cfg: ChannelConfig = {
    K: 3, Nr: 4, Nt: 2, M: 8, fftSize: 16,
    pathLoss: { refLossDb: 30, exponent: 3, dMin: 10, dMax: 50, shadowingDb: 4 },
    correlation: { device: 0.3, server: 0.6 }, multipath: { taps: 3, rmsDelaySamples: 1.5 }, csiError: 0.1, temporal: { rho: 0.9 },
  };

  it('same seed gives identical bytes (H, Ĥ, taps, β, distances), across chained rounds', () => {
    const run = () => {
      const out: ChannelRealization[] = [];
      let prev: ChannelRealization | undefined;
      for (let round = 0; round < 3; round++) out.push(prev = generateChannel(cfg, new RandomStreams(42), { trial: 2, round }, prev));
      return out;
    };
    const a = run(), b = run();
    for (let r = 0; r < 3; r++) {
      for (const f of ['H', 'Hhat', 'taps'] as const) expect(bytes(a[r]![f]!.data).equals(bytes(b[r]![f]!.data))).to.equal(true);
      expect(bytes(a[r]!.beta).equals(bytes(b[r]!.beta))).to.equal(true);
      expect(bytes(a[r]!.distance).equals(bytes(b[r]!.distance))).to.equal(true);
    }
    const other = generateChannel(cfg, new RandomStreams(43), { trial: 2, round: 0 });
    expect(bytes(other.H.data).equals(bytes(a[0]!.H.data))).to.equal(false);
  });

  it('adding devices does not change the existing devices\' draws', () => {
    for (const extra of [{}, { iidSubcarriers: true, multipath: undefined }]) {
      const small = generateChannel({ ...cfg, ...extra, K: 2 }, new RandomStreams(8), { trial: 1, round: 4 });
      const big = generateChannel({ ...cfg, ...extra, K: 6 }, new RandomStreams(8), { trial: 1, round: 4 });
      const per = 2 * cfg.M * cfg.Nr * cfg.Nt;
      for (const f of ['H', 'Hhat'] as const) {
        expect(bytes(big[f].data.subarray(0, 2 * per)).equals(bytes(small[f].data))).to.equal(true);
      }
      expect(Array.from(big.beta.subarray(0, 2))).to.deep.equal(Array.from(small.beta));
    }
  });

  it('positions are per trial: β and distance equal across rounds, fading differs', () => {
    const a = generateChannel(cfg, new RandomStreams(8), { trial: 1, round: 0 });
    const b = generateChannel(cfg, new RandomStreams(8), { trial: 1, round: 1 });
    expect(Array.from(a.beta)).to.deep.equal(Array.from(b.beta));
    expect(Array.from(a.distance)).to.deep.equal(Array.from(b.distance));
    expect(bytes(a.H.data).equals(bytes(b.H.data))).to.equal(false);
  });

  it('block-flat: every subcarrier carries the same matrix, one tap; iid: no taps', () => {
    const ch = generateChannel({ K: 2, Nr: 2, Nt: 3, M: 5 }, new RandomStreams(1), { trial: 0, round: 0 });
    expect(ch.L).to.equal(1);
    expect(ch.taps!.count).to.equal(2);
    const sz = 2 * 6;
    for (let k = 0; k < 2; k++) for (let m = 0; m < 5; m++) {
      expect(Array.from(ch.H.data.subarray((k * 5 + m) * sz, (k * 5 + m + 1) * sz))).to.deep.equal(Array.from(ch.taps!.data.subarray(k * sz, (k + 1) * sz)));
    }
    const iid = generateChannel({ K: 2, Nr: 2, Nt: 3, M: 5, iidSubcarriers: true }, new RandomStreams(1), { trial: 0, round: 0 });
    expect(iid.taps).to.equal(undefined);
    expect(iid.H.data[0]).to.not.equal(iid.H.data[sz]);
  });

  it('per-subcarrier response is the DFT of the zero-padded taps: H[m] = Σ_l h_l e^{−j2πlm/N}', () => {
    const L = 5, M = 12, N = 16;
    const ch = generateChannel({ K: 2, Nr: 2, Nt: 3, M, fftSize: N, multipath: { taps: L, decayDb: 2 } }, new RandomStreams(6), { trial: 0, round: 0 });
    expect(ch.fftSize).to.equal(N);
    const E = 6;
    for (let k = 0; k < 2; k++) for (let m = 0; m < M; m++) for (let e = 0; e < E; e++) {
      let re = 0, im = 0;
      for (let l = 0; l < L; l++) {
        const o = 2 * ((k * L + l) * E + e);
        const tr = ch.taps!.data[o]!, ti = ch.taps!.data[o + 1]!;
        const c = Math.cos((2 * Math.PI * l * m) / N), s = -Math.sin((2 * Math.PI * l * m) / N);
        re += tr * c - ti * s;
        im += tr * s + ti * c;
      }
      const [hr, hi] = h(ch, k, m, Math.floor(e / 3), e % 3);
      expect(hr).to.be.closeTo(re, 1e-13);
      expect(hi).to.be.closeTo(im, 1e-13);
    }
  });

  it('applyChannelFreq computes H_k[m] X[m, t] and superposes with accumulate', () => {
    const ch = generateChannel({ K: 2, Nr: 3, Nt: 2, M: 4, iidSubcarriers: true }, new RandomStreams(4), { trial: 0, round: 0 });
    const T = 2;
    const X = new RandomStreams(4).stream('x').fillNormal(new Float64Array(2 * T * 4 * 2));
    const Y = new Float64Array(2 * T * 4 * 3);
    applyChannelFreq(ch, 0, X, Y);
    applyChannelFreq(ch, 1, X, Y, true);
    for (let t = 0; t < T; t++) for (let m = 0; m < 4; m++) for (let r = 0; r < 3; r++) {
      let re = 0, im = 0;
      for (let k = 0; k < 2; k++) for (let a = 0; a < 2; a++) {
        const [hr, hi] = h(ch, k, m, r, a);
        const xr = X[2 * ((t * 4 + m) * 2 + a)]!, xi = X[2 * ((t * 4 + m) * 2 + a) + 1]!;
        re += hr * xr - hi * xi;
        im += hr * xi + hi * xr;
      }
      const o = 2 * ((t * 4 + m) * 3 + r);
      expect(Y[o]).to.be.closeTo(re, 1e-12);
      expect(Y[o + 1]).to.be.closeTo(im, 1e-12);
    }
  });

  it('bad configuration raises UserInputError naming the field', () => {
    const bad: Array<[ChannelConfig, string]> = [
      [{ K: 0, Nr: 1, Nt: 1, M: 1 }, 'channel.K'],
      [{ K: 1, Nr: 1, Nt: 1, M: 12, multipath: { taps: 3 } }, 'channel.fftSize'],
      [{ K: 1, Nr: 1, Nt: 1, M: 8, multipath: { taps: 9 } }, 'channel.multipath.taps'],
      [{ K: 1, Nr: 1, Nt: 1, M: 8, multipath: { taps: 2 }, iidSubcarriers: true }, 'channel.iidSubcarriers'],
      [{ K: 1, Nr: 1, Nt: 1, M: 8, correlation: { device: 1.5, server: 0 } }, 'channel.correlation.device'],
      [{ K: 1, Nr: 1, Nt: 1, M: 8, pathLoss: { refLossDb: 30, exponent: 3, dMin: 50, dMax: 10 } }, 'channel.pathLoss.dMax'],
      [{ K: 1, Nr: 1, Nt: 1, M: 8, csiError: -1 }, 'channel.csiError'],
      [{ K: 1, Nr: 1, Nt: 1, M: 8, temporal: { rho: 2 } }, 'channel.temporal.rho'],
      [{ K: 1, Nr: 1, Nt: 1, M: 16, fftSize: 8 }, 'channel.fftSize'],
    ];
    for (const [cfg, field] of bad) {
      expect(() => resolveChannelConfig(cfg), field).to.throw(UserInputError).with.property('field', field);
    }
    // M = 12 is fine when fftSize is a power of two
    expect(() => resolveChannelConfig({ K: 1, Nr: 1, Nt: 1, M: 12, fftSize: 16, multipath: { taps: 3 } })).to.not.throw();
    // prev from another configuration
    const a = generateChannel({ K: 2, Nr: 1, Nt: 1, M: 2, temporal: { rho: 0.5 } }, new RandomStreams(1), { trial: 0, round: 0 });
    expect(() => generateChannel({ K: 3, Nr: 1, Nt: 1, M: 2, temporal: { rho: 0.5 } }, new RandomStreams(1), { trial: 0, round: 1 }, a)).to.throw(UserInputError);
  });
});
