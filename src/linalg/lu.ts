/**
 * LU with partial pivoting: inverse, general solve, determinant.
 *
 * The inverse uses in-place Gauss–Jordan elimination with partial (row) pivoting — the same
 * elimination as LU with partial pivoting applied to the identity, n³ complex multiply-adds and no
 * temporaries — so the same kernel serves `inv` and the allocation-free `invSmallInto`. After
 * inverting, the reciprocal 1-norm condition number rcond = 1 / (‖A‖₁ ‖A⁻¹‖₁) is computed exactly
 * (O(n²)); rcond < n·ε is reported as NumericalError (singular to working precision).
 */
import { NumericalError } from '../errors.js';
import { type CMat, cmat } from './cmat.js';
import { EPS, hypot, requireFinite, requireSquare } from './checks.js';

let permScratch = new Int32Array(64);

function perm(n: number): Int32Array {
  if (permScratch.length < n) permScratch = new Int32Array(n);
  return permScratch;
}

/** ‖A‖₁ = max column sum of |a_ij| for the n×n block at offset `off`. */
export function norm1At(A: Float64Array, off: number, n: number): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const k = off + 2 * (i * n + j);
      s += hypot(A[k]!, A[k + 1]!);
    }
    if (s > best || s !== s) best = s;
  }
  return best;
}

/**
 * In-place inverse of the n×n block W[off ...] by Gauss–Jordan with partial (row) pivoting, two
 * pivots per pass: after both pivot rows are formed, every other row gets one combined rank-2
 * update (two rows at a time), so each entry is loaded and stored once per two elimination steps.
 * Returns false when a pivot is exactly zero (W is then garbage).
 */
function gaussJordanInPlace(W: Float64Array, off: number, n: number, P: Int32Array): boolean {
  const rs = 2 * n;
  let k = 0;
  for (; k + 1 < n; k += 2) {
    const k1 = k + 1;
    // --- pivot k
    const rk = pivotColumn(W, off, rs, n, k, P);
    if (rk < 0) return false;
    normaliseRow(W, rk, rs, k);
    const ak = W[rk + 2 * k1]!, bk = W[rk + 2 * k1 + 1]!; // row k at column k+1
    // --- pivot k+1 on g_i = W_{i,k+1} − W_ik · rowk_{k+1}, rows k+1..n-1
    let p = k1, best = -1;
    for (let i = k1; i < n; i++) {
      const q = off + i * rs;
      const fr = W[q + 2 * k]!, fi = W[q + 2 * k + 1]!;
      const gr = W[q + 2 * k1]! - (fr * ak - fi * bk), gi = W[q + 2 * k1 + 1]! - (fr * bk + fi * ak);
      const v = gr * gr + gi * gi;
      if (v > best) { best = v; p = i; }
    }
    if (!(best > 0)) return false;
    P[k1] = p;
    const rk1 = off + k1 * rs;
    if (p !== k1) swapRows(W, rk1, off + p * rs, rs);
    // row k+1: step k, then normalise
    eliminate(W, rk1, rk, rs, k);
    normaliseRow(W, rk1, rs, k1);
    // other rows: row_i −= f_i rowk + g_i rowk1, with W_ik ← 0 and W_{i,k+1} ← f_i·rowk_{k+1};
    // two rows per pass so the pivot rows are loaded once for both.
    let i = 0;
    for (;;) {
      while (i === k || i === k1) i++;
      if (i >= n) break;
      let i2 = i + 1;
      while (i2 === k || i2 === k1) i2++;
      const q = off + i * rs;
      const fr = W[q + 2 * k]!, fi = W[q + 2 * k + 1]!;
      const tr = fr * ak - fi * bk, ti = fr * bk + fi * ak;
      const gr = W[q + 2 * k1]! - tr, gi = W[q + 2 * k1 + 1]! - ti;
      W[q + 2 * k] = 0; W[q + 2 * k + 1] = 0;
      W[q + 2 * k1] = tr; W[q + 2 * k1 + 1] = ti;
      if (i2 >= n) {
        for (let j = 0; j < rs; j += 2) {
          const xr = W[rk + j]!, xi = W[rk + j + 1]!, yr = W[rk1 + j]!, yi = W[rk1 + j + 1]!;
          W[q + j] -= fr * xr - fi * xi + gr * yr - gi * yi;
          W[q + j + 1] -= fr * xi + fi * xr + gr * yi + gi * yr;
        }
        break;
      }
      const q2 = off + i2 * rs;
      const fr2 = W[q2 + 2 * k]!, fi2 = W[q2 + 2 * k + 1]!;
      const tr2 = fr2 * ak - fi2 * bk, ti2 = fr2 * bk + fi2 * ak;
      const gr2 = W[q2 + 2 * k1]! - tr2, gi2 = W[q2 + 2 * k1 + 1]! - ti2;
      W[q2 + 2 * k] = 0; W[q2 + 2 * k + 1] = 0;
      W[q2 + 2 * k1] = tr2; W[q2 + 2 * k1 + 1] = ti2;
      for (let j = 0; j < rs; j += 2) {
        const xr = W[rk + j]!, xi = W[rk + j + 1]!, yr = W[rk1 + j]!, yi = W[rk1 + j + 1]!;
        W[q + j] -= fr * xr - fi * xi + gr * yr - gi * yi;
        W[q + j + 1] -= fr * xi + fi * xr + gr * yi + gi * yr;
        W[q2 + j] -= fr2 * xr - fi2 * xi + gr2 * yr - gi2 * yi;
        W[q2 + j + 1] -= fr2 * xi + fi2 * xr + gr2 * yi + gi2 * yr;
      }
      i = i2 + 1;
    }
    // row k: step k+1
    eliminate(W, rk, rk1, rs, k1);
  }
  if (k < n) {
    // last single pivot
    const rk = pivotColumn(W, off, rs, n, k, P);
    if (rk < 0) return false;
    normaliseRow(W, rk, rs, k);
    for (let i = 0; i < n; i++) if (i !== k) eliminate(W, off + i * rs, rk, rs, k);
  }
  for (let k2 = n - 1; k2 >= 0; k2--) {
    const p = P[k2]!;
    if (p === k2) continue;
    for (let i = 0; i < n; i++) {
      const a = off + i * rs + 2 * k2, b = off + i * rs + 2 * p;
      let t = W[a]!; W[a] = W[b]!; W[b] = t;
      t = W[a + 1]!; W[a + 1] = W[b + 1]!; W[b + 1] = t;
    }
  }
  return true;
}

