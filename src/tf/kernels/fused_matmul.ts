/**
 * `_FusedMatMul` (matMul + bias + activation; used by `tf.fused.matMul` and tf.layers) on wasm.
 * tfjs-backend-wasm fuses only the plain 2-D product; with a transpose or a batch it runs the
 * same naive loop as `BatchMatMul`. Here: our BatchMatMul kernel (OpenBLAS or the XNNPACK
 * route), then the wasm Add and activation kernels. The plain 2-D product without the native
 * addon keeps the original fused XNNPACK kernel.
 *
 * Note: tfjs-core's gradient of the fused op (a customGrad inside the op, not in the registry)
 * does not reduce over broadcast batch dimensions; use tf.matMul for broadcast products in training.
 */
import type * as tf from '@tensorflow/tfjs';
import { matMulEngine } from './batch_matmul.js';

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

export function makeWasmFusedMatMul(
  original: tf.KernelConfig, batchMatMul: tf.KernelConfig, kernels: Record<string, tf.KernelConfig | undefined>,
): tf.KernelConfig {
  const kernelFunc = (args: Args): tf.TensorInfo => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = (args.attrs ?? {}) as { transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number };
    const plain = !attrs.transposeA && !attrs.transposeB && a!.shape[0] === 1 && b!.shape[0] === 1;
    if (a!.dtype !== 'float32' || b!.dtype !== 'float32' || (plain && matMulEngine() === 'xnnpack')) {
      return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    }
    const be = args.backend as tf.KernelBackend;
    const run = (name: string, inputs: tf.NamedTensorInfoMap, kattrs: tf.NamedAttrMap = {}) => {
      const k = kernels[name];
      if (!k) throw new Error(`_FusedMatMul (wasm): kernel ${name} not registered`);
      return k.kernelFunc({ inputs, backend: be, attrs: kattrs }) as tf.TensorInfo;
    };
    let y = batchMatMul.kernelFunc({
      inputs: { a: a!, b: b! }, backend: be, attrs: { transposeA: attrs.transposeA, transposeB: attrs.transposeB },
    }) as tf.TensorInfo;
    const step = (next: tf.TensorInfo) => {
      be.disposeData(y.dataId);
      y = next;
    };
    if (bias) step(run('Add', { a: y, b: bias }));
    switch (attrs.activation) {
      case 'linear': case undefined: break;
      case 'relu': step(run('Relu', { x: y })); break;
      case 'relu6': step(run('Relu6', { x: y })); break;
      case 'elu': step(run('Elu', { x: y })); break;
      case 'sigmoid': step(run('Sigmoid', { x: y })); break;
      case 'leakyrelu': step(run('LeakyRelu', { x: y }, { alpha: attrs.leakyreluAlpha ?? 0.2 })); break;
      case 'prelu': step(run('Prelu', { x: y, alpha: preluActivationWeights! })); break;
      default:
        be.disposeData(y.dataId);
        throw new Error(`_FusedMatMul (wasm): activation '${attrs.activation}' not supported`);
    }
    return y;
  };
  return { kernelName: '_FusedMatMul', backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
