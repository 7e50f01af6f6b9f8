/**
 * Hermitian eigendecomposition A = V diag(λ) Vᴴ.
 *
 * 1. Householder tridiagonalisation with Hermitian reflectors H = I − β u uᴴ: A = Q T Qᴴ, T Hermitian
 *    tridiagonal with complex off-diagonal e_k.
 * 2. A diagonal unitary D (phases chained along the off-diagonal) makes T = D T_r Dᴴ with T_r real
 *    symmetric (off-diagonal |e_k|).
 * 3. Implicit QL with Wilkinson-type shifts on T_r (EISPACK tql2), accumulating real rotations Z.
 * 4. V = (Q D) Z, columns ordered by descending eigenvalue.
 * Every step is an orthogonal/unitary transformation, so repeated eigenvalues still give orthonormal
 * eigenvectors.
 */
import { NumericalError } from '../errors.js';
import { type CMat, cmat } from './cmat.js';
import { EPS, hypot, requireFinite, requireHermitian, requireSquare } from './checks.js';

export interface Eigh {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Orthonormal eigenvectors as columns, in the order of `values`. */
  vectors: CMat;
}

/** Eigendecomposition of a Hermitian matrix (lower triangle is used); values descending. */
export function eigh(a: CMat): Eigh {
  const n = requireSquare(a, 'eigh');
  requireFinite(a, 'eigh');
  requireHermitian(a, 'eigh');
  return eighUnchecked(a.data, 0, n);
}

/** eigh without the input checks, on the n×n block A[off ...] (for batch helpers). */
export function eighUnchecked(A: Float64Array, off: number, n: number): Eigh {
  const values = new Float64Array(n), vectors = cmat(n, n);
  eighAt(A, off, n, values, 0, vectors.data, 0);
  return { values, vectors };
}

/**
 * Allocation-free eigh: eigenvalues of the Hermitian n×n block a into `values`, eigenvectors (as
 * columns) into `vectors`. No Hermitian check here (only the lower triangle is read); NaN input throws.
 */
export function eighInto(a: CMat, values: Float64Array, vectors: CMat): void {
  const n = requireSquare(a, 'eighInto');
  if (values.length !== n || vectors.rows !== n || vectors.cols !== n) {
    throw new RangeError(`eighInto: values has length ${values.length}, vectors is ${vectors.rows}x${vectors.cols}; expected ${n} and ${n}x${n}`);
  }
  if (vectors.data === a.data) throw new RangeError('eighInto: vectors must not alias the input');
  requireFinite(a, 'eighInto');
  eighAt(a.data, 0, n, values, 0, vectors.data, 0);
}

