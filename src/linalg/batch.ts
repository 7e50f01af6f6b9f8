/**
 * Helpers over a CMatBatch (e.g. one matrix per subcarrier): Gram matrices, inverses, HPD solves,
 * products and eigendecompositions, all writing into caller-owned batches without per-item views.
 * A batch of count 1 broadcasts against a larger one in products and solves.
 */
import { NumericalError } from '../errors.js';
import type { CMatBatch } from './cmat.js';
import { type Eigh, eighAt, eighUnchecked } from './eigh.js';
import { invAt } from './lu.js';
import { type GramKind, gramAt, solveHPDAt } from './small.js';

function itemSize(b: CMatBatch): number {
  return 2 * b.rows * b.cols;
}

function counts(op: string, ...bs: CMatBatch[]): number {
  const n = Math.max(...bs.map((b) => b.count));
  for (const b of bs) {
    if (b.count !== n && b.count !== 1) throw new RangeError(`${op}: batch counts ${bs.map((x) => x.count).join(', ')} differ`);
  }
  return n;
}

/** Re-throw a NumericalError with the batch index added to message and context. */
function withIndex(e: unknown, op: string, i: number): never {
  if (e instanceof NumericalError) throw new NumericalError(`${op}: item ${i}: ${e.message}`, { ...e.context, index: i });
  throw e;
}

/** out[i] = h[i]ᴴ h[i] + loading·I ('AHA') or h[i] h[i]ᴴ + loading·I ('AAH'). */
export function gramBatchInto(h: CMatBatch, out: CMatBatch, kind: GramKind = 'AHA', loading = 0): CMatBatch {
  const n = kind === 'AHA' ? h.cols : h.rows;
  if (out.rows !== n || out.cols !== n || out.count !== h.count) {
    throw new RangeError(`gramBatchInto: out is ${out.count}×${out.rows}x${out.cols}, expected ${h.count}×${n}x${n}`);
  }
  const hs = itemSize(h), os = itemSize(out);
  for (let i = 0; i < h.count; i++) gramAt(h.data, i * hs, h.rows, h.cols, out.data, i * os, kind, loading);
  return out;
}

/** out[i] = a[i]⁻¹ (out may be a). Returns the smallest rcond; NumericalError names the item. */
export function invBatchInto(a: CMatBatch, out: CMatBatch): number {
  const n = a.rows;
  if (a.cols !== n || out.rows !== n || out.cols !== n || out.count !== a.count) {
    throw new RangeError(`invBatchInto: a is ${a.count}×${a.rows}x${a.cols}, out ${out.count}×${out.rows}x${out.cols}`);
  }
  const s = itemSize(a);
  let worst = Infinity;
  for (let i = 0; i < a.count; i++) {
    try {
      worst = Math.min(worst, invAt(a.data, i * s, n, out.data, i * s, 'invBatchInto'));
    } catch (e) {
      withIndex(e, 'invBatchInto', i);
    }
  }
  return worst;
}

/** out[i] = a[i]⁻¹ b[i] for Hermitian positive definite a[i] (Cholesky; out may be b). */
export function solveHPDBatchInto(a: CMatBatch, b: CMatBatch, out: CMatBatch): CMatBatch {
  const n = a.rows, r = b.cols;
  if (a.cols !== n || b.rows !== n || out.rows !== n || out.cols !== r) {
    throw new RangeError(`solveHPDBatchInto: A ${a.rows}x${a.cols}, B ${b.rows}x${b.cols}, out ${out.rows}x${out.cols}`);
  }
  const cnt = counts('solveHPDBatchInto', a, b, out);
  if (out.count !== cnt) throw new RangeError('solveHPDBatchInto: out must have the full batch count');
  const as = a.count === 1 ? 0 : itemSize(a), bs = b.count === 1 ? 0 : itemSize(b), os = itemSize(out);
  for (let i = 0; i < cnt; i++) {
    try {
      solveHPDAt(a.data, i * as, n, b.data, i * bs, out.data, i * os, r, 'solveHPDBatchInto');
    } catch (e) {
      withIndex(e, 'solveHPDBatchInto', i);
    }
  }
  return out;
}

/** Product form for mulBatchInto: A·B, Aᴴ·B or A·Bᴴ. */
export type MulOp = 'AB' | 'AHB' | 'ABH';

/**
 * out[i] = op(a[i], b[i]) (a or b may have count 1 and broadcast). `out` must not alias a or b.
 */
