/**
 * Allocation-free fixed-size kernels for the PHY's hot loops (256 subcarriers × K devices, S ≤ 8
 * streams): Gram matrices, small inverses and HPD solves writing into caller-owned `out` matrices.
 * The `...At` forms take (buffer, offset) so batch helpers can run them over a CMatBatch without views.
 */
import { NumericalError } from '../errors.js';
import type { CMat } from './cmat.js';
import { choleskyAt, cholSolveAt } from './cholesky.js';
import { requireSquare } from './checks.js';

export { invSmallInto, invAt } from './lu.js';
export { eighInto, eighAt } from './eigh.js';

/** Which Gram matrix: 'AHA' = Aᴴ A (cols×cols), 'AAH' = A Aᴴ (rows×rows). */
export type GramKind = 'AHA' | 'AAH';

/**
 * O = Aᴴ A + loading·I (kind 'AHA') or A Aᴴ + loading·I ('AAH') for the r×c block H[hOff ...].
 * Only the lower triangle is computed; the upper is mirrored so O is exactly Hermitian.
 */
export function gramAt(
  H: Float64Array, hOff: number, r: number, c: number,
  O: Float64Array, oOff: number, kind: GramKind, loading = 0,
): void {
  const rs = 2 * c;
  if (kind === 'AHA') {
    const n = c, os = 2 * n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let sr = 0, si = 0; // Σ_k conj(H_ki) H_kj
        for (let k = 0; k < r; k++) {
          const a = hOff + k * rs;
          const xr = H[a + 2 * i]!, xi = H[a + 2 * i + 1]!, yr = H[a + 2 * j]!, yi = H[a + 2 * j + 1]!;
          sr += xr * yr + xi * yi;
          si += xr * yi - xi * yr;
        }
        O[oOff + i * os + 2 * j] = sr;
        O[oOff + i * os + 2 * j + 1] = si;
        O[oOff + j * os + 2 * i] = sr;
        O[oOff + j * os + 2 * i + 1] = -si;
      }
      O[oOff + i * os + 2 * i] += loading;
      O[oOff + i * os + 2 * i + 1] = 0;
    }
  } else {
    const n = r, os = 2 * n;
    for (let i = 0; i < n; i++) {
      const a = hOff + i * rs;
      for (let j = 0; j <= i; j++) {
        const b = hOff + j * rs;
        let sr = 0, si = 0; // Σ_k H_ik conj(H_jk)
        for (let k = 0; k < rs; k += 2) {
          const xr = H[a + k]!, xi = H[a + k + 1]!, yr = H[b + k]!, yi = H[b + k + 1]!;
          sr += xr * yr + xi * yi;
          si += xi * yr - xr * yi;
        }
        O[oOff + i * os + 2 * j] = sr;
        O[oOff + i * os + 2 * j + 1] = si;
        O[oOff + j * os + 2 * i] = sr;
        O[oOff + j * os + 2 * i + 1] = -si;
      }
      O[oOff + i * os + 2 * i] += loading;
      O[oOff + i * os + 2 * i + 1] = 0;
    }
  }
}

/** out = Hᴴ H + loading·I (kind 'AHA', default) or H Hᴴ + loading·I ('AAH'); no allocation. */
export function gramInto(h: CMat, out: CMat, kind: GramKind = 'AHA', loading = 0): CMat {
  const n = kind === 'AHA' ? h.cols : h.rows;
  if (out.rows !== n || out.cols !== n) throw new RangeError(`gramInto(${kind}): out is ${out.rows}x${out.cols}, expected ${n}x${n}`);
  if (out.data === h.data) throw new RangeError('gramInto: out must not alias the input');
  gramAt(h.data, 0, h.rows, h.cols, out.data, 0, kind, loading);
  return out;
}

let cholScratch = new Float64Array(2 * 64);

/**
 * out = A⁻¹ B for Hermitian positive definite A (n×n, lower triangle read, not checked for symmetry),
 * without allocation (scratch is reused between calls). `out` may be `b`. NumericalError if not HPD.
 */
export function solveHPDInto(a: CMat, b: CMat, out: CMat): CMat {
  const n = requireSquare(a, 'solveHPDInto');
  if (b.rows !== n || out.rows !== n || out.cols !== b.cols) {
    throw new RangeError(`solveHPDInto: A ${n}x${n}, B ${b.rows}x${b.cols}, out ${out.rows}x${out.cols}`);
  }
  solveHPDAt(a.data, 0, n, b.data, 0, out.data, 0, b.cols, 'solveHPDInto');
  return out;
}

/** Kernel of solveHPDInto on buffers with offsets. */
export function solveHPDAt(
  A: Float64Array, aOff: number, n: number, B: Float64Array, bOff: number,
  O: Float64Array, oOff: number, r: number, op = 'solveHPD',
): void {
  const len = 2 * n * n;
  if (cholScratch.length < len) cholScratch = new Float64Array(len);
  const L = cholScratch;
  for (let i = 0; i < len; i++) {
    const v = A[aOff + i]!;
    if (v - v !== 0) throw new NumericalError(`${op}: non-finite entry ${v} in the ${n}x${n} matrix`, { op, n });
    L[i] = v;
  }
  const bad = choleskyAt(L, 0, n);
  if (bad >= 0) {
    throw new NumericalError(`${op}: ${n}x${n} matrix is not positive definite (pivot ${bad} is not positive)`, { op, n, pivot: bad });
  }
  if (B !== O || bOff !== oOff) for (let k = 0; k < 2 * n * r; k++) O[oOff + k] = B[bOff + k]!;
  cholSolveAt(L, 0, n, O, oOff, r);
}