/** Kernel of eigh on buffers with offsets: A[aOff] (n×n) → values[valOff ...], V[vOff ...]. */
export function eighAt(
  A: Float64Array, off: number, n: number,
  values: Float64Array, valOff: number, V: Float64Array, vOff: number,
): void {
  if (n === 0) return;
  const rs = 2 * n;
  const { W, d, e, er, ei, U, beta, p, Q, Z, Zt, cs, sn, order } = workspace(n);
  // Working copy of the lower triangle (the upper is never read); diagonal forced real.
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const r = i * rs;
    for (let j = 0; j <= 2 * i; j++) {
      const v = A[off + r + j]!;
      W[r + j] = v;
      if (v > amax) amax = v; else if (-v > amax) amax = -v;
    }
    W[r + 2 * i + 1] = 0;
  }
  // Rescale by a power of two far from 1 so squared norms neither overflow nor underflow.
  let sc = 1;
  if (amax > 1e100 || (amax > 0 && amax < 1e-100)) {
    sc = 2 ** -Math.round(Math.log2(amax));
    for (let i = 0; i < n; i++) for (let j = 0; j <= 2 * i; j++) W[i * rs + j] *= sc;
  }
  beta.fill(0);

  // 1. Tridiagonalise.
  for (let k = 0; k < n - 2; k++) {
    const m0 = k + 1;
    let tail = 0;
    for (let i = m0 + 1; i < n; i++) {
      const q = i * rs + 2 * k;
      tail += W[q]! * W[q]! + W[q + 1]! * W[q + 1]!;
    }
    const x0r = W[m0 * rs + 2 * k]!, x0i = W[m0 * rs + 2 * k + 1]!;
    if (tail === 0) { er[k] = x0r; ei[k] = x0i; continue; }
    const ax0 = hypot(x0r, x0i);
    const xn = Math.sqrt(ax0 * ax0 + tail);
    const phr = ax0 > 0 ? x0r / ax0 : 1, phi = ax0 > 0 ? x0i / ax0 : 0;
    const u = k * rs; // U row k holds u at columns m0..n-1
    for (let i = m0; i < n; i++) { U[u + 2 * i] = W[i * rs + 2 * k]!; U[u + 2 * i + 1] = W[i * rs + 2 * k + 1]!; }
    U[u + 2 * m0] += phr * xn;
    U[u + 2 * m0 + 1] += phi * xn;
    const b = 1 / (xn * (xn + ax0));
    beta[k] = b;
    er[k] = -phr * xn; ei[k] = -phi * xn;
    // p = b W22 u from the lower triangle: entry (i, j), j < i, serves p_i (W_ij u_j) and p_j (conj(W_ij) u_i).
    for (let i = 2 * m0; i < rs; i++) p[i] = 0;
    for (let i = m0; i < n; i++) {
      const wi = i * rs;
      const uir = U[u + 2 * i]!, uii = U[u + 2 * i + 1]!;
      const wd = W[wi + 2 * i]!;
      let sr = wd * uir, si = wd * uii;
      for (let j = m0; j < i; j++) {
        const wr = W[wi + 2 * j]!, wim = W[wi + 2 * j + 1]!;
        const ujr = U[u + 2 * j]!, uji = U[u + 2 * j + 1]!;
        sr += wr * ujr - wim * uji;
        si += wr * uji + wim * ujr;
        p[2 * j] += wr * uir + wim * uii;
        p[2 * j + 1] += wr * uii - wim * uir;
      }
      p[2 * i] += sr;
      p[2 * i + 1] += si;
    }
    let c = 0;
    for (let i = m0; i < n; i++) {
      p[2 * i] *= b; p[2 * i + 1] *= b;
      c += U[u + 2 * i]! * p[2 * i]! + U[u + 2 * i + 1]! * p[2 * i + 1]!; // Re(conj(u_i) p_i)
    }
    const K = 0.5 * b * c;
    for (let i = m0; i < n; i++) { p[2 * i] -= K * U[u + 2 * i]!; p[2 * i + 1] -= K * U[u + 2 * i + 1]!; }
    // Lower triangle of W22 -= u qᴴ + q uᴴ (q in p).
    for (let i = m0; i < n; i++) {
      const ur = U[u + 2 * i]!, ui = U[u + 2 * i + 1]!, qr = p[2 * i]!, qi = p[2 * i + 1]!;
      const wi = i * rs;
      for (let j = m0; j <= i; j++) {
        const qjr = p[2 * j]!, qji = -p[2 * j + 1]!, ujr = U[u + 2 * j]!, uji = -U[u + 2 * j + 1]!;
        W[wi + 2 * j] -= ur * qjr - ui * qji + qr * ujr - qi * uji;
        W[wi + 2 * j + 1] -= ur * qji + ui * qjr + qr * uji + qi * ujr;
      }
      W[wi + 2 * i + 1] = 0;
    }
  }
  for (let k = 0; k < n; k++) d[k] = W[k * rs + 2 * k]!;
  if (n >= 2) { er[n - 2] = W[(n - 1) * rs + 2 * (n - 2)]!; ei[n - 2] = W[(n - 1) * rs + 2 * (n - 2) + 1]!; }

  // Q = H_0 H_1 … H_{n-3} by backward accumulation.
  Q.fill(0);
  for (let i = 0; i < n; i++) Q[i * rs + 2 * i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const b = beta[k]!;
    if (b === 0) continue;
    const m0 = k + 1, u = k * rs;
    p.fill(0);
    for (let i = m0; i < n; i++) {
      const ur = U[u + 2 * i]!, ui = -U[u + 2 * i + 1]!; // conj(u_i)
      const qi = i * rs;
      for (let j = m0; j < n; j++) {
        const xr = Q[qi + 2 * j]!, xi = Q[qi + 2 * j + 1]!;
        p[2 * j] += ur * xr - ui * xi;
        p[2 * j + 1] += ur * xi + ui * xr;
      }
    }
    for (let i = m0; i < n; i++) {
      const ur = b * U[u + 2 * i]!, ui = b * U[u + 2 * i + 1]!;
      const qi = i * rs;
      for (let j = m0; j < n; j++) {
        const sr = p[2 * j]!, si = p[2 * j + 1]!;
        Q[qi + 2 * j] -= ur * sr - ui * si;
        Q[qi + 2 * j + 1] -= ur * si + ui * sr;
      }
    }
  }

  // 2. Phases: T = D T_r Dᴴ, fold D into Q's columns.
  let dr = 1, di = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) {
      const r = hypot(er[k - 1]!, ei[k - 1]!);
      e[k - 1] = r;
      if (r > 0) {
        const zr = er[k - 1]! / r, zi = ei[k - 1]! / r;
        const t = dr * zr - di * zi;
        di = dr * zi + di * zr;
        dr = t;
        const h = hypot(dr, di); // keep |δ| = 1 against drift
        dr /= h; di /= h;
      }
    }
    if (dr !== 1 || di !== 0) {
      for (let i = 0; i < n; i++) {
        const q = i * rs + 2 * k;
        const xr = Q[q]!, xi = Q[q + 1]!;
        Q[q] = xr * dr - xi * di;
        Q[q + 1] = xr * di + xi * dr;
      }
    }
  }
  e[n - 1] = 0;

  // 3. Implicit QL on the real tridiagonal, then Zt = Zᵀ so eigenvectors are contiguous rows.
  Z.fill(0);
  for (let i = 0; i < n; i++) Z[i * n + i] = 1;
  tql2(d, e, Z, n, cs, sn);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) Zt[i * n + k] = Z[k * n + i]!;

  // 4. V = (Q D) Z, descending order (insertion sort: stable, n is small).
  for (let c = 0; c < n; c++) {
    const v = d[c]!;
    let j = c;
    while (j > 0 && d[order[j - 1]!]! < v) { order[j] = order[j - 1]!; j--; }
    order[j] = c;
  }
  for (let c = 0; c < n; c++) {
    const v = d[order[c]!]! / sc;
    if (v - v !== 0) throw new NumericalError(`eigh: non-finite eigenvalue ${v} of a ${n}x${n} matrix (non-finite input?)`, { op: 'eigh', n });
    values[valOff + c] = v;
  }
  qzProduct(Q, Zt, order, V, vOff, n);
}