export function mulBatchInto(a: CMatBatch, b: CMatBatch, out: CMatBatch, op: MulOp = 'AB'): CMatBatch {
  const m = op === 'AHB' ? a.cols : a.rows;
  const p = op === 'AHB' ? a.rows : a.cols;
  const pb = op === 'ABH' ? b.cols : b.rows;
  const n = op === 'ABH' ? b.rows : b.cols;
  if (p !== pb || out.rows !== m || out.cols !== n) {
    throw new RangeError(`mulBatchInto(${op}): ${a.rows}x${a.cols}, ${b.rows}x${b.cols} -> ${out.rows}x${out.cols}`);
  }
  const cnt = counts('mulBatchInto', a, b, out);
  if (out.count !== cnt) throw new RangeError('mulBatchInto: out must have the full batch count');
  const as = a.count === 1 ? 0 : itemSize(a), bs = b.count === 1 ? 0 : itemSize(b), os = itemSize(out);
  for (let i = 0; i < cnt; i++) mulAt(a.data, i * as, b.data, i * bs, out.data, i * os, m, p, n, op);
  return out;
}

/** C[cOff] = op(A, B) with C m×n and inner dimension p (row-major blocks at the given offsets). */
export function mulAt(
  A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number,
  m: number, p: number, n: number, op: MulOp,
): void {
  for (let i = 0; i < 2 * m * n; i++) C[cOff + i] = 0;
  if (op === 'AB') {
    for (let i = 0; i < m; i++) {
      const ci = cOff + 2 * i * n;
      for (let k = 0; k < p; k++) {
        const ak = aOff + 2 * (i * p + k), ar = A[ak]!, ai = A[ak + 1]!;
        const bk = bOff + 2 * k * n;
        for (let j = 0; j < 2 * n; j += 2) {
          const br = B[bk + j]!, bi = B[bk + j + 1]!;
          C[ci + j] += ar * br - ai * bi;
          C[ci + j + 1] += ar * bi + ai * br;
        }
      }
    }
  } else if (op === 'AHB') {
    // A is p×m; C_ij = Σ_k conj(A_ki) B_kj
    for (let k = 0; k < p; k++) {
      const bk = bOff + 2 * k * n;
      for (let i = 0; i < m; i++) {
        const ak = aOff + 2 * (k * m + i), ar = A[ak]!, ai = -A[ak + 1]!;
        const ci = cOff + 2 * i * n;
        for (let j = 0; j < 2 * n; j += 2) {
          const br = B[bk + j]!, bi = B[bk + j + 1]!;
          C[ci + j] += ar * br - ai * bi;
          C[ci + j + 1] += ar * bi + ai * br;
        }
      }
    }
  } else {
    // B is n×p; C_ij = Σ_k A_ik conj(B_jk)
    for (let i = 0; i < m; i++) {
      const ai0 = aOff + 2 * i * p;
      for (let j = 0; j < n; j++) {
        const bj0 = bOff + 2 * j * p;
        let sr = 0, si = 0;
        for (let k = 0; k < 2 * p; k += 2) {
          const xr = A[ai0 + k]!, xi = A[ai0 + k + 1]!, yr = B[bj0 + k]!, yi = B[bj0 + k + 1]!;
          sr += xr * yr + xi * yi;
          si += xi * yr - xr * yi;
        }
        C[cOff + 2 * (i * n + j)] = sr;
        C[cOff + 2 * (i * n + j) + 1] = si;
      }
    }
  }
}

/** Eigendecomposition of every (Hermitian) item; values descending. Allocates its results. */
export function eighBatch(a: CMatBatch): Eigh[] {
  const n = a.rows;
  if (a.cols !== n) throw new RangeError(`eighBatch: items are ${a.rows}x${a.cols}, expected square`);
  const s = itemSize(a), out: Eigh[] = [];
  for (let i = 0; i < a.count; i++) {
    for (let k = i * s; k < (i + 1) * s; k++) {
      const v = a.data[k]!;
      if (v - v !== 0) throw new NumericalError(`eighBatch: item ${i}: non-finite entry ${v}`, { op: 'eighBatch', index: i });
    }
    try {
      out.push(eighUnchecked(a.data, i * s, n));
    } catch (e) {
      withIndex(e, 'eighBatch', i);
    }
  }
  return out;
}

/**
 * Allocation-free eigendecomposition of every item: values[i·n ...] (descending) and vectors item i.
 * Only lower triangles are read; non-finite input throws NumericalError naming the item.
 */
export function eighBatchInto(a: CMatBatch, values: Float64Array, vectors: CMatBatch): void {
  const n = a.rows;
  if (a.cols !== n || values.length !== a.count * n || vectors.count !== a.count || vectors.rows !== n || vectors.cols !== n) {
    throw new RangeError(`eighBatchInto: a is ${a.count}×${a.rows}x${a.cols}, values ${values.length}, vectors ${vectors.count}×${vectors.rows}x${vectors.cols}`);
  }
  const s = itemSize(a);
  for (let i = 0; i < a.count; i++) {
    for (let k = i * s; k < (i + 1) * s; k++) {
      const v = a.data[k]!;
      if (v - v !== 0) throw new NumericalError(`eighBatchInto: item ${i}: non-finite entry ${v}`, { op: 'eighBatchInto', index: i });
    }
    try {
      eighAt(a.data, i * s, n, values, i * n, vectors.data, i * s);
    } catch (e) {
      withIndex(e, 'eighBatchInto', i);
    }
  }
}
