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
 *
 * The output is built one OFDM symbol (M vectors) at a time: every device's contribution, then the
 * offsets and the combined noise, while that slice of the output is still in cache. The noise is
 * drawn in the same (t, m, s) order as `addCombinedNoise`, and every output entry sees the same
 * operations in the same order as device-by-device passes followed by a noise pass, so the estimate
 * is the same to the bit.
 */
import { UserInputError } from '../../errors.js';
import type { Rng } from '../../random/streams.js';
import type { NormStats, SymbolLayout } from '../ofdm/mapping.js';
import type { ChannelRealization } from '../types.js';
import { addNoiseSlice, combinedNoiseFactors } from './apply.js';
import { SIMD_SYMBOLS, simdCombiner } from './fused-simd.js';
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
  // G_{k,m} (a fresh buffer), scaled in place to G_{k,m}/c_k below
  const G = effectiveMatrices(ch, design).data;
  const out = new Float64Array(2 * T * M * S);
  const nFull = Math.floor(D / S2);
  const btot = new Float64Array(M * S2); // Σ_k of the per-device offsets
  const partial = new Float64Array(S2);
  const active: number[] = [];
  for (let k = 0; k < K; k++) {
    const x = updates[k]!;
    if (x.length !== D) throw new UserInputError(`applyDesignToUpdates.updates[${k}]: length ${x.length} is not allowed; expected D = ${D}`, 'updates');
    const { mean, scale } = stats[k]!;
    if (!(scale > 0)) continue; // constant vector: sends zeros
    const a = 1 / scale;
    const g0 = k * M * SS2;
    if (nFull * S2 < D) {
      // the vector straddling D, with the unscaled G: normalise explicitly (padding is zero, not −μ/c)
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
    for (let m = 0; m < M; m++) {
      for (let i = 0; i < S; i++) {
        let br = 0, bi = 0;
        for (let j = 0; j < S; j++) {
          const o = g0 + m * SS2 + i * S2 + 2 * j;
          const gr = G[o]! * a, gi = G[o + 1]! * a;
          G[o] = gr;
          G[o + 1] = gi;
          br += gr - gi;
          bi += gr + gi;
        }
        btot[m * S2 + 2 * i] += mean * br;
        btot[m * S2 + 2 * i + 1] += mean * bi;
      }
    }
    active.push(k);
  }
  const noisy = noise !== null && ctx.sigma2 > 0;
  const L = noisy ? combinedNoiseFactors(design, ctx.sigma2, M).data : null;
  const z = noisy ? new Float64Array(M * S2) : null;
  const simd = S === 4 && active.length > 0 ? simdCombiner(G, active, M) : null;
  const B = simd ? SIMD_SYMBOLS : 1;
  for (let t0 = 0; t0 < T; t0 += B) {
    const t1 = Math.min(T, t0 + B);
    if (simd) {
      const v0 = t0 * M, v1 = Math.min(nFull, t1 * M);
      if (v1 > v0) simd.block(updates, out, v0, v1);
    }
    for (let t = t0; t < t1; t++) {
      const v0 = t * M, v1 = Math.min(nFull, v0 + M);
      if (v1 > v0) {
        if (!simd) {
          for (const k of active) {
            const g0 = k * M * SS2, x = updates[k]!;
            if (S === 4) span4(G, g0, x, out, v0, v1);
            else if (S === 2) span2(G, g0, x, out, v0, v1);
            else spanGeneric(G, g0, x, out, v0, v1, S);
          }
        }
        // minus the offsets (vectors fully inside the data)
        for (let v = v0, m = 0; v < v1; v++, m++) {
          const o = v * S2, ob = m * S2;
          for (let j = 0; j < S2; j++) out[o + j] -= btot[ob + j]!;
        }
      }
      if (noisy) addNoiseSlice(out, L!, z!, S, M, t, noise!);
    }
  }
  return out;
}

