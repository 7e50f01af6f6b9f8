/**
 * Dense complex matrices on interleaved Float64Array storage.
 *
 * Layout: row-major, entry (i, j) has real part at data[2*(i*cols + j)] and imaginary part at
 * data[2*(i*cols + j) + 1]. A batch of equally-shaped matrices is one buffer of `count` such
 * blocks laid end to end (see CMatBatch). Hot loops index the buffers directly; complex.js is used
 * only at the edges (parsing, printing).
 */
import { Complex } from 'complex.js';
import { gemmNT, scratch, transposeInto } from './gemm.js';

export interface CMat {
  readonly rows: number;
  readonly cols: number;
  /** length 2 * rows * cols, interleaved (re, im). */
  readonly data: Float64Array;
}

/** `count` matrices of shape rows × cols stored back to back. */
export interface CMatBatch {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function cmat(rows: number, cols: number, data?: Float64Array): CMat {
  const n = 2 * rows * cols;
  if (data && data.length !== n) {
    throw new RangeError(`cmat: data length ${data.length} does not match ${rows}x${cols} complex (${n})`);
  }
  return { rows, cols, data: data ?? new Float64Array(n) };
}

export function zeros(rows: number, cols: number): CMat {
  return cmat(rows, cols);
}

export function eye(n: number, scale = 1): CMat {
  const m = cmat(n, n);
  for (let i = 0; i < n; i++) m.data[2 * (i * n + i)] = scale;
  return m;
}

/** Build from nested arrays of [re, im] pairs or plain reals. */
export function fromArrays(rows: ReadonlyArray<ReadonlyArray<number | readonly [number, number]>>): CMat {
  const r = rows.length;
  const c = r ? rows[0]!.length : 0;
  const m = cmat(r, c);
  for (let i = 0; i < r; i++) {
    if (rows[i]!.length !== c) throw new RangeError('fromArrays: ragged rows');
    for (let j = 0; j < c; j++) {
      const v = rows[i]![j]!;
      const k = 2 * (i * c + j);
      if (typeof v === 'number') m.data[k] = v;
      else {
        m.data[k] = v[0];
        m.data[k + 1] = v[1];
      }
    }
  }
  return m;
}

/** Build from real and imaginary parts given as row-major number arrays (e.g. ml-matrix output). */
export function fromReIm(rows: number, cols: number, re: ArrayLike<number>, im?: ArrayLike<number>): CMat {
  const m = cmat(rows, cols);
  for (let i = 0; i < rows * cols; i++) {
    m.data[2 * i] = re[i]!;
    m.data[2 * i + 1] = im ? im[i]! : 0;
  }
  return m;
}

export function get(a: CMat, i: number, j: number): Complex {
  const k = 2 * (i * a.cols + j);
  return new Complex(a.data[k]!, a.data[k + 1]!);
}

export function set(a: CMat, i: number, j: number, re: number, im = 0): void {
  const k = 2 * (i * a.cols + j);
  a.data[k] = re;
  a.data[k + 1] = im;
}

export function clone(a: CMat): CMat {
  return cmat(a.rows, a.cols, a.data.slice());
}

/** View matrix `i` of a batch (shares memory). */
export function batchItem(b: CMatBatch, i: number): CMat {
  const n = 2 * b.rows * b.cols;
  return cmat(b.rows, b.cols, b.data.subarray(i * n, (i + 1) * n));
}

export function batch(count: number, rows: number, cols: number): CMatBatch {
  return { count, rows, cols, data: new Float64Array(2 * count * rows * cols) };
}

/** C = A · B (writes into `out` if given; `out` must not alias A or B). */
export function matmul(a: CMat, b: CMat, out?: CMat): CMat {
  if (a.cols !== b.rows) throw new RangeError(`matmul: ${a.rows}x${a.cols} · ${b.rows}x${b.cols}`);
  const c = outFor(out, a.rows, b.cols, 'matmul');
  const bt = scratch(0, b.data.length);
  transposeInto(b.data, 0, b.rows, b.cols, bt, false);
  gemmNT(a.data, 0, bt, 0, c.data, 0, a.rows, b.cols, a.cols);
  return c;
}

/** C = Aᴴ · B without forming Aᴴ as a matrix (writes into `out` if given; no aliasing). */
export function matmulAH(a: CMat, b: CMat, out?: CMat): CMat {
  if (a.rows !== b.rows) throw new RangeError(`matmulAH: (${a.rows}x${a.cols})ᴴ · ${b.rows}x${b.cols}`);
  const c = outFor(out, a.cols, b.cols, 'matmulAH');
  const at = scratch(0, a.data.length), bt = scratch(1, b.data.length);
  transposeInto(a.data, 0, a.rows, a.cols, at, true);
  transposeInto(b.data, 0, b.rows, b.cols, bt, false);
  gemmNT(at, 0, bt, 0, c.data, 0, a.cols, b.cols, a.rows);
  return c;
}

/** C = A · Bᴴ without forming Bᴴ as a matrix (writes into `out` if given; no aliasing). */
export function matmulBH(a: CMat, b: CMat, out?: CMat): CMat {
  if (a.cols !== b.cols) throw new RangeError(`matmulBH: ${a.rows}x${a.cols} · (${b.rows}x${b.cols})ᴴ`);
  const c = outFor(out, a.rows, b.rows, 'matmulBH');
  const bc = scratch(0, b.data.length);
  const B = b.data;
  for (let k = 0; k < B.length; k += 2) { bc[k] = B[k]!; bc[k + 1] = -B[k + 1]!; }
  gemmNT(a.data, 0, bc, 0, c.data, 0, a.rows, b.rows, a.cols);
  return c;
}

function outFor(out: CMat | undefined, rows: number, cols: number, op: string): CMat {
  if (!out) return cmat(rows, cols);
  if (out.rows !== rows || out.cols !== cols) throw new RangeError(`${op}: out is ${out.rows}x${out.cols}, expected ${rows}x${cols}`);
  return out;
}

/** Conjugate transpose Aᴴ. */
export function adjoint(a: CMat): CMat {
  const out = cmat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      const s = 2 * (i * a.cols + j), d = 2 * (j * a.rows + i);
      out.data[d] = a.data[s]!;
      out.data[d + 1] = -a.data[s + 1]!;
    }
  }
  return out;
}

