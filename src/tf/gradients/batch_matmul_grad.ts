/**
 * Gradient of `BatchMatMul` with broadcasting of the batch dimensions.
 *
 * tfjs-core 4.22's gradient returns dA and dB with the *output's* batch shape, so any broadcast
 * product (x[B,T,D] @ W[D,N], the everyday dense layer on a 3-D input) fails in backprop with
 * "gradient of input 'b' has shape [B,D,N], which does not match [D,N]", on every backend.
 * Here each gradient is summed back to its input's shape. When b is a single matrix and a has
 * a batch (the dense-layer case), dB is computed as one product over the folded rows,
 * x[B·T,D]^T @ dy[B·T,N], instead of B products and a sum. Registered for all backends.
 */
import * as tf from '@tensorflow/tfjs';

interface MatMulAttrs { transposeA: boolean; transposeB: boolean }

function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/** Sum `g` over the axes along which `shape` was broadcast, then give it `shape`. */
function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const axes = tf.broadcast_util.getReductionAxes(shape, g.shape);
  return (axes.length > 0 ? g.sum(axes) : g).reshape(shape);
}

export const batchMatMulGradConfig: tf.GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const g = dy as tf.Tensor;
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const { transposeA: tA, transposeB: tB } = attrs as unknown as MatMulAttrs;
    const rawA = (): tf.Tensor => {
      if (!tA && !tB) return tf.matMul(g, b, false, true);
      if (!tA && tB) return tf.matMul(g, b, false, false);
      if (tA && !tB) return tf.matMul(b, g, false, true);
      return tf.matMul(b, g, true, true);
    };
    const rawB = (): tf.Tensor => {
      if (!tA && !tB) return tf.matMul(a, g, true, false);
      if (!tA && tB) return tf.matMul(g, a, true, false);
      if (tA && !tB) return tf.matMul(a, g, false, false);
      return tf.matMul(g, a, true, true);
    };
    const bSingle = prod(b.shape.slice(0, -2)) === 1;
    const aBatched = prod(a.shape.slice(0, -2)) > 1;
    const foldedB = (): tf.Tensor => {
      // b is one matrix, a = [..., M, K] untransposed: fold a's batch into rows.
      const k = a.shape[a.shape.length - 1]!;
      const n = g.shape[g.shape.length - 1]!;
      const a2 = a.reshape([-1, k]);
      const g2 = g.reshape([-1, n]);
      return (tB ? tf.matMul(g2, a2, true, false) : tf.matMul(a2, g2, true, false)).reshape(b.shape);
    };
    return {
      a: () => reduceTo(rawA(), a.shape),
      b: () => (bSingle && aBatched && !tA ? foldedB() : reduceTo(rawB(), b.shape)),
    };
  },
};

let registered = false;
export function registerGradientFixes(): void {
  if (registered) return;
  tf.registerGradient(batchMatMulGradConfig);
  registered = true;
}
