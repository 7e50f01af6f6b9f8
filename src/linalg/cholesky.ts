/**
 * Cholesky factorisation A = L Lᴴ of a Hermitian positive definite matrix and the solves built on it.
 * Only the lower triangle of A is read (after a loose Hermitian check).
 */
import { NumericalError } from '../errors.js';
import { type CMat, cmat } from './cmat.js';
import { EPS, requireFinite, requireHermitian, requireSquare } from './checks.js';

/**
 * In-place Cholesky on the n×n block W[off ...] (lower triangle in, L out; the strict upper triangle
 * is zeroed). Returns -1 on success, else the index of the failing pivot. A pivot d_j is accepted only
 * if d_j > n·ε·max_i A_ii (numerically positive definite).
 */
export function choleskyAt(W: Float64Array, off: number, n: number): number {
  const rs = 2 * n;
  let dmax = 0;
  for (let i = 0; i < n; i++) dmax = Math.max(dmax, W[off + i * rs + 2 * i]!);
  const floor = n * EPS * dmax;
  for (let j = 0; j < n; j++) {
    const rj = off + j * rs;
    let d = W[rj + 2 * j]!;
    for (let k = 0; k < j; k++) d -= W[rj + 2 * k]! * W[rj + 2 * k]! + W[rj + 2 * k + 1]! * W[rj + 2 * k + 1]!;
    if (!(d > floor)) return j;
    const ljj = Math.sqrt(d), inv = 1 / ljj;
    W[rj + 2 * j] = ljj;
    W[rj + 2 * j + 1] = 0;
    for (let i = j + 1; i < n; i++) {
      const ri = off + i * rs;
      let sr = W[ri + 2 * j]!, si = W[ri + 2 * j + 1]!;
      // s -= Σ_k L_ik conj(L_jk)
      for (let k = 0; k < j; k++) {
        const ar = W[ri + 2 * k]!, ai = W[ri + 2 * k + 1]!;
        const br = W[rj + 2 * k]!, bi = W[rj + 2 * k + 1]!;
        sr -= ar * br + ai * bi;
        si -= ai * br - ar * bi;
      }
      W[ri + 2 * j] = sr * inv;
      W[ri + 2 * j + 1] = si * inv;
    }
    for (let k = j + 1; k < n; k++) { W[rj + 2 * k] = 0; W[rj + 2 * k + 1] = 0; }
  }
  return -1;
}

/** Lower-triangular L with A = L Lᴴ. NumericalError if A is not (numerically) Hermitian positive definite. */
export function cholesky(a: CMat): CMat {
  const n = requireSquare(a, 'cholesky');
  requireFinite(a, 'cholesky');
  requireHermitian(a, 'cholesky');
  const L = cmat(n, n, a.data.slice());
  const bad = choleskyAt(L.data, 0, n);
  if (bad >= 0) {
    throw new NumericalError(`cholesky: ${n}x${n} matrix is not positive definite (pivot ${bad} is not positive)`, {
      op: 'cholesky', n, pivot: bad,
    });
  }
  return L;
}

/**
 * Overwrite the n×r block X[xOff ...] with (L Lᴴ)⁻¹ X, L lower triangular at L[lOff ...].
 * Allocation-free; used by solveHPD and the batch helpers.
 */
