/**
 * Aggregation MSE of a design on a given channel, and the S × S effective matrices it rests on.
 *
 * Uᴴy = Σ_k G_{k,m} s_k + Uᴴn with G_{k,m} = U_mᴴ H_{k,m} V_{k,m}. For unit-power symbols that are
 * independent across devices (E[s_k s_jᴴ] = δ_kj I):
 *   MSE_m = Σ_k ‖G_{k,m} − φ_k I‖_F² + σ² ‖U_m‖_F².
 * Evaluated on Ĥ this is the designed (analytic) MSE; on H it is the MSE conditional on the true channel.
 */
import { batch, type CMatBatch } from '../../linalg/cmat.js';
import type { ChannelRealization } from '../types.js';
import type { TransceiverDesign } from './types.js';

/** G_{k,m} = U_mᴴ H_{k,m} V_{k,m}: K·M matrices S × S (index k·M + m). */
export function effectiveMatrices(ch: ChannelRealization, design: TransceiverDesign, H: CMatBatch = ch.H): CMatBatch {
  const { K, M, Nr, Nt } = ch;
  const S = design.S;
  const G = batch(K * M, S, S);
  if (design.exact) return G;
  const U = design.U.data, V = design.V.data, h = H.data, g = G.data;
  const T = new Float64Array(2 * S * Nt); // Uᴴ H (S × Nt)
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      const idx = k * M + m;
      const ou = m * 2 * Nr * S, oh = idx * 2 * Nr * Nt, ov = idx * 2 * Nt * S, og = idx * 2 * S * S;
      // T = Uᴴ H with register accumulators (no read-modify-write of T)
      for (let i = 0; i < S; i++) {
        for (let c = 0; c < Nt; c++) {
          let re = 0, im = 0;
          for (let r = 0; r < Nr; r++) {
            const ur = U[ou + 2 * (r * S + i)]!, ui = U[ou + 2 * (r * S + i) + 1]!; // conj(U) = ur − i·ui
            const hr = h[oh + 2 * (r * Nt + c)]!, hi = h[oh + 2 * (r * Nt + c) + 1]!;
            re += ur * hr + ui * hi;
            im += ur * hi - ui * hr;
          }
          T[2 * (i * Nt + c)] = re;
          T[2 * (i * Nt + c) + 1] = im;
        }
      }
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          let re = 0, im = 0;
          for (let c = 0; c < Nt; c++) {
            const ar = T[2 * (i * Nt + c)]!, ai = T[2 * (i * Nt + c) + 1]!;
            const br = V[ov + 2 * (c * S + j)]!, bi = V[ov + 2 * (c * S + j) + 1]!;
            re += ar * br - ai * bi;
            im += ar * bi + ai * br;
          }
          g[og + 2 * (i * S + j)] = re;
          g[og + 2 * (i * S + j) + 1] = im;
        }
      }
    }
  }
  return G;
}

/** ‖U_m‖_F² per subcarrier. */
export function combinerPower(design: TransceiverDesign, M: number): Float64Array {
  const out = new Float64Array(M);
  if (design.exact) return out;
  const n = 2 * design.U.rows * design.U.cols;
  const u = design.U.data;
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let i = m * n; i < (m + 1) * n; i++) s += u[i]! * u[i]!;
    out[m] = s;
  }
  return out;
}

/** Per subcarrier MSE from effective matrices: Σ_k ‖G_{k,m} − φ_k I‖² + σ² ‖U_m‖². */
export function mseFromEffective(G: CMatBatch, phi: Float64Array, uPow: Float64Array, sigma2: number, K: number, M: number): Float64Array {
  const S = G.rows;
  const out = new Float64Array(M);
  const g = G.data;
  for (let m = 0; m < M; m++) {
    let e = sigma2 * uPow[m]!;
    for (let k = 0; k < K; k++) {
      const o = (k * M + m) * 2 * S * S;
      const f = phi[k]!;
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          const re = g[o + 2 * (i * S + j)]! - (i === j ? f : 0), im = g[o + 2 * (i * S + j) + 1]!;
          e += re * re + im * im;
        }
      }
    }
    out[m] = e;
  }
  return out;
}

/** MSE of `design` per subcarrier on channel H (default: the true channel ch.H). */
export function conditionalMse(ch: ChannelRealization, design: TransceiverDesign, phi: Float64Array, sigma2: number, H: CMatBatch = ch.H): Float64Array {
  if (design.exact) return new Float64Array(ch.M);
  return mseFromEffective(effectiveMatrices(ch, design, H), phi, combinerPower(design, ch.M), sigma2, ch.K, ch.M);
}

/** Power ‖V_{k,m}‖² per device and subcarrier (index k·M + m). */
export function precoderPower(design: TransceiverDesign, K: number, M: number): Float64Array {
  const out = new Float64Array(K * M);
  if (design.exact) return out;
  const n = 2 * design.V.rows * design.V.cols;
  const v = design.V.data;
  for (let i = 0; i < K * M; i++) {
    let s = 0;
    for (let j = i * n; j < (i + 1) * n; j++) s += v[j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * Alignment gain per subcarrier: c_m = Σ_k φ_k Re tr G_{k,m} / (S·Σ_k φ_k²), the least-squares scalar with
 * Uᴴy ≈ c_m·Σ_k φ_k s_k. Zero-forcing structures on the channel they were designed for give c_m = 1;
 * an MMSE transceiver shrinks the aggregate toward zero (c_m < 1), which makes its error correlated with
 * the target. With c̄ the mean over subcarriers, Σ_m E‖Uᴴy − c̄·Σφ_k s_k‖² = Σ_m MSE_m − M·(1 − c̄)²·S·Σφ_k²
 * (Pythagoras: c̄ is the least-squares fit over all subcarriers), the part of the error that is
 * uncorrelated with the target (the optimality-gap bound uses both, docs/airfl.md).
 */
export function alignmentGain(ch: ChannelRealization, design: TransceiverDesign, phi: Float64Array, H: CMatBatch = ch.H): Float64Array {
  const { K, M } = ch;
  const out = new Float64Array(M);
  if (design.exact) return out.fill(1);
  const G = effectiveMatrices(ch, design, H);
  const S = G.rows, g = G.data;
  let w2 = 0;
  for (let k = 0; k < K; k++) w2 += phi[k]! * phi[k]!;
  if (!(w2 > 0)) return out.fill(1);
  for (let m = 0; m < M; m++) {
    let t = 0;
    for (let k = 0; k < K; k++) {
      const o = (k * M + m) * 2 * S * S;
      let tr = 0;
      for (let i = 0; i < S; i++) tr += g[o + 2 * (i * S + i)]!;
      t += phi[k]! * tr;
    }
    out[m] = t / (S * w2);
  }
  return out;
}