/** Plain transpose Aᵀ (no conjugation). */
export function transpose(a: CMat): CMat {
  const out = cmat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      const s = 2 * (i * a.cols + j), d = 2 * (j * a.rows + i);
      out.data[d] = a.data[s]!;
      out.data[d + 1] = a.data[s + 1]!;
    }
  }
  return out;
}

export function add(a: CMat, b: CMat): CMat {
  sameShape(a, b, 'add');
  const out = cmat(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) out.data[i] = a.data[i]! + b.data[i]!;
  return out;
}

export function sub(a: CMat, b: CMat): CMat {
  sameShape(a, b, 'sub');
  const out = cmat(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) out.data[i] = a.data[i]! - b.data[i]!;
  return out;
}

/** s · A for a complex scalar s = sr + i·si. */
export function scale(a: CMat, sr: number, si = 0): CMat {
  const out = cmat(a.rows, a.cols);
  const A = a.data, O = out.data;
  for (let k = 0; k < A.length; k += 2) {
    O[k] = sr * A[k]! - si * A[k + 1]!;
    O[k + 1] = sr * A[k + 1]! + si * A[k]!;
  }
  return out;
}

/** ‖A‖_F² */
export function frob2(a: CMat): number {
  let s = 0;
  const d = a.data;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return s;
}

/** ‖A‖_F */
export function frobNorm(a: CMat): number {
  return Math.sqrt(frob2(a));
}

/** tr(A) as [re, im]. */
export function trace(a: CMat): [number, number] {
  if (a.rows !== a.cols) throw new RangeError('trace: matrix is not square');
  let re = 0, im = 0;
  for (let i = 0; i < a.rows; i++) {
    re += a.data[2 * (i * a.cols + i)]!;
    im += a.data[2 * (i * a.cols + i) + 1]!;
  }
  return [re, im];
}

/** Columns [c0, c1) as a new matrix. */
export function columns(a: CMat, c0: number, c1: number): CMat {
  const w = c1 - c0;
  const out = cmat(a.rows, w);
  for (let i = 0; i < a.rows; i++) {
    out.data.set(a.data.subarray(2 * (i * a.cols + c0), 2 * (i * a.cols + c1)), 2 * i * w);
  }
  return out;
}

/** max |A_ij − B_ij| (for tests). */
export function maxAbsDiff(a: CMat, b: CMat): number {
  sameShape(a, b, 'maxAbsDiff');
  let m = 0;
  for (let k = 0; k < a.data.length; k += 2) {
    const dr = a.data[k]! - b.data[k]!, di = a.data[k + 1]! - b.data[k + 1]!;
    m = Math.max(m, Math.hypot(dr, di));
  }
  return m;
}

/** Real embedding [[Re, −Im], [Im, Re]] (2r × 2c, row-major) — used with ml-matrix as a test oracle. */
export function realEmbedding(a: CMat): number[][] {
  const r = a.rows, c = a.cols;
  const out: number[][] = Array.from({ length: 2 * r }, () => new Array<number>(2 * c).fill(0));
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const re = a.data[2 * (i * c + j)]!, im = a.data[2 * (i * c + j) + 1]!;
      out[i]![j] = re;
      out[i]![j + c] = -im;
      out[i + r]![j] = im;
      out[i + r]![j + c] = re;
    }
  }
  return out;
}

export function toString(a: CMat, digits = 4): string {
  const lines: string[] = [];
  for (let i = 0; i < a.rows; i++) {
    const row: string[] = [];
    for (let j = 0; j < a.cols; j++) {
      const z = get(a, i, j);
      row.push(`${z.re.toFixed(digits)}${z.im < 0 ? '-' : '+'}${Math.abs(z.im).toFixed(digits)}i`);
    }
    lines.push(row.join('  '));
  }
  return lines.join('\n');
}

function sameShape(a: CMat, b: CMat, op: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`${op}: shapes ${a.rows}x${a.cols} and ${b.rows}x${b.cols} differ`);
  }
}