/**
 * Partial pivoting on column k (rows k..n−1, largest |W_ik|): records P[k], swaps the pivot row
 * into row k, returns its offset; −1 if the column is zero (singular).
 */
function pivotColumn(W: Float64Array, off: number, rs: number, n: number, k: number, P: Int32Array): number {
  let p = k, best = -1;
  for (let i = k; i < n; i++) {
    const q = off + i * rs + 2 * k;
    const v = W[q]! * W[q]! + W[q + 1]! * W[q + 1]!;
    if (v > best) { best = v; p = i; }
  }
  if (!(best > 0)) return -1;
  P[k] = p;
  const rk = off + k * rs;
  if (p !== k) swapRows(W, rk, off + p * rs, rs);
  return rk;
}

/** In-place Gauss–Jordan normalisation of the pivot row at `r`: W_rc ← 1, then row ×= 1/pivot. */
function normaliseRow(W: Float64Array, r: number, rs: number, c: number): void {
  const pr = W[r + 2 * c]!, pi = W[r + 2 * c + 1]!;
  const d = pr * pr + pi * pi, ir = pr / d, ii = -pi / d;
  W[r + 2 * c] = 1; W[r + 2 * c + 1] = 0;
  for (let j = 0; j < rs; j += 2) {
    const xr = W[r + j]!, xi = W[r + j + 1]!;
    W[r + j] = xr * ir - xi * ii;
    W[r + j + 1] = xr * ii + xi * ir;
  }
}

/** In-place elimination step: f = W_dc, W_dc ← 0, then row d −= f · row s (s the pivot row of column c). */
function eliminate(W: Float64Array, d: number, s: number, rs: number, c: number): void {
  const fr = W[d + 2 * c]!, fi = W[d + 2 * c + 1]!;
  if (fr === 0 && fi === 0) return;
  W[d + 2 * c] = 0; W[d + 2 * c + 1] = 0;
  for (let j = 0; j < rs; j += 2) {
    const xr = W[s + j]!, xi = W[s + j + 1]!;
    W[d + j] -= fr * xr - fi * xi;
    W[d + j + 1] -= fr * xi + fi * xr;
  }
}