/** out[v] += G_m x[v] for vectors v0 ≤ v < v1 of one OFDM symbol (m = v − v0), any S. */
function spanGeneric(G: Float64Array, g0: number, x: Float64Array, out: Float64Array, v0: number, v1: number, S: number): void {
  const S2 = 2 * S, SS2 = 2 * S * S;
  for (let v = v0, og = g0; v < v1; v++, og += SS2) {
    const o = v * S2;
    for (let i = 0; i < S; i++) {
      let re = 0, im = 0;
      for (let j = 0; j < S; j++) {
        const gr = G[og + i * S2 + 2 * j]!, gi = G[og + i * S2 + 2 * j + 1]!;
        const xr = x[o + 2 * j]!, xi = x[o + 2 * j + 1]!;
        re += gr * xr - gi * xi;
        im += gr * xi + gi * xr;
      }
      out[o + 2 * i] += re;
      out[o + 2 * i + 1] += im;
    }
  }
}

/** spanGeneric unrolled for S = 4 (the hot loop of a round: no inner loops, G read once per vector). */
function span4(G: Float64Array, g0: number, x: Float64Array, out: Float64Array, v0: number, v1: number): void {
  for (let v = v0, g = g0; v < v1; v++, g += 32) {
    const o = v * 8;
    const x0r = x[o]!, x0i = x[o + 1]!, x1r = x[o + 2]!, x1i = x[o + 3]!;
    const x2r = x[o + 4]!, x2i = x[o + 5]!, x3r = x[o + 6]!, x3i = x[o + 7]!;
    let p = G[g]!, q = G[g + 1]!, c = G[g + 2]!, d = G[g + 3]!, e = G[g + 4]!, f = G[g + 5]!, h = G[g + 6]!, w = G[g + 7]!;
    out[o] += p * x0r - q * x0i + c * x1r - d * x1i + e * x2r - f * x2i + h * x3r - w * x3i;
    out[o + 1] += p * x0i + q * x0r + c * x1i + d * x1r + e * x2i + f * x2r + h * x3i + w * x3r;
    p = G[g + 8]!; q = G[g + 9]!; c = G[g + 10]!; d = G[g + 11]!; e = G[g + 12]!; f = G[g + 13]!; h = G[g + 14]!; w = G[g + 15]!;
    out[o + 2] += p * x0r - q * x0i + c * x1r - d * x1i + e * x2r - f * x2i + h * x3r - w * x3i;
    out[o + 3] += p * x0i + q * x0r + c * x1i + d * x1r + e * x2i + f * x2r + h * x3i + w * x3r;
    p = G[g + 16]!; q = G[g + 17]!; c = G[g + 18]!; d = G[g + 19]!; e = G[g + 20]!; f = G[g + 21]!; h = G[g + 22]!; w = G[g + 23]!;
    out[o + 4] += p * x0r - q * x0i + c * x1r - d * x1i + e * x2r - f * x2i + h * x3r - w * x3i;
    out[o + 5] += p * x0i + q * x0r + c * x1i + d * x1r + e * x2i + f * x2r + h * x3i + w * x3r;
    p = G[g + 24]!; q = G[g + 25]!; c = G[g + 26]!; d = G[g + 27]!; e = G[g + 28]!; f = G[g + 29]!; h = G[g + 30]!; w = G[g + 31]!;
    out[o + 6] += p * x0r - q * x0i + c * x1r - d * x1i + e * x2r - f * x2i + h * x3r - w * x3i;
    out[o + 7] += p * x0i + q * x0r + c * x1i + d * x1r + e * x2i + f * x2r + h * x3i + w * x3r;
  }
}

/** spanGeneric unrolled for S = 2. */
function span2(G: Float64Array, g0: number, x: Float64Array, out: Float64Array, v0: number, v1: number): void {
  for (let v = v0, g = g0; v < v1; v++, g += 8) {
    const o = v * 4;
    const x0r = x[o]!, x0i = x[o + 1]!, x1r = x[o + 2]!, x1i = x[o + 3]!;
    // (grouped as spanGeneric sums them, so every S gives the same bits as the generic loop)
    let p = G[g]!, q = G[g + 1]!, c = G[g + 2]!, d = G[g + 3]!;
    out[o] += (p * x0r - q * x0i) + (c * x1r - d * x1i);
    out[o + 1] += (p * x0i + q * x0r) + (c * x1i + d * x1r);
    p = G[g + 4]!; q = G[g + 5]!; c = G[g + 6]!; d = G[g + 7]!;
    out[o + 2] += (p * x0r - q * x0i) + (c * x1r - d * x1i);
    out[o + 3] += (p * x0i + q * x0r) + (c * x1i + d * x1r);
  }
}
