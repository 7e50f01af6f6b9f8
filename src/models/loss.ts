/**
 * Per-example softmax cross-entropy with integer labels, −log softmax(logits)[label].
 *
 * Computed from the Softmax kernel (vectorised on wasm) instead of tf.losses.softmaxCrossEntropy's
 * log-sum-exp, whose full-size Exp is slow on wasm; the gradient is the exact (softmax − onehot)·dy.
 * The probability is floored at 1e-30 before the log, so a hopeless prediction costs at most
 * 69.1 nats instead of +Infinity (the divergence checks look at the loss, which stays finite there).
 */
import * as tf from '@tensorflow/tfjs';

const FLOOR = 1e-30;

/** logits [N, V] float32, labels [N] int32 → losses [N]. Differentiable w.r.t. logits. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const onehot = tf.oneHot(labels, V);
    const p = tf.softmax(z);
    save([p, onehot]);
    const pt = tf.sum(tf.mul(p, onehot), -1);
    return {
      value: tf.neg(tf.log(tf.maximum(pt, FLOOR))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [ps, oh] = saved as [tf.Tensor, tf.Tensor];
        return [tf.mul(tf.sub(ps, oh), tf.expandDims(dy, -1))];
      },
    };
  });
  return f(logits) as tf.Tensor1D;
}
