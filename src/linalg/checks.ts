/**
 * Input checks shared by the decompositions: shape, finiteness, Hermitian symmetry.
 * Numerical trouble is reported as NumericalError with the operation name and where it happened.
 */
import { NumericalError } from '../errors.js';
import type { CMat } from './cmat.js';

export const EPS = Number.EPSILON;

export function requireSquare(a: CMat, op: string): number {
  if (a.rows !== a.cols) throw new RangeError(`${op}: matrix is ${a.rows}x${a.cols}, expected square`);
  return a.rows;
}

/** NumericalError on the first NaN/±Infinity in a (reported as entry (i, j)). */
export function requireFinite(a: CMat, op: string): void {
  const d = a.data;
  for (let k = 0; k < d.length; k++) {
    const v = d[k]!;
    if (v - v !== 0) {
      const e = k >> 1;
      const i = Math.floor(e / a.cols), j = e - i * a.cols;
      throw new NumericalError(`${op}: non-finite entry ${v} at (${i}, ${j}) of a ${a.rows}x${a.cols} matrix`, {
        op, row: i, col: j, value: v,
      });
    }
  }
}

/**
 * √(a² + b²) without Math.hypot's cost (it is slow in V8) where the squares cannot over- or
 * underflow; falls back to Math.hypot otherwise (and for 0).
 */
export function hypot(a: number, b: number): number {
  const x = a * a + b * b;
  return x > 1e-290 && x < 1e290 ? Math.sqrt(x) : Math.hypot(a, b);
}

/** max |A_ij| over all entries. */
export function maxAbs(a: Float64Array, off = 0, len = a.length - off): number {
  let m = 0;
  for (let k = off; k < off + len; k += 2) {
    const h = hypot(a[k]!, a[k + 1]!);
    if (h > m) m = h;
  }
  return m;
}

/**
 * NumericalError unless A is Hermitian to a loose relative tolerance (1e-8 of max |A_ij|): products
 * like H Hᴴ + σ²I are Hermitian only up to rounding, which we accept (only the lower triangle is read).
 */
export function requireHermitian(a: CMat, op: string): void {
  const n = a.rows, d = a.data;
  const tol = 1e-8 * maxAbs(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const p = 2 * (i * n + j), q = 2 * (j * n + i);
      const dr = d[p]! - d[q]!, di = d[p + 1]! + d[q + 1]!;
      if (Math.abs(dr) > tol || Math.abs(di) > tol) {
        throw new NumericalError(`${op}: matrix is not Hermitian (A[${i}][${j}] differs from conj(A[${j}][${i}]) by ${Math.hypot(dr, di).toExponential(3)})`, {
          op, row: i, col: j,
        });
      }
    }
  }
}
