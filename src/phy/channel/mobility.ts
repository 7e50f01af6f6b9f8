/**
 * Delay-line channels with exact tap delays (3GPP TDL profiles) and Clarke/Jakes time variation.
 *
 * Taps (per device k, matrix Nr × Nt each, l = 0..L−1):
 *   NLOS tap l:  h_l(t) = sqrt(p_l) · C_r G_l(t) C_tᵀ   (Kronecker, correlation.ts)
 *   LOS tap:     h_0(t) = sqrt(p_0) · a_r(θ_r) a_t(θ_t)ᴴ · e^{j(2π f_D cos α_0 · t + φ_0)}
 *                (half-wavelength ULAs, a(θ)_i = e^{jπ i sin θ}; Doppler from the arrival angle α_0)
 * scaled by sqrt(β_k). Static (no mobility): G_l ~ CN(0, 1) i.i.d. per round from the stream
 * ('channel', trial, round, 'device', k), then the LOS angles and phase from the same stream.
 * Mobility: each entry e of G_l(t) is a sum of N_s sinusoids (Clarke's model by random angles):
 *   g_e(t) = N_s^{−1/2} Σ_n e^{j(2π f_D cos α_{l,n} · t + φ_{l,e,n})},  α, φ ~ U[0, 2π),
 * the arrival angles per tap (shared by its antenna pairs, as the scatterers of one delay are) and
 * the phases per antenna pair, so the entries are uncorrelated, E[g(t) g*(t+τ)] = J₀(2π f_D τ)
 * exactly, and g(t) is close to CN(0, 1) (N_s = 16 by default). Per evaluation this costs N_s sincos
 * per tap and N_s complex multiply-adds per entry.
 * Angles and phases come from ('channel', trial, 'mobility', 'device', k), drawn once per trial and
 * independent of f_D: every speed of a sweep sees the same geometry (paired comparisons), and the
 * channel is one continuous process over the rounds (round r's upload starts at t = r·roundInterval).
 *
 * Frequency response on subcarrier m: H[m] = Σ_l h_l e^{−j2π m Δf τ_l} with the exact delays.
 */
import { batch, type CMatBatch } from '../../linalg/cmat.js';
import type { RandomStreams } from '../../random/streams.js';
import { assertFinite } from '../../errors.js';
import type { ChannelEvolution, ChannelRealization } from '../types.js';
import type { ResolvedChannelConfig } from './config.js';
import { applyKronecker, exponentialCorrelationFactor } from './correlation.js';
import { drawLargeScale } from './largescale.js';
import { tapsToFrequencySimd } from './frequency-simd.js';

interface Where {
  trial: number;
  round: number;
}

/** cos/sin of −2π m Δf τ_l, index l·M + m. */
export function delayPhases(delays: Float64Array, M: number, df: number): { cos: Float64Array; sin: Float64Array } {
  const L = delays.length;
  const cos = new Float64Array(L * M), sin = new Float64Array(L * M);
  for (let l = 0; l < L; l++) {
    for (let m = 0; m < M; m++) {
      const a = -2 * Math.PI * m * df * delays[l]!;
      cos[l * M + m] = Math.cos(a);
      sin[l * M + m] = Math.sin(a);
    }
  }
  return { cos, sin };
}

/** H[k·M + m] = Σ_l taps[k·L + l] e^{−j2π m Δf τ_l} (exact delays; no rounding to samples). */
export function tapsToFrequencyExact(taps: CMatBatch, L: number, M: number, ph: { cos: Float64Array; sin: Float64Array }, H: CMatBatch): void {
  const sz = 2 * taps.rows * taps.cols;
  const K = taps.count / L;
  const T = taps.data, Hd = H.data;
  if (tapsToFrequencySimd(T, K, L, M, taps.rows * taps.cols, ph.cos, ph.sin, Hd)) return; // same bits, SIMD
  Hd.fill(0);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      const o = (k * M + m) * sz;
      for (let l = 0; l < L; l++) {
        const c = ph.cos[l * M + m]!, s = ph.sin[l * M + m]!;
        const t0 = (k * L + l) * sz;
        for (let j = 0; j < sz; j += 2) {
          const a = T[t0 + j]!, b = T[t0 + j + 1]!;
          Hd[o + j] += c * a - s * b;
          Hd[o + j + 1] += c * b + s * a;
        }
      }
    }
  }
}

interface Los {
  ar: Float64Array;
  at: Float64Array;
  /** Doppler cosine cos α_0 */
  cosA: number;
  phase: number;
}

