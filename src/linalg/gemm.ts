/**
 * Complex matrix-product kernel in "dot-product" form: C = A · Btᵀ where row j of Bt is column j of
 * the right factor. Both operands are then read along contiguous rows and each 2×2 block of C is
 * accumulated in registers (8 loads per 4 complex multiply-adds), which is what makes plain JS fast
 * here. Callers transpose (and conjugate, for Aᴴ or Bᴴ) into scratch first: O(n²) against O(n³).
 */

/** C[cOff] (m×n) = Σ_k A[i,k] · Bt[j,k]; A is m×p at aOff, Bt is n×p at bOff (row-major, interleaved). */
export function gemmNT(
  A: Float64Array, aOff: number, Bt: Float64Array, bOff: number,
  C: Float64Array, cOff: number, m: number, n: number, p: number,
): void {
  const ps = 2 * p, cs = 2 * n, pe = 2 * p;
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = aOff + i * ps, a1 = a0 + ps;
    const c0 = cOff + i * cs, c1 = c0 + cs;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const b0 = bOff + j * ps, b1 = b0 + ps;
      let r00 = 0, i00 = 0, r01 = 0, i01 = 0, r10 = 0, i10 = 0, r11 = 0, i11 = 0;
      for (let k = 0; k < pe; k += 2) {
        const x0r = A[a0 + k]!, x0i = A[a0 + k + 1]!, x1r = A[a1 + k]!, x1i = A[a1 + k + 1]!;
        const y0r = Bt[b0 + k]!, y0i = Bt[b0 + k + 1]!, y1r = Bt[b1 + k]!, y1i = Bt[b1 + k + 1]!;
        r00 += x0r * y0r - x0i * y0i; i00 += x0r * y0i + x0i * y0r;
        r01 += x0r * y1r - x0i * y1i; i01 += x0r * y1i + x0i * y1r;
        r10 += x1r * y0r - x1i * y0i; i10 += x1r * y0i + x1i * y0r;
        r11 += x1r * y1r - x1i * y1i; i11 += x1r * y1i + x1i * y1r;
      }
      C[c0 + 2 * j] = r00; C[c0 + 2 * j + 1] = i00; C[c0 + 2 * j + 2] = r01; C[c0 + 2 * j + 3] = i01;
      C[c1 + 2 * j] = r10; C[c1 + 2 * j + 1] = i10; C[c1 + 2 * j + 2] = r11; C[c1 + 2 * j + 3] = i11;
    }
    if (j < n) {
      const b0 = bOff + j * ps;
      let r00 = 0, i00 = 0, r10 = 0, i10 = 0;
      for (let k = 0; k < pe; k += 2) {
        const y0r = Bt[b0 + k]!, y0i = Bt[b0 + k + 1]!;
        const x0r = A[a0 + k]!, x0i = A[a0 + k + 1]!, x1r = A[a1 + k]!, x1i = A[a1 + k + 1]!;
        r00 += x0r * y0r - x0i * y0i; i00 += x0r * y0i + x0i * y0r;
        r10 += x1r * y0r - x1i * y0i; i10 += x1r * y0i + x1i * y0r;
      }
      C[c0 + 2 * j] = r00; C[c0 + 2 * j + 1] = i00;
      C[c1 + 2 * j] = r10; C[c1 + 2 * j + 1] = i10;
    }
  }
  if (i < m) {
    const a0 = aOff + i * ps, c0 = cOff + i * cs;
    for (let j = 0; j < n; j++) {
      const b0 = bOff + j * ps;
      let r = 0, im = 0;
      for (let k = 0; k < pe; k += 2) {
        const xr = A[a0 + k]!, xi = A[a0 + k + 1]!, yr = Bt[b0 + k]!, yi = Bt[b0 + k + 1]!;
        r += xr * yr - xi * yi; im += xr * yi + xi * yr;
      }
      C[c0 + 2 * j] = r; C[c0 + 2 * j + 1] = im;
    }
  }
}

let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);

/** Largest scratch kept between calls (doubles, 8 MiB); bigger requests get a one-off buffer. */
const KEEP = 1 << 20;

/** Reusable scratch of at least `len` doubles (slot 0 or 1), grown on demand. */
export function scratch(slot: 0 | 1, len: number): Float64Array {
  if (len > KEEP) return new Float64Array(len);
  if (slot === 0) {
    if (scratchA.length < len) scratchA = new Float64Array(Math.min(KEEP, Math.max(len, 2 * scratchA.length)));
    return scratchA;
  }
  if (scratchB.length < len) scratchB = new Float64Array(Math.min(KEEP, Math.max(len, 2 * scratchB.length)));
  return scratchB;
}

/** Write the r×c block X[xOff] transposed (c×r) into T[0...], conjugating if `conj`. */
export function transposeInto(X: Float64Array, xOff: number, r: number, c: number, T: Float64Array, conj: boolean): void {
  const sg = conj ? -1 : 1;
  for (let i = 0; i < r; i++) {
    const xi = xOff + 2 * i * c;
    for (let j = 0; j < c; j++) {
      const d = 2 * (j * r + i);
      T[d] = X[xi + 2 * j]!;
      T[d + 1] = sg * X[xi + 2 * j + 1]!;
    }
  }
}
