/**
 * Fast `BatchMatMul` for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 sends a product to XNNPACK (SIMD, ~12 GFLOP/s) only when it is a plain
 * 2-D product: no transpose flag and batch size 1 on both sides. Everything else (every gradient,
 * attention's [B·H, T, dh] products, per-client stacked LoRA products, and even x[B,T,D] @ W[D,N])
 * runs a naive triple loop at ~1 GFLOP/s. This kernel reduces every case to that fast path:
 *  - transpose flags: transpose the operand explicitly (a memory-bound copy), then multiply;
 *  - b with batch size 1 (a weight): fold a's batch into its rows, one call, M' = batch·M;
 *  - a real batch: one XNNPACK call per slice, on *views* of the operands registered under fresh
 *    tensor ids at an offset into the existing heap buffers (no copy, no tfjs tensor objects).
 *    The view ids are disposed right after the call, which also frees the XNNPACK operator that
 *    was cached on the b view.
 * Broadcasting of the batch dimensions follows tfjs (NumPy) rules.
 *
 * When the optional native addon is loaded (src/tf/native.ts), all of this is replaced by CBLAS
 * sgemm on the same heap buffers, with transposes passed as flags (no copies at all).
 */
import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, type WasmBackend, type WasmModule } from '../wasm_internals.js';
import type { NativeBlas } from '../native.js';

let blas: NativeBlas | null = null;

/** Route float32 products to the native addon (or back to XNNPACK with null). */
export function setNativeMatMul(b: NativeBlas | null): void {
  blas = b;
}

/** 'openblas' when products run in the native addon, else 'xnnpack'. */
export function matMulEngine(): 'openblas' | 'xnnpack' {
  return blas ? 'openblas' : 'xnnpack';
}

interface MatMulAttrs { transposeA: boolean; transposeB: boolean }

/** Six int32 slots on the heap for the two rank-3 shapes of a raw `_BatchMatMul` call. */
const shapeScratch = new WeakMap<WasmModule, number>();
function scratch(w: WasmModule): number {
  let p = shapeScratch.get(w);
  if (p === undefined) {
    p = w._malloc(6 * 4) >>> 0; // emscripten returns pointers as signed int32: above 2 GiB they are negative
    shapeScratch.set(w, p);
  }
  return p;
}

function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/** [1,M,K] x [1,K,N] on the XNNPACK path, tensor ids given. */
function rawMatMul(w: WasmModule, aId: number, bId: number, outId: number, m: number, k: number, n: number): void {
  const s = scratch(w);
  const h = w.HEAP32;
  const i = s >>> 2;
  h[i] = 1; h[i + 1] = m; h[i + 2] = k;
  h[i + 3] = 1; h[i + 4] = k; h[i + 5] = n;
  w._BatchMatMul(aId, s, 3, bId, s + 12, 3, 0, 0, outId);
}

/** Index of the operand slice that feeds output slice `o` (NumPy broadcasting of batch dims). */
function broadcastIndex(outOuter: readonly number[], inOuter: readonly number[]): (o: number) => number {
  const rank = outOuter.length;
  const padded = [...Array(rank - inOuter.length).fill(1), ...inOuter] as number[];
  if (padded.every((d, j) => d === outOuter[j])) return (o) => o;
  if (padded.every((d) => d === 1)) return () => 0;
  const inStrides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let j = rank - 1; j >= 0; j--) {
    inStrides[j] = padded[j] === 1 ? 0 : s;
    s *= padded[j]!;
  }
  return (o) => {
    let idx = 0;
    for (let j = rank - 1; j >= 0; j--) {
      const d = outOuter[j]!;
      idx += (o % d) * inStrides[j]!;
      o = Math.floor(o / d);
    }
    return idx;
  };
}

function swapLastTwo(rank: number): number[] {
  const p = [...Array(rank).keys()];
  [p[rank - 2], p[rank - 1]] = [p[rank - 1]!, p[rank - 2]!];
  return p;
}

export interface BatchMatMulFix {
  config: tf.KernelConfig;
  /** The kernel this one replaces (kept for non-float32 inputs and for benchmarks). */
  original: tf.KernelConfig;
}

/**
 * Build the replacement kernel. `original` and `transpose` are the wasm backend's own
 * `BatchMatMul` and `Transpose` kernel configs, captured before re-registration.
 */
export function makeWasmBatchMatMul(original: tf.KernelConfig, transpose: tf.KernelConfig): BatchMatMulFix {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = (args.attrs ?? {}) as unknown as MatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') {
      return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    }
    const backend = asWasmBackend(args.backend);
    if (blas) return blasBatchMatMul(backend, blas, a, b, !!transposeA, !!transposeB);
    const temps: tf.TensorInfo[] = [];
    const tr = (x: tf.TensorInfo): tf.TensorInfo => {
      const y = transpose.kernelFunc({
        inputs: { x }, backend: args.backend as tf.KernelBackend, attrs: { perm: swapLastTwo(x.shape.length) },
      }) as tf.TensorInfo;
      temps.push(y);
      return y;
    };
    try {
      const a2 = transposeA ? tr(a) : a;
      const b2 = transposeB ? tr(b) : b;
      return plainBatchMatMul(backend, a2, b2, a.shape, b.shape, !!transposeA, !!transposeB);
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  return {
    original,
    config: { kernelName: 'BatchMatMul', backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc: kernelFunc as unknown as tf.KernelFunc },
  };
}

