/**
 * tfjs-cpu's `BatchMatMul` pairs output batch o with a-batch (o mod batchA) and b-batch
 * (o mod batchB). That is NumPy broadcasting only when one side has batch 1 or both batch
 * shapes are equal; a "mixed" broadcast such as [2,1,M,K] x [1,3,K,N] gives wrong numbers
 * (and wrong gradients). For that case this wrapper tiles both operands to the full batch
 * shape first (cpu `Tile` kernel); every other case goes to the original kernel unchanged.
 */
import * as tf from '@tensorflow/tfjs';

export function isMixedBroadcast(aShape: readonly number[], bShape: readonly number[]): boolean {
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  const rank = Math.max(outerA.length, outerB.length);
  const pa = [...Array(rank - outerA.length).fill(1), ...outerA] as number[];
  const pb = [...Array(rank - outerB.length).fill(1), ...outerB] as number[];
  const same = pa.every((d, i) => d === pb[i]);
  const aOne = pa.every((d) => d === 1);
  const bOne = pb.every((d) => d === 1);
  return !(same || aOne || bOne);
}

export function makeCpuBatchMatMul(original: tf.KernelConfig, tile: tf.KernelConfig, reshape: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!isMixedBroadcast(a.shape, b.shape)) return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    const backend = args.backend as tf.KernelBackend & { disposeIntermediateTensorInfo(t: tf.TensorInfo): void };
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const temps: tf.TensorInfo[] = [];
    const full = (x: tf.TensorInfo): tf.TensorInfo => {
      const pad = outer.length - (x.shape.length - 2);
      const x1 = reshape.kernelFunc({ inputs: { x }, backend, attrs: { shape: [...Array(pad).fill(1), ...x.shape] } }) as tf.TensorInfo;
      const reps = [...outer.map((d, i) => d / x1.shape[i]!), 1, 1];
      const x2 = tile.kernelFunc({ inputs: { x: x1 }, backend, attrs: { reps } }) as tf.TensorInfo;
      temps.push(x1, x2);
      return x2;
    };
    try {
      return original.kernelFunc({ ...args, inputs: { a: full(a), b: full(b) } } as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    } finally {
      for (const t of temps) backend.disposeIntermediateTensorInfo(t);
    }
  };
  return { kernelName: 'BatchMatMul', backendName: 'cpu', setupFunc: original.setupFunc, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
