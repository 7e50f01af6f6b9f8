/**
 * Typed view of the parts of tfjs-backend-wasm's `BackendWasm` that our kernels use.
 *
 * The package does not export these types; the fields below are stable across tfjs 4.x
 * (checked on 4.22.0). Keeping every cast in this one file means a tfjs upgrade that changes
 * them breaks here, loudly, and nowhere else.
 */
import type * as tf from '@tensorflow/tfjs';

export interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: tf.DataType;
  refCount: number;
}

/** The emscripten module: raw exports take tensor ids and heap pointers. */
export interface WasmModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _BatchMatMul(
    aId: number, aShapePtr: number, aShapeLen: number,
    bId: number, bShapePtr: number, bShapeLen: number,
    transposeA: number, transposeB: number, outId: number,
  ): void;
  tfjs: {
    registerTensor(id: number, size: number, memoryOffset: number): void;
    disposeData(id: number): void;
  };
}

export interface WasmBackend {
  wasm: WasmModule;
  dataIdNextNumber: number;
  dataIdMap: { get(dataId: object): WasmTensorData };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export function asWasmBackend(backend: unknown): WasmBackend {
  const b = backend as Partial<WasmBackend>;
  if (!b || !b.wasm || !b.dataIdMap || typeof b.wasm._BatchMatMul !== 'function') {
    throw new Error('airlora tf: expected a tfjs-backend-wasm backend instance (tfjs 4.x layout)');
  }
  return b as WasmBackend;
}

/** Float32 view of a tensor's data on the wasm heap (re-create after any allocation: the heap may grow). */
export function heapF32(backend: WasmBackend, t: tf.TensorInfo): Float32Array {
  const { memoryOffset } = backend.dataIdMap.get(t.dataId);
  let n = 1;
  for (const s of t.shape) n *= s;
  return new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset, n);
}
