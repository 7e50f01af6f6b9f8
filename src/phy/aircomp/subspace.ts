/**
 * Receive subspaces and per-device stream geometry shared by the linear schemes.
 *
 * F_m: the dominant S-dimensional eigenspace of Σ_k Ĥ_{k,m} Ĥ_{k,m}ᴴ (orthonormal columns). A scheme
 * that optimises F per subcarrier (the manifold beamformer) supplies its own F and reuses
 * `streamGeometry` and the precoder formulas of zf.ts / mmse.ts.
 *
 * For fixed F, device k sees the projected channel A_{k,m} = F_mᴴ Ĥ_{k,m} (S × N_t). With
 * A Aᴴ = Q diag(d) Qᴴ and W = Aᴴ Q, every precoder here has the form
 *   V = c · W · diag(w) · Qᴴ
 * (ZF: w_i = 1/d_i; regularised inversion: w_i = 1/(d_i + μ)), so the power ‖V‖² = c² Σ d_i w_i² and
 * the misalignment ‖Uᴴ Ĥ V − φ I‖² are closed-form in (d, w): no further matrix work per trial.
 */
import { batch, batchItem, cmat, matmulAH, type CMatBatch } from '../../linalg/cmat.js';
import { eighUnchecked } from '../../linalg/eigh.js';
import { gramAt, gramInto } from '../../linalg/small.js';
import { NumericalError, UserInputError } from '../../errors.js';
import type { ChannelRealization } from '../types.js';

/** F_m for every subcarrier: M matrices N_r × S, the S dominant eigenvectors of Σ_k Ĥ Ĥᴴ. */
export function dominantSubspace(ch: ChannelRealization, S: number, Hsrc: CMatBatch = ch.Hhat): CMatBatch {
  const { K, M, Nr, Nt } = ch;
  if (!Number.isInteger(S) || S < 1 || S > Nr) {
    throw new UserInputError(`phy.streams: ${S} is not allowed; expected an integer in [1, N_r = ${Nr}]`, 'phy.streams');
  }
  const F = batch(M, Nr, S);
  const G = cmat(Nr, Nr);
  const Gk = cmat(Nr, Nr);
  const g = G.data, gk = Gk.data;
  const H = Hsrc.data;
  const hs = 2 * Nr * Nt;
  for (let m = 0; m < M; m++) {
    // G = Σ_k H Hᴴ (each term exactly Hermitian, so the sum is too)
    g.fill(0);
    for (let k = 0; k < K; k++) {
      gramAt(H, (k * M + m) * hs, Nr, Nt, gk, 0, 'AAH');
      for (let i = 0; i < g.length; i++) g[i] += gk[i]!;
    }
    // G is Hermitian by construction (mirrored above): skip eigh's input checks
    const { values, vectors } = eighUnchecked(G.data, 0, Nr);
    if (!Number.isFinite(values[0]!)) throw new NumericalError(`aircomp: non-finite channel Gram matrix on subcarrier ${m}`);
    const f = F.data;
    const of = m * 2 * Nr * S;
    for (let i = 0; i < Nr; i++) {
      for (let s = 0; s < S; s++) {
        f[of + 2 * (i * S + s)] = vectors.data[2 * (i * Nr + s)]!;
        f[of + 2 * (i * S + s) + 1] = vectors.data[2 * (i * Nr + s) + 1]!;
      }
    }
  }
  return F;
}

/** Per (k, m): eigenvalues d (descending), eigenvectors Q of A Aᴴ, and W = Aᴴ Q, with A = F_mᴴ Ĥ_{k,m}. */
export interface StreamGeometry {
  K: number;
  M: number;
  S: number;
  Nt: number;
  /** K·M·S eigenvalues, index (k·M + m)·S + i; values ≤ tol·max are set to exactly 0 */
  d: Float64Array;
  /** K·M matrices S × S */
  Q: CMatBatch;
  /** K·M matrices N_t × S */
  W: CMatBatch;
}

export function streamGeometry(ch: ChannelRealization, F: CMatBatch, Hsrc: CMatBatch = ch.Hhat): StreamGeometry {
  const { K, M, Nt } = ch;
  const S = F.cols;
  const d = new Float64Array(K * M * S);
  const Q = batch(K * M, S, S);
  const W = batch(K * M, Nt, S);
  const A = cmat(S, Nt);
  const AAh = cmat(S, S);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      const idx = k * M + m;
      matmulAH(batchItem(F, m), batchItem(Hsrc, idx), A);
      gramInto(A, AAh, 'AAH'); // A Aᴴ (S × S, exactly Hermitian)
      let scale = 0;
      for (let i = 0; i < S; i++) scale = Math.max(scale, AAh.data[2 * (i * S + i)]!);
      const { values, vectors } = eighUnchecked(AAh.data, 0, S);
      const qd = Q.data, o = idx * 2 * S * S;
      qd.set(vectors.data, o);
      const tol = scale * S * 1e-13;
      for (let i = 0; i < S; i++) {
        const v = values[i]!;
        if (!Number.isFinite(v)) throw new NumericalError(`aircomp: non-finite stream gain at device ${k}, subcarrier ${m}`);
        d[idx * S + i] = v > tol ? v : 0;
      }
      // W = Aᴴ Q
      matmulAH(A, batchItem(Q, idx), batchItem(W, idx));
    }
  }
  return { K, M, S, Nt, d, Q, W };
}

/**
 * V_{k,m} = c · W diag(w) Qᴴ written into `out` (N_t × S at matrix index k·M + m).
 * `w` has length S.
 */
export function writePrecoder(g: StreamGeometry, idx: number, c: number, w: ArrayLike<number>, out: CMatBatch): void {
  const { S, Nt } = g;
  const W = g.W.data, Q = g.Q.data, V = out.data;
  const ow = idx * 2 * Nt * S, oq = idx * 2 * S * S, ov = idx * 2 * Nt * S;
  for (let r = 0; r < Nt; r++) {
    for (let j = 0; j < S; j++) {
      let re = 0, im = 0;
      for (let i = 0; i < S; i++) {
        const wi = c * w[i]!;
        if (wi === 0) continue;
        const xr = W[ow + 2 * (r * S + i)]! * wi, xi = W[ow + 2 * (r * S + i) + 1]! * wi;
        // conj(Q[j][i])
        const qr = Q[oq + 2 * (j * S + i)]!, qi = -Q[oq + 2 * (j * S + i) + 1]!;
        re += xr * qr - xi * qi;
        im += xr * qi + xi * qr;
      }
      V[ov + 2 * (r * S + j)] = re;
      V[ov + 2 * (r * S + j) + 1] = im;
    }
  }
}

/** U_m = scale_m · F_m as a new batch. */
export function scaledCombiner(F: CMatBatch, scale: ArrayLike<number>): CMatBatch {
  const U = batch(F.count, F.rows, F.cols);
  const n = 2 * F.rows * F.cols;
  for (let m = 0; m < F.count; m++) {
    const c = scale[m]!;
    for (let i = 0; i < n; i++) U.data[m * n + i] = c * F.data[m * n + i]!;
  }
  return U;
}
