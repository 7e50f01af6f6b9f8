/**
 * The effective-path application fused with the device-side normalisation: the same estimate as
 * `applyDesign(ch, design, ctx, normalizeAndMap(x_k).symbols, …)` (to rounding), without writing and
 * re-reading the K normalised symbol grids.
 *
 * The mapping (src/phy/ofdm/mapping.ts) puts real entry i of x_k at interleaved position i of the
 * grid and zeros after D, with s_k = (x_k − μ_k)/c_k on the data part. Hence for every symbol vector
 * v = (t, m) fully inside the data:
 *   G_{k,m} s_{k,v} = (G_{k,m}/c_k) x_{k,v} − (G_{k,m}/c_k) μ_k (1 + i) 1_S,
 * a scaled matrix and a per-subcarrier offset computed once per device. The one vector that straddles
 * D is normalised explicitly; vectors past D are zero and skipped. The round is memory-bound (K·D
 * doubles of input), so one pass over x_k instead of three (normalise, write, read) is what counts.
 */
import { UserInputError } from '../../errors.js';
import type { Rng } from '../../random/streams.js';
import type { NormStats, SymbolLayout } from '../ofdm/mapping.js';
import type { ChannelRealization } from '../types.js';
import { addCombinedNoise } from './apply.js';
import { effectiveMatrices } from './mse.js';
import type { DesignContext, TransceiverDesign } from './types.js';

export function applyDesignToUpdates(
  ch: ChannelRealization,
  design: TransceiverDesign,
  ctx: Pick<DesignContext, 'sigma2'>,
  updates: readonly Float64Array[],
  stats: readonly NormStats[],
  layout: SymbolLayout,
  noise: Rng | null,
): Float64Array {
  const { K, M } = ch;
  const S = design.S;
  if (design.exact) throw new UserInputError('applyDesignToUpdates: exact (ideal) designs need no channel; use applyDesign on the mapped symbols', 'design');
  if (updates.length !== K || stats.length !== K) {
    throw new UserInputError(`applyDesignToUpdates: ${updates.length} updates and ${stats.length} stats are not allowed; expected K = ${K} of each`, 'updates');
  }
  if (layout.M !== M || layout.S !== S) {
    throw new UserInputError(`applyDesignToUpdates.layout: M=${layout.M}, S=${layout.S} does not match the channel/design (M=${M}, S=${S})`, 'layout');
  }
  const { D, T } = layout;
  const S2 = 2 * S, SS2 = 2 * S * S;
  const G = effectiveMatrices(ch, design).data;
  const out = new Float64Array(2 * T * M * S);
  const nFull = Math.floor(D / S2);
  const Gs = new Float64Array(M * SS2);
  const btot = new Float64Array(M * S2); // Σ_k of the per-device offsets, subtracted once at the end
  const partial = new Float64Array(S2);
  for (let k = 0; k < K; k++) {
    const x = updates[k]!;
    if (x.length !== D) throw new UserInputError(`applyDesignToUpdates.updates[${k}]: length ${x.length} is not allowed; expected D = ${D}`, 'updates');
    const { mean, scale } = stats[k]!;
    if (!(scale > 0)) continue; // constant vector: sends zeros
    const a = 1 / scale;
    const g0 = k * M * SS2;
    for (let m = 0; m < M; m++) {
      for (let i = 0; i < S; i++) {
        let br = 0, bi = 0;
        for (let j = 0; j < S; j++) {
          const o = m * SS2 + i * S2 + 2 * j;
          const gr = G[g0 + o]! * a, gi = G[g0 + o + 1]! * a;
          Gs[o] = gr;
          Gs[o + 1] = gi;
          br += gr - gi;
          bi += gr + gi;
        }
        btot[m * S2 + 2 * i] += mean * br;
        btot[m * S2 + 2 * i + 1] += mean * bi;
      }
    }
    if (S === 4) fused4(Gs, x, out, nFull, M);
    else fusedGeneric(Gs, x, out, nFull, M, S);
    if (nFull * S2 < D) {
      // the vector straddling D: normalise explicitly (padding is zero, not −μ/c)
      const o = nFull * S2, m = nFull % M;
      for (let j = 0; j < S2; j++) partial[j] = o + j < D ? (x[o + j]! - mean) * a : 0;
      for (let i = 0; i < S; i++) {
        let re = 0, im = 0;
        for (let j = 0; j < S; j++) {
          const go = g0 + m * SS2 + i * S2 + 2 * j;
          re += G[go]! * partial[2 * j]! - G[go + 1]! * partial[2 * j + 1]!;
          im += G[go]! * partial[2 * j + 1]! + G[go + 1]! * partial[2 * j]!;
        }
        out[o + 2 * i] += re;
        out[o + 2 * i + 1] += im;
      }
    }
  }
  for (let v = 0, m = 0; v < nFull; v++, m = m + 1 === M ? 0 : m + 1) {
    const o = v * S2, ob = m * S2;
    for (let j = 0; j < S2; j++) out[o + j] -= btot[ob + j]!;
  }
  if (noise && ctx.sigma2 > 0) addCombinedNoise(out, design, ctx.sigma2, M, T, noise);
  return out;
}

/** out[v] += Gs[m] x[v] over the full data vectors (the offsets are subtracted by the caller). */
function fusedGeneric(Gs: Float64Array, x: Float64Array, out: Float64Array, nFull: number, M: number, S: number): void {
  const S2 = 2 * S, SS2 = 2 * S * S;
  for (let v = 0, m = 0; v < nFull; v++, m = m + 1 === M ? 0 : m + 1) {
    const o = v * S2, og = m * SS2;
    for (let i = 0; i < S; i++) {
      let re = 0, im = 0;
      for (let j = 0; j < S; j++) {
        const gr = Gs[og + i * S2 + 2 * j]!, gi = Gs[og + i * S2 + 2 * j + 1]!;
        const xr = x[o + 2 * j]!, xi = x[o + 2 * j + 1]!;
        re += gr * xr - gi * xi;
        im += gr * xi + gi * xr;
      }
      out[o + 2 * i] += re;
      out[o + 2 * i + 1] += im;
    }
  }
}

function fused4(Gs: Float64Array, x: Float64Array, out: Float64Array, nFull: number, M: number): void {
  for (let v = 0, m = 0; v < nFull; v++, m = m + 1 === M ? 0 : m + 1) {
    const o = v * 8;
    let g = m * 32;
    const x0r = x[o]!, x0i = x[o + 1]!, x1r = x[o + 2]!, x1i = x[o + 3]!;
    const x2r = x[o + 4]!, x2i = x[o + 5]!, x3r = x[o + 6]!, x3i = x[o + 7]!;
    for (let i = 0; i < 8; i += 2, g += 8) {
      const p = Gs[g]!, q = Gs[g + 1]!, c = Gs[g + 2]!, d = Gs[g + 3]!;
      const e = Gs[g + 4]!, f = Gs[g + 5]!, h = Gs[g + 6]!, w = Gs[g + 7]!;
      out[o + i] += p * x0r - q * x0i + c * x1r - d * x1i + e * x2r - f * x2i + h * x3r - w * x3i;
      out[o + i + 1] += p * x0i + q * x0r + c * x1i + d * x1r + e * x2i + f * x2r + h * x3i + w * x3r;
    }
  }
}
