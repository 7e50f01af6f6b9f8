/**
 * Cheaper wasm kernels for two element-wise ops that the transformer step runs a lot.
 *
 * - `Identity`: tfjs-backend-wasm copies the buffer; tensors are immutable, so we share it and
 *   bump its reference count (what the cpu backend and wasm's own `Reshape` already do).
 * - `Tanh`: the wasm kernel calls scalar tanhf, ~16 ns per element (8 ms for [1024,512], the GELU
 *   of one MLP). XNNPACK's vectorised `Sigmoid` is 16x faster, and tanh(x) = 2·σ(2x) − 1. That
 *   identity loses relative precision near 0 (absolute error ~1e-7), so for |x| < 0.05 we use the
 *   odd Taylor series x − x³/3 + 2x⁵/15 (truncation error < 1e-10).
 */
import type * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from '../wasm_internals.js';

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

export function makeWasmIdentity(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: Args): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    const backend = args.backend as { incRef(dataId: object): void };
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { kernelName: 'Identity', backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}

export function makeWasmTanh(
  original: tf.KernelConfig, sigmoid: tf.KernelConfig, multiply: tf.KernelConfig, sub: tf.KernelConfig,
): tf.KernelConfig {
  const kernelFunc = (args: Args): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    const backend = asWasmBackend(args.backend);
    const be = args.backend as tf.KernelBackend;
    const scalar = (v: number): tf.TensorInfo => {
      const t = backend.makeOutput([], 'float32');
      (backend.typedArrayFromHeap(t) as Float32Array)[0] = v;
      return t;
    };
    const run = (k: tf.KernelConfig, inputs: tf.NamedTensorInfoMap) =>
      k.kernelFunc({ inputs, backend: be, attrs: {} }) as tf.TensorInfo;
    // SIMD kernels for 2·σ(2x) − 1; JS loops over the heap are ~5x slower than these.
    const two = scalar(2);
    const one = scalar(1);
    const x2 = run(multiply, { a: x, b: two });
    const s = run(sigmoid, { x: x2 });
    const s2 = run(multiply, { a: s, b: two });
    const y = run(sub, { a: s2, b: one });
    for (const t of [two, one, x2, s, s2]) backend.disposeData(t.dataId);
    const src = backend.typedArrayFromHeap(x) as Float32Array;
    const out = backend.typedArrayFromHeap(y) as Float32Array;
    for (let i = 0; i < out.length; i++) {
      const v = src[i]!;
      const v2 = v * v;
      if (v2 < 0.0025) out[i] = v * (1 - v2 * (1 / 3 - v2 * (2 / 15)));
    }
    return y;
  };
  return { kernelName: 'Tanh', backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
