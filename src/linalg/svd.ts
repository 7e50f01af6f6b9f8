/**
 * Thin SVD A = U diag(s) Vᴴ by one-sided (Hestenes) complex Jacobi, and the pseudo-inverse.
 *
 * Tall inputs are first reduced by QR (A = Q R, SVD of the n×n R); wide inputs go through Aᴴ. From
 * n = 8 on, Jacobi starts from the eigenvectors of RᴴR, which leaves it only two or three sweeps.
 * Jacobi rotates column pairs until every pair is orthogonal to a relative tolerance, so U and V are
 * orthonormal to working precision even for repeated values; singular values carry the usual
 * absolute error of order ε‖A‖ (plain Jacobi, n < 8, is also accurate relative to each value).
 * Columns of U for exactly-zero singular values are completed by Gram–Schmidt on unit vectors.
 */
import { NumericalError } from '../errors.js';
import { type CMat, adjoint, cmat, matmul, scale } from './cmat.js';
import { EPS, maxAbs, requireFinite } from './checks.js';
import { qr } from './qr.js';
import { eigh } from './eigh.js';
import { gramInto } from './small.js';

export interface Svd {
  /** m×k, orthonormal columns (k = min(m, n)). */
  U: CMat;
  /** k singular values, descending, ≥ 0. */
  s: Float64Array;
  /** n×k, orthonormal columns. */
  V: CMat;
}

const MAX_SWEEPS = 60;
/** Sizes from which Jacobi starts from the eigenvectors of BᴴB (below, plain Jacobi is as fast). */
const PRECONDITION_MIN = 8;

export function svd(a: CMat): Svd {
  const m = a.rows, n = a.cols;
  requireFinite(a, 'svd');
  if (m < n) {
    const r = svd(adjoint(a));
    return { U: r.V, s: r.s, V: r.U };
  }
  if (n === 0) return { U: cmat(m, 0), s: new Float64Array(0), V: cmat(0, 0) };
  // Far from unit scale, work on 2^e·A so squared column norms cannot over- or underflow.
  const amax = maxAbs(a.data);
  if (amax > 1e100 || (amax > 0 && amax < 1e-100)) {
    const sc = 2 ** -Math.round(Math.log2(amax));
    const r = svd(scale(a, sc));
    for (let i = 0; i < r.s.length; i++) r.s[i] = r.s[i]! / sc;
    return r;
  }
  let Q: CMat | null = null;
  let B = a;
  if (m > n) {
    const f = qr(a);
    Q = f.Q;
    B = f.R;
  }
  // Column-major working copies: G (n columns of length n), V (n columns of length n).
  const len = 2 * n;
  const G = new Float64Array(2 * n * n), Vc = new Float64Array(2 * n * n);
  let B0 = B;
  if (n >= PRECONDITION_MIN) {
    // Start from the eigenvectors V₀ of BᴴB: the columns of B V₀ are already nearly orthogonal and
    // sorted by norm, so Jacobi (which keeps G = B·Vc) needs only a few sweeps to finish the job.
    const { vectors: V0 } = eigh(gramInto(B, cmat(n, n), 'AHA'));
    B0 = matmul(B, V0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        Vc[j * len + 2 * i] = V0.data[2 * (i * n + j)]!;
        Vc[j * len + 2 * i + 1] = V0.data[2 * (i * n + j) + 1]!;
      }
    }
  } else {
    for (let i = 0; i < n; i++) Vc[i * len + 2 * i] = 1;
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      G[j * len + 2 * i] = B0.data[2 * (i * n + j)]!;
      G[j * len + 2 * i + 1] = B0.data[2 * (i * n + j) + 1]!;
    }
  }
  jacobiSweeps(G, Vc, n, n);

  const s = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let t = 0;
    for (let i = 0; i < len; i++) t += G[j * len + i]! * G[j * len + i]!;
    s[j] = Math.sqrt(t);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => s[y]! - s[x]! || x - y);
  const sv = new Float64Array(n);
  // Ub column-major, normalised.
  const Ub = new Float64Array(2 * n * n);
  const zeroCols: number[] = [];
  for (let c = 0; c < n; c++) {
    const j = order[c]!;
    sv[c] = s[j]!;
    if (s[j]! > 1e-280) {
      const inv = 1 / s[j]!;
      for (let i = 0; i < len; i++) Ub[c * len + i] = G[j * len + i]! * inv;
    } else {
      sv[c] = 0;
      zeroCols.push(c);
    }
  }
  for (const c of zeroCols) completeColumn(Ub, n, c);

  const Uout = cmat(n, n), V = cmat(n, n);
  for (let c = 0; c < n; c++) {
    const j = order[c]!;
    for (let i = 0; i < n; i++) {
      Uout.data[2 * (i * n + c)] = Ub[c * len + 2 * i]!;
      Uout.data[2 * (i * n + c) + 1] = Ub[c * len + 2 * i + 1]!;
      V.data[2 * (i * n + c)] = Vc[j * len + 2 * i]!;
      V.data[2 * (i * n + c) + 1] = Vc[j * len + 2 * i + 1]!;
    }
  }
  return { U: Q ? matmul(Q, Uout) : Uout, s: sv, V };
}

/**
 * One-sided Jacobi on the n columns (length m, column-major) of G, accumulating the same rotations
 * into the columns of Vc (length n). Column norms are cached and refreshed every sweep.
 */