function drawLos(rng: { uniform(): number }, Nr: number, Nt: number): Los {
  const thr = Math.PI * (rng.uniform() - 0.5), tht = Math.PI * (rng.uniform() - 0.5);
  const cosA = Math.cos(2 * Math.PI * rng.uniform());
  const phase = 2 * Math.PI * rng.uniform();
  const ar = new Float64Array(Nr), at = new Float64Array(Nt);
  for (let i = 0; i < Nr; i++) ar[i] = Math.PI * i * Math.sin(thr);
  for (let j = 0; j < Nt; j++) at[j] = Math.PI * j * Math.sin(tht);
  return { ar, at, cosA, phase };
}

/** Write sqrt(p)·a_r a_tᴴ e^{j(2π f_D cos α t + φ)} into matrix slot `off` (doubles). */
function writeLos(d: Float64Array, off: number, los: Los, amp: number, fD: number, t: number, Nr: number, Nt: number): void {
  const base = los.phase + 2 * Math.PI * fD * los.cosA * t;
  for (let i = 0; i < Nr; i++) {
    for (let j = 0; j < Nt; j++) {
      const a = base + los.ar[i]! - los.at[j]!;
      d[off + 2 * (i * Nt + j)] = amp * Math.cos(a);
      d[off + 2 * (i * Nt + j) + 1] = amp * Math.sin(a);
    }
  }
}

/** The Clarke/Jakes tap process of one trial (all devices): evaluate the taps at any time. */
export class JakesProcess {
  /** per device: 2π·cos α_{l,n} (radian frequency per Hz of Doppler), index l·N_s + n */
  private readonly w: Float64Array[];
  /** per device: cos φ, sin φ of every (l, e, n), index ((l·E + e)·N_s + n)·2 */
  private readonly ph: Float64Array[];
  private readonly los: (Los | undefined)[];
  private readonly beta: Float64Array;
  readonly distance: Float64Array;
  private readonly Cr: Float64Array | undefined;
  private readonly Ct: Float64Array | undefined;

  constructor(private readonly c: ResolvedChannelConfig, streams: RandomStreams, trial: number) {
    const { K, Nr, Nt, L } = c;
    const E = Nr * Nt, Ns = c.mobility!.sinusoids;
    const ls = drawLargeScale(K, c.pathLoss, streams, trial);
    this.beta = ls.beta;
    this.distance = ls.distance;
    this.Cr = c.rhoServer > 0 ? exponentialCorrelationFactor(Nr, c.rhoServer) : undefined;
    this.Ct = c.rhoDevice > 0 ? exponentialCorrelationFactor(Nt, c.rhoDevice) : undefined;
    this.w = [];
    this.ph = [];
    this.los = [];
    for (let k = 0; k < K; k++) {
      const rng = streams.stream('channel', trial, 'mobility', 'device', k);
      this.los.push(c.losTap >= 0 ? drawLos(rng, Nr, Nt) : undefined);
      const w = new Float64Array(L * Ns);
      for (let i = 0; i < w.length; i++) w[i] = 2 * Math.PI * Math.cos(2 * Math.PI * rng.uniform());
      const ph = new Float64Array(2 * L * E * Ns);
      for (let i = 0; i < ph.length; i += 2) {
        const a = 2 * Math.PI * rng.uniform();
        ph[i] = Math.cos(a);
        ph[i + 1] = Math.sin(a);
      }
      this.w.push(w);
      this.ph.push(ph);
    }
  }

  get largeScale(): Float64Array {
    return this.beta;
  }

