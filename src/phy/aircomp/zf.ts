/**
 * Zero-forcing AirComp: U_m = √η_m F_m, V_{k,m} = φ_k (U_mᴴ Ĥ_{k,m})^† = (φ_k/√η_m) A_kᴴ(A_k A_kᴴ)⁻¹.
 *
 * Misalignment is zero (on Ĥ), so MSE_m = σ² ‖U_m‖² = σ² S η_m, and the power of device k is
 * ‖V_{k,m}‖² = φ_k² t_{k,m} / η_m with t_{k,m} = tr[(A_k A_kᴴ)⁻¹]. η is the smallest value meeting every
 * budget:
 *  - per subcarrier:  η_m = max_k φ_k² t_{k,m} / P;
 *  - per OFDM symbol, `eta: 'optimal'` (default): the coupled problem min Σ_m σ²Sη_m s.t. Σ_m c_{k,m}/η_m ≤ M·P
 *    for every k (c = φ_k² t_{k,m}) is convex in x_m = 1/η_m; its KKT conditions give
 *    η_m = √(Σ_k λ_k c_{k,m}) with multipliers λ_k ≥ 0 of the active devices (symbol-eta.ts, the one
 *    implementation the AirFL-LoRA design loop shares); the common η is kept if it is better (so never worse).
 *  - per OFDM symbol, `eta: 'common'` (the weak variant, selectable): one η = max_k φ_k² Σ_m t_{k,m} / (M·P)
 *    on every subcarrier. It spreads the noise evenly over the subcarriers (every entry of the update
 *    sees the same noise) but lets one device's deep fades set the noise everywhere.
 * Needs N_t ≥ S (A_k Aᴴ_k invertible).
 */
import { batch, type CMatBatch } from '../../linalg/cmat.js';
import { NumericalError, UserInputError } from '../../errors.js';
import type { ChannelRealization } from '../types.js';
import { checkContext } from './context.js';
import { conditionalMse } from './mse.js';
import { dominantSubspace, scaledCombiner, streamGeometry, writePrecoder, type StreamGeometry } from './subspace.js';
import { kktSymbolEta } from './symbol-eta.js';
import type { AirCompScheme, DesignContext, TransceiverDesign, SchemeCapabilities } from './types.js';

/** t_{k,m} = Σ_i 1/d_i (power of the η = 1, φ = 1 ZF precoder). Throws if a stream has zero gain. */
export function zfTraces(g: StreamGeometry): Float64Array {
  const { K, M, S } = g;
  const t = new Float64Array(K * M);
  for (let idx = 0; idx < K * M; idx++) {
    let s = 0;
    for (let i = 0; i < S; i++) {
      const d = g.d[idx * S + i]!;
      if (d === 0) {
        throw new NumericalError(`zf: projected channel of device ${Math.floor(idx / M)} on subcarrier ${idx % M} is rank-deficient (stream ${i} has zero gain); zero-forcing is infeasible`);
      }
      s += 1 / d;
    }
    t[idx] = s;
  }
  return t;
}

export type EtaAllocation = 'common' | 'optimal';

/** The smallest η (per subcarrier, length M) meeting every device's budget for ZF precoders. */
export function zfEta(g: StreamGeometry, t: Float64Array, ctx: DesignContext, allocation: EtaAllocation = 'common'): Float64Array {
  const { K, M } = g;
  const eta = new Float64Array(M);
  if (ctx.powerMode === 'subcarrier') {
    for (let m = 0; m < M; m++) {
      let e = 0;
      for (let k = 0; k < K; k++) e = Math.max(e, (ctx.phi[k]! ** 2 * t[k * M + m]!) / ctx.P);
      eta[m] = e;
    }
  } else {
    let e = 0;
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += t[k * M + m]!;
      e = Math.max(e, (ctx.phi[k]! ** 2 * s) / (M * ctx.P));
    }
    eta.fill(e);
    if (allocation === 'optimal') return optimalSymbolEta(t, ctx, K, M, eta);
  }
  return eta;
}

/** Per-symbol budget, coupled optimum of Σ_m η_m (symbol-eta.ts, shared with the design loop); `common` is the fallback. */
function optimalSymbolEta(t: Float64Array, ctx: DesignContext, K: number, M: number, common: Float64Array): Float64Array {
  const c = new Float64Array(K * M);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) c[k * M + m] = ctx.phi[k]! ** 2 * t[k * M + m]!;
  const r = kktSymbolEta(c, K, M, M * ctx.P);
  return r.optimal ? r.eta : common;
}

/** ZF design for a given orthonormal F (M matrices N_r × S); the manifold beamformer reuses it. */
export function zfGivenF(ch: ChannelRealization, ctx: DesignContext, F: CMatBatch, scheme = 'zf', allocation: EtaAllocation = 'common'): TransceiverDesign {
  checkContext(ch, ctx);
  const S = F.cols;
  if (ch.Nt < S) {
    throw new UserInputError(`phy.streams: ${S} is not allowed with zero-forcing and N_t = ${ch.Nt}; expected S ≤ N_t`, 'phy.streams');
  }
  const g = streamGeometry(ch, F);
  const t = zfTraces(g);
  const eta = zfEta(g, t, ctx, allocation);
  const { K, M } = ch;
  const V = batch(K * M, ch.Nt, S);
  const w = new Float64Array(S);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      const idx = k * M + m;
      for (let i = 0; i < S; i++) w[i] = 1 / g.d[idx * S + i]!;
      const e = eta[m]!;
      writePrecoder(g, idx, e > 0 ? ctx.phi[k]! / Math.sqrt(e) : 0, w, V);
    }
  }
  const U = scaledCombiner(F, Array.from(eta, Math.sqrt));
  const design: TransceiverDesign = { scheme, S, U, V, analyticMse: new Float64Array(M) };
  design.analyticMse = conditionalMse(ch, design, ctx.phi, ctx.sigma2, ch.Hhat);
  let em = 0;
  for (let m = 0; m < M; m++) em += eta[m]!;
  // channel_inversion: the power is tr[(A Aᴴ)⁻¹], whose mean is infinite when S = N_t (reports use the median)
  design.info = { eta: em / M, channel_inversion: 1 };
  return design;
}

export class ZfScheme implements AirCompScheme {
  readonly name = 'zf';
  readonly capabilities: SchemeCapabilities = { maxStreams: 'device-antennas', exact: false, designable: true };
  /** per-symbol budget: the coupled optimum (default) or one common η (see the file comment) */
  constructor(readonly eta: EtaAllocation = 'optimal') {
    if (eta !== 'common' && eta !== 'optimal') {
      throw new UserInputError(`aggregation.zf.eta: '${String(eta)}' is not allowed; expected 'common' or 'optimal'`, 'aggregation.eta');
    }
  }
  design(ch: ChannelRealization, ctx: DesignContext): TransceiverDesign {
    checkContext(ch, ctx);
    return zfGivenF(ch, ctx, dominantSubspace(ch, ctx.S), this.name, this.eta);
  }
}