function swapRows(W: Float64Array, a: number, b: number, len: number): void {
  for (let j = 0; j < len; j++) { const t = W[a + j]!; W[a + j] = W[b + j]!; W[b + j] = t; }
}

/** In-place closed-form inverse for n = 1 (1/a) and n = 2 (adjugate / det); false if singular. */
function invTiny(W: Float64Array, o: number, n: number): boolean {
  if (n === 1) {
    const ar = W[o]!, ai = W[o + 1]!, d = ar * ar + ai * ai;
    if (!(d > 0)) return false;
    W[o] = ar / d; W[o + 1] = -ai / d;
    return true;
  }
  const ar = W[o]!, ai = W[o + 1]!, br = W[o + 2]!, bi = W[o + 3]!;
  const cr = W[o + 4]!, ci = W[o + 5]!, dr = W[o + 6]!, di = W[o + 7]!;
  const detr = ar * dr - ai * di - (br * cr - bi * ci), deti = ar * di + ai * dr - (br * ci + bi * cr);
  const m = detr * detr + deti * deti;
  if (!(m > 0)) return false;
  const ir = detr / m, ii = -deti / m; // 1/det
  W[o] = dr * ir - di * ii; W[o + 1] = dr * ii + di * ir;
  W[o + 2] = -(br * ir - bi * ii); W[o + 3] = -(br * ii + bi * ir);
  W[o + 4] = -(cr * ir - ci * ii); W[o + 5] = -(cr * ii + ci * ir);
  W[o + 6] = ar * ir - ai * ii; W[o + 7] = ar * ii + ai * ir;
  return true;
}

/**
 * out[oOff ...] = inverse of the n×n block A[aOff ...] (A may equal out at the same offset).
 * Throws NumericalError (with the condition estimate) if singular or rcond < n·ε.
 * Allocation-free; the kernel behind `inv`, `invSmallInto` and `invBatchInto`.
 */
export function invAt(A: Float64Array, aOff: number, n: number, O: Float64Array, oOff: number, op = 'inv'): number {
  const norm = norm1At(A, aOff, n);
  if (!Number.isFinite(norm)) {
    throw new NumericalError(`${op}: non-finite entry in the ${n}x${n} input`, { op, n });
  }
  if (A !== O || aOff !== oOff) for (let k = 0; k < 2 * n * n; k++) O[oOff + k] = A[aOff + k]!;
  // Far from unit scale, invert 2^e·A instead so squared moduli cannot over- or underflow.
  const sc = norm > 1e100 || (norm > 0 && norm < 1e-100) ? 2 ** -Math.round(Math.log2(norm)) : 1;
  if (sc !== 1) for (let k = 0; k < 2 * n * n; k++) O[oOff + k] *= sc;
  const ok = n <= 2 ? invTiny(O, oOff, n) : gaussJordanInPlace(O, oOff, n, perm(n));
  if (sc !== 1) for (let k = 0; k < 2 * n * n; k++) O[oOff + k] *= sc;
  const rcond = ok ? 1 / (norm * norm1At(O, oOff, n)) : 0;
  if (!(rcond >= n * EPS)) {
    const cond = rcond > 0 ? (1 / rcond).toExponential(3) : 'Infinity';
    throw new NumericalError(`${op}: ${n}x${n} matrix is singular to working precision (1-norm condition number ≈ ${cond})`, {
      op, n, rcond, condition: rcond > 0 ? 1 / rcond : Infinity,
    });
  }
  return rcond;
}

/** A⁻¹ (LU / Gauss–Jordan with partial pivoting). NumericalError if singular or ill-conditioned. */
export function inv(a: CMat): CMat {
  const n = requireSquare(a, 'inv');
  const out = cmat(n, n);
  invAt(a.data, 0, n, out.data, 0, 'inv');
  return out;
}

/** Reciprocal 1-norm condition number 1 / (‖A‖₁ ‖A⁻¹‖₁); 0 if singular. */
export function rcond1(a: CMat): number {
  const n = requireSquare(a, 'rcond1');
  requireFinite(a, 'rcond1');
  const w = a.data.slice();
  if (!gaussJordanInPlace(w, 0, n, perm(n))) return 0;
  return 1 / (norm1At(a.data, 0, n) * norm1At(w, 0, n));
}