  /** Taps at absolute time t (s): K·L matrices Nr × Nt. */
  tapsAt(t: number, out: CMatBatch = batch(this.c.K * this.c.L, this.c.Nr, this.c.Nt)): CMatBatch {
    const { K, Nr, Nt, L, pdp, losTap } = this.c;
    const E = Nr * Nt, Ns = this.c.mobility!.sinusoids, fD = this.c.mobility!.maxDopplerHz;
    const sz = 2 * E;
    const d = out.data;
    const tmp = new Float64Array(sz);
    const rot = new Float64Array(2 * Ns);
    const ft = fD * t;
    const norm = 1 / Math.sqrt(Ns);
    for (let k = 0; k < K; k++) {
      const w = this.w[k]!, ph = this.ph[k]!;
      const g = Math.sqrt(this.beta[k]!);
      for (let l = 0; l < L; l++) {
        const off = (k * L + l) * sz;
        if (l === losTap) {
          writeLos(d, off, this.los[k]!, g * Math.sqrt(pdp[l]!), fD, t, Nr, Nt);
          continue;
        }
        for (let n = 0; n < Ns; n++) {
          const a = w[l * Ns + n]! * ft;
          rot[2 * n] = Math.cos(a);
          rot[2 * n + 1] = Math.sin(a);
        }
        for (let e = 0; e < E; e++) {
          let re = 0, im = 0;
          const b = 2 * (l * E + e) * Ns;
          for (let n = 0; n < Ns; n++) {
            const pr = ph[b + 2 * n]!, pi = ph[b + 2 * n + 1]!, rr = rot[2 * n]!, ri = rot[2 * n + 1]!;
            re += pr * rr - pi * ri;
            im += pr * ri + pi * rr;
          }
          d[off + 2 * e] = norm * re;
          d[off + 2 * e + 1] = norm * im;
        }
        applyKronecker(d, k * L + l, 1, Nr, Nt, this.Cr, this.Ct, tmp);
        const s = g * Math.sqrt(pdp[l]!);
        for (let j = off; j < off + sz; j++) d[j] = d[j]! * s;
      }
    }
    return out;
  }
}

/** Static (block-fading) delay-line taps of one round: Gaussian NLOS taps, the LOS tap specular. */
function staticTaps(c: ResolvedChannelConfig, streams: RandomStreams, where: Where, beta: Float64Array): CMatBatch {
  const { K, Nr, Nt, L, pdp, losTap } = c;
  const sz = 2 * Nr * Nt;
  const taps = batch(K * L, Nr, Nt);
  const Cr = c.rhoServer > 0 ? exponentialCorrelationFactor(Nr, c.rhoServer) : undefined;
  const Ct = c.rhoDevice > 0 ? exponentialCorrelationFactor(Nt, c.rhoDevice) : undefined;
  const tmp = new Float64Array(sz);
  for (let k = 0; k < K; k++) {
    const rng = streams.stream('channel', where.trial, where.round, 'device', k);
    const block = taps.data.subarray(k * L * sz, (k + 1) * L * sz);
    rng.fillComplexNormal(block, 1);
    applyKronecker(taps.data, k * L, L, Nr, Nt, Cr, Ct, tmp);
    const g = Math.sqrt(beta[k]!);
    for (let l = 0; l < L; l++) {
      const s = g * Math.sqrt(pdp[l]!);
      for (let j = l * sz; j < (l + 1) * sz; j++) block[j] = block[j]! * s;
    }
    if (losTap >= 0) writeLos(block, losTap * sz, drawLos(rng, Nr, Nt), g * Math.sqrt(pdp[losTap]!), 0, 0, Nr, Nt);
  }
  return taps;
}

/**
 * One realisation of a delay-line channel with exact delays (tdl mode, or any tap mode with
 * mobility): H at the start of round `where.round`'s upload, and with mobility its evolution.
 * CSI error is added by the caller (generate.ts). `process` may be passed to reuse a trial's draws.
 */
export function generateDelayLine(
  c: ResolvedChannelConfig, streams: RandomStreams, where: Where, process?: JakesProcess,
): Omit<ChannelRealization, 'Hhat'> {
  const { K, Nr, Nt, M, L } = c;
  const ph = delayPhases(c.delays, M, c.subcarrierSpacingHz);
  const H = batch(K * M, Nr, Nt);
  if (!c.mobility) {
    const { beta, distance } = drawLargeScale(K, c.pathLoss, streams, where.trial);
    tapsToFrequencyExact(staticTaps(c, streams, where, beta), L, M, ph, H);
    assertFinite(H.data, 'generateChannel: H');
    return { K, Nr, Nt, M, H, beta, distance, L, fftSize: c.fftSize };
  }
  const proc = process ?? new JakesProcess(c, streams, where.trial);
  const t0 = where.round * c.mobility.roundIntervalS;
  const tapBuf = batch(K * L, Nr, Nt);
  tapsToFrequencyExact(proc.tapsAt(t0, tapBuf), L, M, ph, H);
  assertFinite(H.data, 'generateChannel: H');
  const evolution: ChannelEvolution = {
    symbolS: c.symbolS,
    maxDopplerHz: c.mobility.maxDopplerHz,
    at(dt: number): CMatBatch {
      const out = batch(K * M, Nr, Nt);
      tapsToFrequencyExact(proc.tapsAt(t0 + dt, tapBuf), L, M, ph, out);
      return out;
    },
  };
  return { K, Nr, Nt, M, H, beta: proc.largeScale, distance: proc.distance, L, fftSize: c.fftSize, evolution };
}
