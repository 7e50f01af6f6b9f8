/**
 * Truncated channel inversion (broadband analog aggregation, Zhu–Wang–Huang, TWC 2020; papers.md §3.2)
 * for single-stream links (S = 1).
 *
 * The server combines with f_m, the dominant eigenvector of Σ_k Ĥ_{k,m}Ĥ_{k,m}ᴴ (for N_r = N_t = 1 this is
 * the plain SISO setting of the paper). Device k sees the scalar effective gain g_{k,m} = ‖f_mᴴ Ĥ_{k,m}‖²
 * and inverts it with matched beamforming: v_{k,m} = √ρ (φ_k/φ_max) a_{k,m}ᴴ / g_{k,m}, a = f_mᴴĤ_{k,m},
 * so every active device arrives with amplitude √ρ·φ_k/φ_max (BAA: p = ρ/|h|², path loss inverted too).
 * Truncation: device k is silent on subcarrier m when its normalised gain
 *   γ_{k,m} = g_{k,m} / (β_k N_t)        (mean ≈ 1; exactly |h|² ~ Exp(1) in the SISO Rayleigh case)
 * is below the threshold g_th. The server rescales by the weight it actually heard,
 * Φ_m = Σ_{k active} φ_k: U_m = f_m φ_max Σφ / (√ρ Φ_m), so the estimate is (Σφ/Φ_m)·Σ_{active} φ_k s_k —
 * the weighted average renormalised over the devices heard (BAA's "the server rescales"). The
 * truncation error Σ_active φ_k²(Σφ/Φ_m − 1)² + Σ_silent φ_k² is part of the analytic MSE.
 *
 * ρ (the receive SNR factor) is set per realisation, the largest value meeting every budget:
 *  - per subcarrier:  ρ_m = min_{k active on m} P g_{k,m} (φ_max/φ_k)²;
 *  - per OFDM symbol: a common ρ = min_k M·P / Σ_{m: k active} (φ_k/φ_max)² / g_{k,m} — the empirical
 *    (over the M subcarriers) form of the paper's average-power constraint ρ·E1(g_th) ≤ P.
 * The threshold is what keeps ρ away from the deep-fade straggler bound of untruncated inversion.
 *
 * What it assumes: the server knows which devices were silent on each subcarrier (the silent set
 * follows from the channel estimates Ĥ the server designs on; BAA's receiver renormalises by the
 * devices heard), so Φ_m is exact and truncation costs only the silent devices' symbols — it is
 * counted as a loss of independent symbols (the Σ_silent φ_k² term), not as unknown interference. A
 * receiver that does not know the silent set would have to scale by Σφ and would see an extra bias.
 * Check against BAA (test/phy.channel.tci.test.ts): SISO Rayleigh, per-symbol budget, large M — the
 * receive SNR ρ/σ² tends to P/(σ²·E1(g_th)) and the silent fraction to 1 − e^{−g_th}.
 */
import { batch, cmat } from '../../linalg/cmat.js';
import { UserInputError } from '../../errors.js';
import type { ChannelRealization } from '../types.js';
import { checkContext } from './context.js';
import { conditionalMse } from './mse.js';
import { dominantSubspace, streamGeometry } from './subspace.js';
import type { AirCompScheme, DesignContext, TransceiverDesign, SchemeCapabilities } from './types.js';

export interface TciOptions {
  /** truncation threshold g_th on the normalised gain γ (default 0.1: 9.5 % truncation in SISO Rayleigh) */
  threshold?: number;
}

export class TciScheme implements AirCompScheme {
  readonly name = 'tci';
  readonly capabilities: SchemeCapabilities = { maxStreams: 'single', exact: false, designable: false };
  readonly threshold: number;
  constructor(opts: TciOptions = {}) {
    const th = opts.threshold ?? 0.1;
    if (!(th >= 0) || !Number.isFinite(th)) {
      throw new UserInputError(`aggregation.tci.threshold: ${th} is not allowed; expected a finite number ≥ 0`, 'aggregation.threshold');
    }
    this.threshold = th;
  }