/**
 * Allocation-free inverse for small matrices (the PHY's S×S per-subcarrier solves, S ≤ 8, though any
 * size works). `out` may be `a` itself. Returns rcond. NumericalError if singular / rcond < n·ε.
 */
export function invSmallInto(a: CMat, out: CMat): number {
  const n = requireSquare(a, 'invSmallInto');
  if (out.rows !== n || out.cols !== n) throw new RangeError(`invSmallInto: out is ${out.rows}x${out.cols}, expected ${n}x${n}`);
  return invAt(a.data, 0, n, out.data, 0, 'invSmallInto');
}

/** Packed LU factors: L (unit lower) and U share `lu`; row i of PA is row piv[i] of A. */
export interface LU {
  readonly n: number;
  readonly lu: Float64Array;
  readonly piv: Int32Array;
  /** +1 or −1: sign of the row permutation. */
  readonly sign: number;
  /** true if some pivot is exactly zero. */
  readonly singular: boolean;
}

/** LU factorisation with partial pivoting, PA = LU. Never throws on singular input (see `singular`). */
export function lu(a: CMat): LU {
  const n = requireSquare(a, 'lu');
  requireFinite(a, 'lu');
  const W = a.data.slice();
  const piv = new Int32Array(n);
  for (let i = 0; i < n; i++) piv[i] = i;
  let sign = 1, singular = false;
  const rs = 2 * n;
  for (let k = 0; k < n; k++) {
    let p = k, best = -1;
    for (let i = k; i < n; i++) {
      const q = i * rs + 2 * k;
      const v = W[q]! * W[q]! + W[q + 1]! * W[q + 1]!;
      if (v > best) { best = v; p = i; }
    }
    if (p !== k) {
      for (let j = 0; j < rs; j++) { const t = W[k * rs + j]!; W[k * rs + j] = W[p * rs + j]!; W[p * rs + j] = t; }
      const t = piv[k]!; piv[k] = piv[p]!; piv[p] = t;
      sign = -sign;
    }
    if (!(best > 0)) { singular = true; continue; }
    const pr = W[k * rs + 2 * k]!, pi = W[k * rs + 2 * k + 1]!;
    const d = pr * pr + pi * pi, ir = pr / d, ii = -pi / d;
    for (let i = k + 1; i < n; i++) {
      const q = i * rs + 2 * k;
      const xr = W[q]!, xi = W[q + 1]!;
      const lr = xr * ir - xi * ii, li = xr * ii + xi * ir;
      W[q] = lr; W[q + 1] = li;
      if (lr === 0 && li === 0) continue;
      for (let j = 2 * (k + 1); j < rs; j += 2) {
        const ur = W[k * rs + j]!, ui = W[k * rs + j + 1]!;
        W[i * rs + j] -= lr * ur - li * ui;
        W[i * rs + j + 1] -= lr * ui + li * ur;
      }
    }
  }
  return { n, lu: W, piv, sign, singular };
}

/** Solve A X = B given the LU factors (B is n×r). */
export function luSolve(f: LU, b: CMat): CMat {
  const n = f.n, r = b.cols;
  if (b.rows !== n) throw new RangeError(`luSolve: right-hand side has ${b.rows} rows, expected ${n}`);
  if (f.singular) throw new NumericalError(`solve: ${n}x${n} matrix is exactly singular`, { op: 'solve', n });
  const W = f.lu, X = cmat(n, r), x = X.data, B = b.data;
  const rs = 2 * r, ws = 2 * n;
  for (let i = 0; i < n; i++) x.set(B.subarray(f.piv[i]! * rs, (f.piv[i]! + 1) * rs), i * rs);
  // Forward: unit lower L.
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lr = W[i * ws + 2 * k]!, li = W[i * ws + 2 * k + 1]!;
      if (lr === 0 && li === 0) continue;
      for (let j = 0; j < rs; j += 2) {
        const yr = x[k * rs + j]!, yi = x[k * rs + j + 1]!;
        x[i * rs + j] -= lr * yr - li * yi;
        x[i * rs + j + 1] -= lr * yi + li * yr;
      }
    }
  }
  // Backward: U.
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const ur = W[i * ws + 2 * k]!, ui = W[i * ws + 2 * k + 1]!;
      if (ur === 0 && ui === 0) continue;
      for (let j = 0; j < rs; j += 2) {
        const yr = x[k * rs + j]!, yi = x[k * rs + j + 1]!;
        x[i * rs + j] -= ur * yr - ui * yi;
        x[i * rs + j + 1] -= ur * yi + ui * yr;
      }
    }
    const pr = W[i * ws + 2 * i]!, pi = W[i * ws + 2 * i + 1]!;
    const d = pr * pr + pi * pi, ir = pr / d, ii = -pi / d;
    for (let j = 0; j < rs; j += 2) {
      const yr = x[i * rs + j]!, yi = x[i * rs + j + 1]!;
      x[i * rs + j] = yr * ir - yi * ii;
      x[i * rs + j + 1] = yr * ii + yi * ir;
    }
  }
  return X;
}

