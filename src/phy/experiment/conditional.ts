/**
 * Per-trial conditional expectation of the aggregate NMSE given the channel: the design's MSE on the
 * *true* channel H (so CSI error counts), over the expected target power, for the synthetic updates'
 * symbol statistics (unit power, correlation ρ between devices, independent across symbols):
 *   E‖e_m‖² = σ²‖U_m‖² + Σ_{k,j} C_kj tr(E_jᴴ E_k),   E_k = U_mᴴ H_{k,m} V_{k,m} − w_k I,
 *   C = (1 − ρ) I + ρ 11ᵀ  ⇒  Σ_{k,j} C_kj tr(E_jᴴ E_k) = (1 − ρ) Σ_k ‖E_k‖² + ρ ‖Σ_k E_k‖²,
 *   target power per symbol vector S·[(1 − ρ) Σ w_k² + ρ (Σ w_k)²],
 * weighted by the data symbols each subcarrier carries. Unlike the realised NMSE of one trial (a ratio
 * of two finite sums, biased upwards for a short payload) it has no payload noise at all.
 */
import { combinerPower, effectiveMatrices } from '../aircomp/mse.js';
import type { TransceiverDesign } from '../aircomp/types.js';
import type { SymbolLayout } from '../ofdm/mapping.js';
import type { ChannelRealization } from '../types.js';

export function conditionalNmse(ch: ChannelRealization, design: TransceiverDesign, w: Float64Array, sigma2: number, rho: number, layout: SymbolLayout): number {
  if (design.exact) return 0;
  const { K, M } = ch;
  const S = design.S;
  const G = effectiveMatrices(ch, design, ch.H);
  const up = combinerPower(design, M);
  const g = G.data;
  const sumE = new Float64Array(2 * S * S);
  // complex data symbols per subcarrier (the layout fills (t·M + m)·S + s in order)
  const dataSymbols = Math.floor(layout.D / 2) + (layout.D % 2);
  let err = 0, weight = 0;
  for (let m = 0; m < M; m++) {
    let nm = 0;
    for (let s = 0; s < S; s++) {
      const first = m * S + s; // complex index at t = 0
      if (first < dataSymbols) nm += Math.floor((dataSymbols - 1 - first) / (M * S)) + 1;
    }
    if (nm === 0) continue;
    let own = 0;
    sumE.fill(0);
    for (let k = 0; k < K; k++) {
      const o = (k * M + m) * 2 * S * S;
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          const re = g[o + 2 * (i * S + j)]! - (i === j ? w[k]! : 0), im = g[o + 2 * (i * S + j) + 1]!;
          own += re * re + im * im;
          sumE[2 * (i * S + j)] += re;
          sumE[2 * (i * S + j) + 1] += im;
        }
      }
    }
    let cross = 0;
    for (let i = 0; i < 2 * S * S; i++) cross += sumE[i]! * sumE[i]!;
    // per symbol vector, times the symbol vectors on this subcarrier (nm/S)
    err += ((1 - rho) * own + rho * cross + sigma2 * up[m]!) * (nm / S);
    weight += nm / S;
  }
  let w2 = 0, w1 = 0;
  for (let k = 0; k < K; k++) {
    w2 += w[k]! * w[k]!;
    w1 += w[k]!;
  }
  const target = S * ((1 - rho) * w2 + rho * w1 * w1);
  return weight > 0 && target > 0 ? err / (weight * target) : 0;
}