export function cholSolveAt(L: Float64Array, lOff: number, n: number, X: Float64Array, xOff: number, r: number): void {
  const ls = 2 * n, xs = 2 * r;
  // L Y = B
  for (let i = 0; i < n; i++) {
    const xi = xOff + i * xs;
    for (let k = 0; k < i; k++) {
      const lr = L[lOff + i * ls + 2 * k]!, li = L[lOff + i * ls + 2 * k + 1]!;
      if (lr === 0 && li === 0) continue;
      const xk = xOff + k * xs;
      for (let j = 0; j < xs; j += 2) {
        const yr = X[xk + j]!, yi = X[xk + j + 1]!;
        X[xi + j] -= lr * yr - li * yi;
        X[xi + j + 1] -= lr * yi + li * yr;
      }
    }
    const inv = 1 / L[lOff + i * ls + 2 * i]!;
    for (let j = 0; j < xs; j++) X[xi + j] *= inv;
  }
  // Lᴴ X = Y: (Lᴴ)_ik = conj(L_ki)
  for (let i = n - 1; i >= 0; i--) {
    const xi = xOff + i * xs;
    for (let k = i + 1; k < n; k++) {
      const lr = L[lOff + k * ls + 2 * i]!, li = -L[lOff + k * ls + 2 * i + 1]!;
      if (lr === 0 && li === 0) continue;
      const xk = xOff + k * xs;
      for (let j = 0; j < xs; j += 2) {
        const yr = X[xk + j]!, yi = X[xk + j + 1]!;
        X[xi + j] -= lr * yr - li * yi;
        X[xi + j + 1] -= lr * yi + li * yr;
      }
    }
    const inv = 1 / L[lOff + i * ls + 2 * i]!;
    for (let j = 0; j < xs; j++) X[xi + j] *= inv;
  }
}

/** X with A X = B for Hermitian positive definite A (Cholesky). NumericalError if A is not HPD. */
export function solveHPD(a: CMat, b: CMat): CMat {
  const L = cholesky(a);
  if (b.rows !== a.rows) throw new RangeError(`solveHPD: right-hand side has ${b.rows} rows, expected ${a.rows}`);
  requireFinite(b, 'solveHPD');
  const X = cmat(b.rows, b.cols, b.data.slice());
  cholSolveAt(L.data, 0, a.rows, X.data, 0, b.cols);
  return X;
}

/** log det A for Hermitian positive definite A (= 2 Σ log L_ii); NumericalError if not HPD. */
export function logdetHPD(a: CMat): number {
  const L = cholesky(a);
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += Math.log(L.data[2 * (i * a.rows + i)]!);
  return 2 * s;
}

/**
 * A⁻¹ for Hermitian positive definite A via Cholesky (about half the work of the LU inverse, and the
 * result is exactly Hermitian). NumericalError if A is not HPD.
 */
export function invHPD(a: CMat): CMat {
  const L = cholesky(a);
  const n = a.rows, l = L.data;
  // Li = L⁻¹ (lower triangular), by forward substitution column by column.
  const Li = new Float64Array(2 * n * n), rs = 2 * n;
  for (let j = 0; j < n; j++) {
    Li[j * rs + 2 * j] = 1 / l[j * rs + 2 * j]!;
    for (let i = j + 1; i < n; i++) {
      let sr = 0, si = 0; // Σ_{k=j}^{i-1} L_ik Li_kj
      for (let k = j; k < i; k++) {
        const ar = l[i * rs + 2 * k]!, ai = l[i * rs + 2 * k + 1]!;
        const br = Li[k * rs + 2 * j]!, bi = Li[k * rs + 2 * j + 1]!;
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      const inv = -1 / l[i * rs + 2 * i]!;
      Li[i * rs + 2 * j] = sr * inv;
      Li[i * rs + 2 * j + 1] = si * inv;
    }
  }
  // A⁻¹ = L⁻ᴴ L⁻¹: entry (i, j), i ≥ j, is Σ_{k ≥ i} conj(Li_ki) Li_kj; mirror the upper triangle.
  const out = cmat(n, n), o = out.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sr = 0, si = 0;
      for (let k = i; k < n; k++) {
        const ar = Li[k * rs + 2 * i]!, ai = -Li[k * rs + 2 * i + 1]!;
        const br = Li[k * rs + 2 * j]!, bi = Li[k * rs + 2 * j + 1]!;
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      o[i * rs + 2 * j] = sr; o[i * rs + 2 * j + 1] = si;
      o[j * rs + 2 * i] = sr; o[j * rs + 2 * i + 1] = -si;
    }
    o[i * rs + 2 * i + 1] = 0;
  }
  return out;
}
