/**
 * GELU, tanh form (GPT-2/BERT): y = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as one op.
 *
 * Written with tfjs ops it is ~9 element-wise kernels forward and ~15 backward over the MLP's
 * [tokens, 4d] activations, plus a slow tanh. On wasm this op runs two fused kernels instead,
 * using ½·(1 + tanh u) = σ(2u) (exact) and XNNPACK's vectorised sigmoid:
 *   forward  y  = x·σ(2u)
 *   backward dx = dy·(s + x·s·(1 − s)·2c·(1 + 3a·x²)),  s = σ(2u), c = √(2/π), a = 0.044715.
 * Other backends run the composite form (same maths, autodiff through tfjs ops).
 */
import * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from '../wasm_internals.js';

export const GELU_KERNEL = 'AirloraGeluTanh';
export const GELU_GRAD_KERNEL = 'AirloraGeluTanhGrad';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/** The composite form, for backends without the fused kernels (and as the tests' reference). */
export function geluTanhComposite<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), A)), C);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1)) as T;
  });
}

/** GELU (tanh approximation); fused kernels on wasm. */
export function geluTanh<T extends tf.Tensor>(x: T): T {
  if (x.dtype === 'float32' && tf.getKernel(GELU_KERNEL, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(GELU_KERNEL, { x }) as T;
  }
  return geluTanhComposite(x);
}

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** s = σ(2u) as a new heap tensor; the caller disposes it. */
function sigmoid2u(backend: ReturnType<typeof asWasmBackend>, be: tf.KernelBackend, sigmoid: tf.KernelConfig, x: tf.TensorInfo): tf.TensorInfo {
  const t = backend.makeOutput(x.shape, 'float32');
  {
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    const ts = backend.typedArrayFromHeap(t) as Float32Array;
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      ts[i] = 2 * C * (v + A * v * v * v);
    }
  }
  const s = sigmoid.kernelFunc({ inputs: { x: t }, backend: be, attrs: {} }) as tf.TensorInfo;
  backend.disposeData(t.dataId);
  return s;
}

export function makeWasmGeluKernels(sigmoid: tf.KernelConfig): tf.KernelConfig[] {
  const forward = (args: Args): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const backend = asWasmBackend(args.backend);
    const s = sigmoid2u(backend, args.backend as tf.KernelBackend, sigmoid, x);
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    const y = backend.typedArrayFromHeap(s) as Float32Array;
    for (let i = 0; i < y.length; i++) y[i] = xs[i]! * y[i]!;
    return s;
  };
  const grad = (args: Args): tf.TensorInfo => {
    const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    const backend = asWasmBackend(args.backend);
    const s = sigmoid2u(backend, args.backend as tf.KernelBackend, sigmoid, x);
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    const ds = backend.typedArrayFromHeap(dy) as Float32Array;
    const out = backend.typedArrayFromHeap(s) as Float32Array;
    for (let i = 0; i < out.length; i++) {
      const v = xs[i]!;
      const si = out[i]!;
      out[i] = ds[i]! * (si + v * si * (1 - si) * 2 * C * (1 + 3 * A * v * v));
    }
    return s;
  };
  return [
    { kernelName: GELU_KERNEL, backendName: 'wasm', kernelFunc: forward as unknown as tf.KernelFunc },
    { kernelName: GELU_GRAD_KERNEL, backendName: 'wasm', kernelFunc: grad as unknown as tf.KernelFunc },
  ];
}

export const geluGradConfig: tf.GradConfig = {
  kernelName: GELU_KERNEL,
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => tf.engine().runKernel(GELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }) as tf.Tensor };
  },
};