/**
 * Symmetric tridiagonal QL with implicit shifts (EISPACK tql2, as in JAMA). d: diagonal (out:
 * eigenvalues, unsorted), e: sub-diagonal e[i] = T[i+1][i] with e[n-1] = 0 (destroyed), Z: n×n
 * row-major, column i ends as the eigenvector of d[i] (pass the identity). cs, sn: scratch of length n.
 * The rotations of one QL sweep are recorded first and then applied to Z row by row as one chain
 * (as LAPACK's lasr does): one load and one store per entry and rotation instead of two of each.
 */
export function tql2(
  d: Float64Array, e: Float64Array, Z: Float64Array, n: number,
  cs: Float64Array = new Float64Array(n), sn: Float64Array = new Float64Array(n),
): void {
  let f = 0, tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > EPS * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) {
          throw new NumericalError(`eigh: tridiagonal QL did not converge for eigenvalue ${l} of ${n}`, { op: 'eigh', n, index: l });
        }
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m]!;
        let c = 1, c2 = c, c3 = c, s = 0, s2 = 0;
        const el1 = e[l + 1]!;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2; c2 = c; s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          cs[i] = c;
          sn[i] = s;
        }
        // Z[:, i], Z[:, i+1] ← rotation i, for i = m-1 down to l, carried along each row of Z.
        // Four rows per pass so each (c_i, s_i) load serves four entries.
        let k = 0;
        for (; k + 3 < n; k += 4) {
          const z0 = k * n, z1 = z0 + n, z2 = z1 + n, z3 = z2 + n;
          let h0 = Z[z0 + m]!, h1 = Z[z1 + m]!, h2 = Z[z2 + m]!, h3 = Z[z3 + m]!;
          for (let i = m - 1; i >= l; i--) {
            const ci = cs[i]!, si = sn[i]!;
            const g0 = Z[z0 + i]!, g1 = Z[z1 + i]!, g2 = Z[z2 + i]!, g3 = Z[z3 + i]!;
            Z[z0 + i + 1] = si * g0 + ci * h0; h0 = ci * g0 - si * h0;
            Z[z1 + i + 1] = si * g1 + ci * h1; h1 = ci * g1 - si * h1;
            Z[z2 + i + 1] = si * g2 + ci * h2; h2 = ci * g2 - si * h2;
            Z[z3 + i + 1] = si * g3 + ci * h3; h3 = ci * g3 - si * h3;
          }
          Z[z0 + l] = h0; Z[z1 + l] = h1; Z[z2 + l] = h2; Z[z3 + l] = h3;
        }
        for (; k < n; k++) {
          const zk = k * n;
          let hc = Z[zk + m]!;
          for (let i = m - 1; i >= l; i--) {
            const gk = Z[zk + i]!, ci = cs[i]!, si = sn[i]!;
            Z[zk + i + 1] = si * gk + ci * hc;
            hc = ci * gk - si * hc;
          }
          Z[zk + l] = hc;
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > EPS * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

/** v[r][c] = Σ_k Q[r][k] · Zt[order[c]][k] (complex × real), 2×2 blocks accumulated in registers. */
function qzProduct(Q: Float64Array, Zt: Float64Array, order: Int32Array, V: Float64Array, vOff: number, n: number): void {
  const rs = 2 * n;
  let r = 0;
  for (; r + 1 < n; r += 2) {
    const q0 = r * rs, q1 = q0 + rs, v0 = vOff + q0, v1 = v0 + rs;
    let c = 0;
    for (; c + 1 < n; c += 2) {
      const z0 = order[c]! * n, z1 = order[c + 1]! * n;
      let a0r = 0, a0i = 0, a1r = 0, a1i = 0, b0r = 0, b0i = 0, b1r = 0, b1i = 0;
      for (let k = 0; k < n; k++) {
        const x0r = Q[q0 + 2 * k]!, x0i = Q[q0 + 2 * k + 1]!, x1r = Q[q1 + 2 * k]!, x1i = Q[q1 + 2 * k + 1]!;
        const w0 = Zt[z0 + k]!, w1 = Zt[z1 + k]!;
        a0r += x0r * w0; a0i += x0i * w0; a1r += x0r * w1; a1i += x0i * w1;
        b0r += x1r * w0; b0i += x1i * w0; b1r += x1r * w1; b1i += x1i * w1;
      }
      V[v0 + 2 * c] = a0r; V[v0 + 2 * c + 1] = a0i; V[v0 + 2 * c + 2] = a1r; V[v0 + 2 * c + 3] = a1i;
      V[v1 + 2 * c] = b0r; V[v1 + 2 * c + 1] = b0i; V[v1 + 2 * c + 2] = b1r; V[v1 + 2 * c + 3] = b1i;
    }
    for (; c < n; c++) {
      const z0 = order[c]! * n;
      let a0r = 0, a0i = 0, b0r = 0, b0i = 0;
      for (let k = 0; k < n; k++) {
        const w0 = Zt[z0 + k]!;
        a0r += Q[q0 + 2 * k]! * w0; a0i += Q[q0 + 2 * k + 1]! * w0;
        b0r += Q[q1 + 2 * k]! * w0; b0i += Q[q1 + 2 * k + 1]! * w0;
      }
      V[v0 + 2 * c] = a0r; V[v0 + 2 * c + 1] = a0i; V[v1 + 2 * c] = b0r; V[v1 + 2 * c + 1] = b0i;
    }
  }
  for (; r < n; r++) {
    const q0 = r * rs, v0 = vOff + q0;
    for (let c = 0; c < n; c++) {
      const z0 = order[c]! * n;
      let a0r = 0, a0i = 0;
      for (let k = 0; k < n; k++) {
        const w0 = Zt[z0 + k]!;
        a0r += Q[q0 + 2 * k]! * w0; a0i += Q[q0 + 2 * k + 1]! * w0;
      }
      V[v0 + 2 * c] = a0r; V[v0 + 2 * c + 1] = a0i;
    }
  }
}

/** Per-size scratch reused across calls (the PHY calls eigh on one size per subcarrier, many times). */
interface Work {
  W: Float64Array; U: Float64Array; Q: Float64Array; p: Float64Array;
  d: Float64Array; e: Float64Array; er: Float64Array; ei: Float64Array; beta: Float64Array;
  Z: Float64Array; Zt: Float64Array; cs: Float64Array; sn: Float64Array; order: Int32Array;
}

const works = new Map<number, Work>();

function workspace(n: number): Work {
  let w = works.get(n);
  if (!w) {
    if (works.size >= 8) works.clear();
    const c2 = 2 * n * n;
    w = {
      W: new Float64Array(c2), U: new Float64Array(c2), Q: new Float64Array(c2), p: new Float64Array(2 * n),
      d: new Float64Array(n), e: new Float64Array(n), er: new Float64Array(n), ei: new Float64Array(n),
      beta: new Float64Array(n), Z: new Float64Array(n * n), Zt: new Float64Array(n * n),
      cs: new Float64Array(n), sn: new Float64Array(n), order: new Int32Array(n),
    };
    works.set(n, w);
  }
  return w;
}
