/**
 * Thin Householder QR, A = Q R for m ≥ n: Q is m×n with orthonormal columns, R is n×n upper
 * triangular with real non-negative diagonal (reflector phases are moved from R's rows into Q's columns).
 */
import { type CMat, cmat } from './cmat.js';
import { hypot, requireFinite } from './checks.js';

export function qr(a: CMat): { Q: CMat; R: CMat } {
  const m = a.rows, n = a.cols;
  if (m < n) throw new RangeError(`qr: thin QR needs rows ≥ cols, got ${m}x${n}`);
  requireFinite(a, 'qr');
  const rs = 2 * n;
  const W = a.data.slice();
  const Uv = new Float64Array(2 * m * n); // reflector k at Uv[k*2m + 2i], i ≥ k
  const beta = new Float64Array(n);
  const s = new Float64Array(rs);
  for (let k = 0; k < n; k++) {
    let tail = 0;
    for (let i = k + 1; i < m; i++) {
      const q = i * rs + 2 * k;
      tail += W[q]! * W[q]! + W[q + 1]! * W[q + 1]!;
    }
    if (tail === 0) continue;
    const x0r = W[k * rs + 2 * k]!, x0i = W[k * rs + 2 * k + 1]!;
    const ax0 = hypot(x0r, x0i), xn = Math.sqrt(ax0 * ax0 + tail);
    const phr = ax0 > 0 ? x0r / ax0 : 1, phi = ax0 > 0 ? x0i / ax0 : 0;
    const u = k * 2 * m;
    for (let i = k; i < m; i++) { Uv[u + 2 * i] = W[i * rs + 2 * k]!; Uv[u + 2 * i + 1] = W[i * rs + 2 * k + 1]!; }
    Uv[u + 2 * k] += phr * xn;
    Uv[u + 2 * k + 1] += phi * xn;
    const b = 1 / (xn * (xn + ax0));
    beta[k] = b;
    applyReflector(W, rs, Uv, u, b, k, m, k + 1, n, s);
    W[k * rs + 2 * k] = -phr * xn;
    W[k * rs + 2 * k + 1] = -phi * xn;
    for (let i = k + 1; i < m; i++) { W[i * rs + 2 * k] = 0; W[i * rs + 2 * k + 1] = 0; }
  }
  const R = cmat(n, n), Q = cmat(m, n);
  for (let i = 0; i < n; i++) R.data.set(W.subarray(i * rs + 2 * i, (i + 1) * rs), i * rs + 2 * i);
  for (let i = 0; i < n; i++) Q.data[i * rs + 2 * i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    if (beta[k] === 0) continue;
    applyReflector(Q.data, rs, Uv, k * 2 * m, beta[k]!, k, m, k, n, s);
  }
  // Real non-negative diagonal: R ← Φᴴ R, Q ← Q Φ.
  for (let k = 0; k < n; k++) {
    const rr = R.data[k * rs + 2 * k]!, ri = R.data[k * rs + 2 * k + 1]!;
    const h = hypot(rr, ri);
    if (h === 0 || (ri === 0 && rr > 0)) continue;
    const fr = rr / h, fi = ri / h;
    for (let j = k; j < n; j++) {
      const q = k * rs + 2 * j, xr = R.data[q]!, xi = R.data[q + 1]!;
      R.data[q] = xr * fr + xi * fi;
      R.data[q + 1] = xi * fr - xr * fi;
    }
    R.data[k * rs + 2 * k] = h;
    R.data[k * rs + 2 * k + 1] = 0;
    for (let i = 0; i < m; i++) {
      const q = i * rs + 2 * k, xr = Q.data[q]!, xi = Q.data[q + 1]!;
      Q.data[q] = xr * fr - xi * fi;
      Q.data[q + 1] = xr * fi + xi * fr;
    }
  }
  return { Q, R };
}

/** X[r0:m, c0:c1] ← (I − b u uᴴ) X[r0:m, c0:c1] for row-major X with row stride rs (doubles). */
function applyReflector(
  X: Float64Array, rs: number, Uv: Float64Array, u: number, b: number,
  r0: number, m: number, c0: number, c1: number, s: Float64Array,
): void {
  for (let j = 2 * c0; j < 2 * c1; j++) s[j] = 0;
  for (let i = r0; i < m; i++) {
    const ur = Uv[u + 2 * i]!, ui = -Uv[u + 2 * i + 1]!;
    if (ur === 0 && ui === 0) continue;
    const xi0 = i * rs;
    for (let j = 2 * c0; j < 2 * c1; j += 2) {
      const xr = X[xi0 + j]!, xim = X[xi0 + j + 1]!;
      s[j] += ur * xr - ui * xim;
      s[j + 1] += ur * xim + ui * xr;
    }
  }
  for (let i = r0; i < m; i++) {
    const ur = b * Uv[u + 2 * i]!, ui = b * Uv[u + 2 * i + 1]!;
    if (ur === 0 && ui === 0) continue;
    const xi0 = i * rs;
    for (let j = 2 * c0; j < 2 * c1; j += 2) {
      const sr = s[j]!, si = s[j + 1]!;
      X[xi0 + j] -= ur * sr - ui * si;
      X[xi0 + j + 1] -= ur * si + ui * sr;
    }
  }
}