  design(ch: ChannelRealization, ctx: DesignContext): TransceiverDesign {
    checkContext(ch, ctx);
    if (ctx.S !== 1) {
      throw new UserInputError(`phy.streams: ${ctx.S} is not allowed with tci (truncated channel inversion is single-stream); expected 1`, 'phy.streams');
    }
    const { K, M, Nr, Nt } = ch;
    const { phi, P } = ctx;
    const F = dominantSubspace(ch, 1);
    const g = streamGeometry(ch, F); // d = g_{k,m}, W = aᴴ·q with |q| = 1
    let phiMax = 0;
    for (let k = 0; k < K; k++) phiMax = Math.max(phiMax, phi[k]!);
    let phiSum = 0;
    for (let k = 0; k < K; k++) phiSum += phi[k]!;
    const silent = new Uint8Array(K * M);
    let nSilent = 0;
    for (let k = 0; k < K; k++) {
      const norm = ch.beta[k]! * Nt;
      for (let m = 0; m < M; m++) {
        const idx = k * M + m;
        const gain = g.d[idx]!;
        if (phi[k] === 0 || gain === 0 || gain / norm < this.threshold) {
          silent[idx] = 1;
          nSilent++;
        }
      }
    }
    // relative power need r_{k,m} = (φ_k/φ_max)² / g_{k,m} at ρ = 1
    const need = (k: number, m: number): number => (phi[k]! / phiMax) ** 2 / g.d[k * M + m]!;
    const rho = new Float64Array(M);
    if (ctx.powerMode === 'subcarrier') {
      for (let m = 0; m < M; m++) {
        let r = Infinity;
        for (let k = 0; k < K; k++) if (!silent[k * M + m]) r = Math.min(r, P / need(k, m));
        rho[m] = r;
      }
    } else {
      let r = Infinity;
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let m = 0; m < M; m++) if (!silent[k * M + m]) s += need(k, m);
        if (s > 0) r = Math.min(r, (M * P) / s);
      }
      rho.fill(r);
    }
    const U = batch(M, Nr, 1);
    const V = batch(K * M, Nt, 1);
    const q = cmat(1, 1);
    for (let m = 0; m < M; m++) {
      let Phi = 0;
      for (let k = 0; k < K; k++) if (!silent[k * M + m]) Phi += phi[k]!;
      if (Phi === 0 || !Number.isFinite(rho[m]!)) continue; // nobody heard: U = 0, estimate 0
      const sr = Math.sqrt(rho[m]!);
      // rescale: the estimate targets (Σφ)·Σ_active φ_k s_k / Φ_m (= renormalised weighted average × Σφ)
      const c = (phiMax * phiSum) / (sr * Phi);
      for (let i = 0; i < 2 * Nr; i++) U.data[m * 2 * Nr + i] = c * F.data[m * 2 * Nr + i]!;
      for (let k = 0; k < K; k++) {
        const idx = k * M + m;
        if (silent[idx]) continue;
        // v = √ρ (φ_k/φ_max) aᴴ / g; streamGeometry stores W = aᴴ q with the 1×1 eigenvector q, |q| = 1
        q.data[0] = g.Q.data[2 * idx]!;
        q.data[1] = g.Q.data[2 * idx + 1]!;
        const s = (sr * phi[k]!) / phiMax / g.d[idx]!;
        for (let r = 0; r < Nt; r++) {
          const wr = g.W.data[2 * (idx * Nt + r)]!, wi = g.W.data[2 * (idx * Nt + r) + 1]!;
          // (aᴴ q) q̄ = aᴴ
          V.data[2 * (idx * Nt + r)] = s * (wr * q.data[0]! + wi * q.data[1]!);
          V.data[2 * (idx * Nt + r) + 1] = s * (wi * q.data[0]! - wr * q.data[1]!);
        }
      }
    }
    const design: TransceiverDesign = { scheme: this.name, S: 1, U, V, analyticMse: new Float64Array(M), silent };
    design.analyticMse = conditionalMse(ch, design, phi, ctx.sigma2, ch.Hhat);
    let rm = 0;
    for (let m = 0; m < M; m++) rm += Number.isFinite(rho[m]!) ? rho[m]! : 0;
    design.info = { rho: rm / M, silentFraction: nSilent / (K * M), threshold: this.threshold };
    return design;
  }
}