function jacobiSweeps(G: Float64Array, Vc: Float64Array, m: number, n: number): void {
  const gl = 2 * m, vl = 2 * n;
  const tol = Math.sqrt(m) * EPS;
  const nrm = new Float64Array(n);
  let worst = 0;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let i = 0; i < gl; i++) t += G[j * gl + i]! * G[j * gl + i]!;
      nrm[j] = t;
    }
    let rotated = false;
    worst = 0;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = nrm[p]!, beta = nrm[q]!;
        if (alpha === 0 || beta === 0) continue;
        const po = p * gl, qo = q * gl;
        let gr = 0, gi = 0; // γ = w_pᴴ w_q
        for (let i = 0; i < gl; i += 2) {
          const ar = G[po + i]!, ai = G[po + i + 1]!, br = G[qo + i]!, bi = G[qo + i + 1]!;
          gr += ar * br + ai * bi;
          gi += ar * bi - ai * br;
        }
        const g = Math.hypot(gr, gi);
        const ratio = g / Math.sqrt(alpha * beta);
        if (ratio > worst) worst = ratio;
        if (!(ratio > tol)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * g);
        const az = Math.abs(zeta);
        const t = (zeta >= 0 ? 1 : -1) / (az > 1e150 ? 2 * az : az + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        const er = gr / g, ei = -gi / g; // e^{-iφ} = conj(γ)/|γ|
        const ser = s * er, sei = s * ei, cer = c * er, cei = c * ei;
        for (let i = 0; i < gl; i += 2) {
          const ar = G[po + i]!, ai = G[po + i + 1]!, br = G[qo + i]!, bi = G[qo + i + 1]!;
          // w_p' = c w_p − s e^{-iφ} w_q ; w_q' = s w_p + c e^{-iφ} w_q
          G[po + i] = c * ar - (ser * br - sei * bi);
          G[po + i + 1] = c * ai - (ser * bi + sei * br);
          G[qo + i] = s * ar + (cer * br - cei * bi);
          G[qo + i + 1] = s * ai + (cer * bi + cei * br);
        }
        const pv = p * vl, qv = q * vl;
        for (let i = 0; i < vl; i += 2) {
          const ar = Vc[pv + i]!, ai = Vc[pv + i + 1]!, br = Vc[qv + i]!, bi = Vc[qv + i + 1]!;
          Vc[pv + i] = c * ar - (ser * br - sei * bi);
          Vc[pv + i + 1] = c * ai - (ser * bi + sei * br);
          Vc[qv + i] = s * ar + (cer * br - cei * bi);
          Vc[qv + i + 1] = s * ai + (cer * bi + cei * br);
        }
        nrm[p] = alpha - t * g;
        nrm[q] = beta + t * g;
      }
    }
    if (!rotated) return;
  }
  if (worst > 1e3 * tol) {
    throw new NumericalError(`svd: one-sided Jacobi did not converge in ${MAX_SWEEPS} sweeps (off-orthogonality ${worst.toExponential(3)})`, {
      op: 'svd', n, offOrthogonality: worst,
    });
  }
}

/** Fill column c of the n×n column-major U with a unit vector orthogonal to all its other columns. */
function completeColumn(U: Float64Array, n: number, c: number): void {
  const len = 2 * n;
  const v = new Float64Array(len);
  let bestNorm = -1;
  const best = new Float64Array(len);
  for (let e = 0; e < n; e++) {
    v.fill(0);
    v[2 * e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < n; k++) {
        if (k === c) continue; // pending zero columns are still all-zero, harmless
        let sr = 0, si = 0; // u_kᴴ v
        for (let i = 0; i < len; i += 2) {
          const ur = U[k * len + i]!, ui = U[k * len + i + 1]!;
          sr += ur * v[i]! + ui * v[i + 1]!;
          si += ur * v[i + 1]! - ui * v[i]!;
        }
        for (let i = 0; i < len; i += 2) {
          const ur = U[k * len + i]!, ui = U[k * len + i + 1]!;
          v[i] -= ur * sr - ui * si;
          v[i + 1] -= ur * si + ui * sr;
        }
      }
    }
    let nv = 0;
    for (let i = 0; i < len; i++) nv += v[i]! * v[i]!;
    if (nv > bestNorm) { bestNorm = nv; best.set(v); }
  }
  const inv = 1 / Math.sqrt(bestNorm);
  for (let i = 0; i < len; i++) U[c * len + i] = best[i]! * inv;
}

/**
 * Moore–Penrose pseudo-inverse A⁺ = V diag(1/s) Uᴴ, keeping singular values s_i > rcond · s_max
 * (default rcond = 1e-12 · max(m, n)).
 */
export function pinv(a: CMat, rcond = 1e-12 * Math.max(a.rows, a.cols)): CMat {
  const { U, s, V } = svd(a);
  const m = a.rows, n = a.cols, k = s.length;
  const out = cmat(n, m);
  if (k === 0) return out;
  const cut = rcond * s[0]!;
  const X = out.data, u = U.data, v = V.data;
  for (let c = 0; c < k; c++) {
    if (!(s[c]! > cut) || s[c] === 0) break;
    const w = 1 / s[c]!;
    for (let i = 0; i < n; i++) {
      const vr = v[2 * (i * k + c)]! * w, vi = v[2 * (i * k + c) + 1]! * w;
      if (vr === 0 && vi === 0) continue;
      for (let j = 0; j < m; j++) {
        const ur = u[2 * (j * k + c)]!, ui = -u[2 * (j * k + c) + 1]!;
        X[2 * (i * m + j)] += vr * ur - vi * ui;
        X[2 * (i * m + j) + 1] += vr * ui + vi * ur;
      }
    }
  }
  return out;
}