/**
 * Solve A X = B for square A (LU with partial pivoting). NumericalError if A is singular or its
 * estimated reciprocal condition number (Hager–Higham, O(n²) on the LU factors) is below n·ε.
 */
export function solve(a: CMat, b: CMat): CMat {
  const f = lu(a);
  requireFinite(b, 'solve');
  const n = f.n;
  if (n === 0) return luSolve(f, b);
  const rcond = f.singular ? 0 : 1 / (norm1At(a.data, 0, n) * luInvNorm1Estimate(f));
  if (!(rcond >= n * EPS)) {
    const cond = rcond > 0 ? (1 / rcond).toExponential(3) : 'Infinity';
    throw new NumericalError(`solve: ${n}x${n} matrix is singular to working precision (estimated 1-norm condition number ≈ ${cond})`, {
      op: 'solve', n, rcond, condition: rcond > 0 ? 1 / rcond : Infinity,
    });
  }
  return luSolve(f, b);
}

/** Estimated reciprocal 1-norm condition number of A from its LU factors (0 if singular). */
export function rcondEstimate(a: CMat): number {
  const f = lu(a);
  if (f.singular) return 0;
  if (f.n === 0) return 1;
  return 1 / (norm1At(a.data, 0, f.n) * luInvNorm1Estimate(f));
}

/**
 * Lower bound on ‖A⁻¹‖₁ (usually within a factor 3 of it) by Hager's method with Higham's
 * refinements (LAPACK zlacon): at most five pairs of solves with A and Aᴴ plus one extra test vector.
 */
function luInvNorm1Estimate(f: LU): number {
  const n = f.n;
  const x = new Float64Array(2 * n), y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) x[2 * i] = 1 / n;
  let est = 0, jLast = -1;
  for (let iter = 0; iter < 5; iter++) {
    luSolveVec(f, x, y, false);
    let ny = 0;
    for (let i = 0; i < n; i++) ny += hypot(y[2 * i]!, y[2 * i + 1]!);
    if (iter > 0 && ny <= est) break;
    est = ny;
    // ξ = sign(y), z = A⁻ᴴ ξ
    for (let i = 0; i < n; i++) {
      const h = hypot(y[2 * i]!, y[2 * i + 1]!);
      x[2 * i] = h > 0 ? y[2 * i]! / h : 1;
      x[2 * i + 1] = h > 0 ? y[2 * i + 1]! / h : 0;
    }
    luSolveVec(f, x, y, true);
    let j = 0, zmax = -1;
    for (let i = 0; i < n; i++) {
      const h = hypot(y[2 * i]!, y[2 * i + 1]!);
      if (h > zmax) { zmax = h; j = i; }
    }
    if (j === jLast) break;
    jLast = j;
    x.fill(0);
    x[2 * j] = 1;
  }
  // Higham's alternative vector x_i = (−1)^i (1 + i/(n−1)) guards against the method's blind spots.
  for (let i = 0; i < n; i++) {
    x[2 * i] = (i % 2 ? -1 : 1) * (1 + (n > 1 ? i / (n - 1) : 0));
    x[2 * i + 1] = 0;
  }
  luSolveVec(f, x, y, false);
  let alt = 0;
  for (let i = 0; i < n; i++) alt += hypot(y[2 * i]!, y[2 * i + 1]!);
  return Math.max(est, (2 * alt) / (3 * n));
}