/** Heap as one Float32Array, re-made only when the wasm memory has grown. */
const heapViews = new WeakMap<ArrayBuffer, Float32Array>();
function heapF32All(w: WasmModule): Float32Array {
  const buf = w.HEAPU8.buffer as ArrayBuffer;
  let v = heapViews.get(buf);
  if (!v) {
    v = new Float32Array(buf);
    heapViews.set(buf, v);
  }
  return v;
}

function blasBatchMatMul(
  backend: WasmBackend, lib: NativeBlas, a: tf.TensorInfo, b: tf.TensorInfo, tA: boolean, tB: boolean,
): tf.TensorInfo {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = tA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = tA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = tB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = tB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
        `and transposeA=${tA} and transposeB=${tB} must match.`,
    );
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outOuter = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batches = prod(outOuter);
  const out = backend.makeOutput([...outOuter, m, n], 'float32');
  if (batches * m * n === 0) return out;
  const heap = heapF32All(backend.wasm); // after makeOutput, which may grow the heap
  // Byte offsets to float32 elements with >>> (unsigned): `>> 2` turned heap offsets above 2 GiB negative.
  const aOff = backend.dataIdMap.get(a.dataId).memoryOffset >>> 2;
  const bOff = backend.dataIdMap.get(b.dataId).memoryOffset >>> 2;
  const oOff = backend.dataIdMap.get(out.dataId).memoryOffset >>> 2;
  const ba = prod(outerA);
  const bb = prod(outerB);
  const ta = tA ? 1 : 0;
  const tb = tB ? 1 : 0;
  if (bb === 1 && !tA) {
    // One matrix b (a weight): a's batch folds into its rows, one sgemm.
    lib.sgemmBatch(heap, aOff, bOff, oOff, 1, ba * m, n, k, 0, tb, 0, 0, 0);
  } else if ((ba === 1 || ba === batches) && (bb === 1 || bb === batches)) {
    // Each operand is either one matrix (stride 0) or has the full batch shape (see broadcastIndex).
    lib.sgemmBatch(heap, aOff, bOff, oOff, batches, m, n, k, ta, tb, ba === 1 ? 0 : m * k, bb === 1 ? 0 : k * n, m * n);
  } else {
    const aIdx = broadcastIndex(outOuter, outerA);
    const bIdx = broadcastIndex(outOuter, outerB);
    for (let o = 0; o < batches; o++) {
      lib.sgemmBatch(heap, aOff + aIdx(o) * m * k, bOff + bIdx(o) * k * n, oOff + o * m * n, 1, m, n, k, ta, tb, 0, 0, 0);
    }
  }
  return out;
}

function plainBatchMatMul(
  backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo,
  origA: readonly number[], origB: readonly number[], tA: boolean, tB: boolean,
): tf.TensorInfo {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = a.shape[ra - 2]!;
  const k = a.shape[ra - 1]!;
  const kb = b.shape[rb - 2]!;
  const n = b.shape[rb - 1]!;
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${origA} and ${origB} ` +
        `and transposeA=${tA} and transposeB=${tB} must match.`,
    );
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outOuter = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batches = prod(outOuter);
  const out = backend.makeOutput([...outOuter, m, n], 'float32');
  if (batches * m * n === 0) return out;
  const w = backend.wasm;
  if (k === 0) {
    heapOf(backend, out).fill(0);
    return out;
  }
  const aData = backend.dataIdMap.get(a.dataId);
  const bData = backend.dataIdMap.get(b.dataId);
  const outData = backend.dataIdMap.get(out.dataId);
  if (prod(outerB) === 1) {
    // b is one matrix (a weight): fold a's batch into rows. XNNPACK caches the packed b on its id.
    rawMatMul(w, aData.id, bData.id, outData.id, prod(outerA) * m, k, n);
    return out;
  }
  const aIdx = broadcastIndex(outOuter, outerA);
  const bIdx = broadcastIndex(outOuter, outerB);
  const aStep = m * k * 4;
  const bStep = k * n * 4;
  const oStep = m * n * 4;
  for (let o = 0; o < batches; o++) {
    const ia = backend.dataIdNextNumber++;
    const ib = backend.dataIdNextNumber++;
    const io = backend.dataIdNextNumber++;
    w.tfjs.registerTensor(ia, m * k, aData.memoryOffset + aIdx(o) * aStep);
    w.tfjs.registerTensor(ib, k * n, bData.memoryOffset + bIdx(o) * bStep);
    w.tfjs.registerTensor(io, m * n, outData.memoryOffset + o * oStep);
    rawMatMul(w, ia, ib, io, m, k, n);
    w.tfjs.disposeData(ia);
    w.tfjs.disposeData(ib);
    w.tfjs.disposeData(io);
  }
  return out;
}

function heapOf(backend: WasmBackend, t: tf.TensorInfo): Float32Array {
  const { memoryOffset } = backend.dataIdMap.get(t.dataId);
  return new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset, prod(t.shape));
}