/** y = A⁻¹ x (adjoint = false) or y = A⁻ᴴ x (adjoint = true) for one vector, from PA = LU. */
function luSolveVec(f: LU, x: Float64Array, y: Float64Array, adjoint: boolean): void {
  const n = f.n, W = f.lu, ws = 2 * n;
  if (!adjoint) {
    for (let i = 0; i < n; i++) { y[2 * i] = x[2 * f.piv[i]!]!; y[2 * i + 1] = x[2 * f.piv[i]! + 1]!; }
    for (let i = 0; i < n; i++) {
      let sr = y[2 * i]!, si = y[2 * i + 1]!;
      for (let k = 0; k < i; k++) {
        const lr = W[i * ws + 2 * k]!, li = W[i * ws + 2 * k + 1]!, vr = y[2 * k]!, vi = y[2 * k + 1]!;
        sr -= lr * vr - li * vi; si -= lr * vi + li * vr;
      }
      y[2 * i] = sr; y[2 * i + 1] = si;
    }
    for (let i = n - 1; i >= 0; i--) {
      let sr = y[2 * i]!, si = y[2 * i + 1]!;
      for (let k = i + 1; k < n; k++) {
        const ur = W[i * ws + 2 * k]!, ui = W[i * ws + 2 * k + 1]!, vr = y[2 * k]!, vi = y[2 * k + 1]!;
        sr -= ur * vr - ui * vi; si -= ur * vi + ui * vr;
      }
      const pr = W[i * ws + 2 * i]!, pi = W[i * ws + 2 * i + 1]!, d = pr * pr + pi * pi;
      y[2 * i] = (sr * pr + si * pi) / d; y[2 * i + 1] = (si * pr - sr * pi) / d;
    }
    return;
  }
  // Aᴴ = Uᴴ Lᴴ P: Uᴴ w = x (forward), Lᴴ v = w (backward, unit), y = Pᵀ v.
  const w = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    let sr = x[2 * i]!, si = x[2 * i + 1]!;
    for (let k = 0; k < i; k++) { // (Uᴴ)_ik = conj(U_ki)
      const ur = W[k * ws + 2 * i]!, ui = -W[k * ws + 2 * i + 1]!, vr = w[2 * k]!, vi = w[2 * k + 1]!;
      sr -= ur * vr - ui * vi; si -= ur * vi + ui * vr;
    }
    const pr = W[i * ws + 2 * i]!, pi = -W[i * ws + 2 * i + 1]!, d = pr * pr + pi * pi;
    w[2 * i] = (sr * pr + si * pi) / d; w[2 * i + 1] = (si * pr - sr * pi) / d;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sr = w[2 * i]!, si = w[2 * i + 1]!;
    for (let k = i + 1; k < n; k++) { // (Lᴴ)_ik = conj(L_ki)
      const lr = W[k * ws + 2 * i]!, li = -W[k * ws + 2 * i + 1]!, vr = w[2 * k]!, vi = w[2 * k + 1]!;
      sr -= lr * vr - li * vi; si -= lr * vi + li * vr;
    }
    w[2 * i] = sr; w[2 * i + 1] = si;
  }
  for (let i = 0; i < n; i++) { y[2 * f.piv[i]!] = w[2 * i]!; y[2 * f.piv[i]! + 1] = w[2 * i + 1]!; }
}

/** det(A) as [re, im] (0 for singular A; no throw). */
export function det(a: CMat): [number, number] {
  const f = lu(a);
  if (f.singular) return [0, 0];
  let re = f.sign, im = 0;
  for (let i = 0; i < f.n; i++) {
    const k = 2 * (i * f.n + i);
    const ur = f.lu[k]!, ui = f.lu[k + 1]!;
    const t = re * ur - im * ui;
    im = re * ui + im * ur;
    re = t;
  }
  return [re, im];
}

/** log det(A) as [log |det A|, arg det A] (no overflow for large n); [-Infinity, 0] if singular. */
export function logdet(a: CMat): [number, number] {
  const f = lu(a);
  if (f.singular) return [-Infinity, 0];
  let lg = 0, ph = f.sign < 0 ? Math.PI : 0;
  for (let i = 0; i < f.n; i++) {
    const k = 2 * (i * f.n + i);
    lg += Math.log(Math.hypot(f.lu[k]!, f.lu[k + 1]!));
    ph += Math.atan2(f.lu[k + 1]!, f.lu[k]!);
  }
  ph = Math.atan2(Math.sin(ph), Math.cos(ph));
  return [lg, ph];
}
