/**
 * Building blocks shared by the GPT and BERT forward passes.
 *
 * Every linear layer is called through a `LinearFn` hook with its module name, so LoRA (src/lora/)
 * adds its low-rank term without the model code knowing about adapters. Activations are kept as
 * 2-D [rows, features] wherever possible: plain 2-D matMul is the fast path on the wasm backend
 * (feasibility §2); the rows of a batch [S sequences, T] are sequence-major.
 */
import * as tf from '@tensorflow/tfjs';
import { weight, type ModelWeights } from './weights.js';

/** `y = x·W + b` for the module named `module`, possibly with an adapter; x is [rows, in]. */
export type LinearFn = (module: string, x: tf.Tensor2D) => tf.Tensor2D;

/** The plain linear layer over `w` (no adapter). */
export function baseLinear(w: ModelWeights): LinearFn {
  return (module, x): tf.Tensor2D => {
    const y = tf.matMul(x, weight(w, `${module}.kernel`) as tf.Tensor2D) as tf.Tensor2D;
    // Llama-family projections have no bias.
    const b = w[`${module}.bias`];
    return b ? (tf.add(y, b) as tf.Tensor2D) : y;
  };
}

/** Layer normalisation over the last axis with the module's gamma/beta. */
export function layerNorm(w: ModelWeights, module: string, x: tf.Tensor2D, eps: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  const xn = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(xn, weight(w, `${module}.gamma`)), weight(w, `${module}.beta`));
}

const GELU_K = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, tanh form (GPT-2, BERT's common approximation): 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))),
 * computed as the identical x·σ(2√(2/π)(x + 0.044715x³)) because the wasm Sigmoid kernel is
 * vectorised and Tanh is not (~3× slower on [1024, 512]). A custom gradient
 * σ + x·σ(1−σ)·k(1 + 3a·x²) replaces the longer autodiff chain. x·x·x, not pow (slow on wasm).
 */
export const gelu = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  const x2 = tf.mul(x, x);
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(x2, GELU_K * GELU_A), GELU_K)));
  save([x, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ss] = saved as [tf.Tensor, tf.Tensor];
      const slope = tf.add(tf.mul(tf.mul(xs, xs), 3 * GELU_K * GELU_A), GELU_K);
      const g = tf.add(ss, tf.mul(tf.mul(xs, tf.mul(ss, tf.sub(1, ss))), slope));
      return [tf.mul(dy, g)];
    },
  };
})) as (x: tf.Tensor2D) => tf.Tensor2D;

/**
 * Embedding lookup of int32 ids [n] in the module's table → [n, d]. `oneHot` computes it as a
 * one-hot product (differentiable w.r.t. the table on backends without UnsortedSegmentSum, the
 * gather gradient); by default `gather`.
 */
export function embed(w: ModelWeights, module: string, ids: tf.Tensor1D, oneHot = false): tf.Tensor2D {
  const table = weight(w, `${module}.table`) as tf.Tensor2D;
  if (oneHot) return tf.matMul(tf.oneHot(ids, table.shape[0]).toFloat() as tf.Tensor2D, table);
  return tf.gather(table, ids) as tf.Tensor2D;
}

/** Does the active backend have the gather gradient's kernel? */
export function hasGatherGrad(): boolean {
  return tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
}

/** Additive causal mask [1, 1, T, T]: 0 on and below the diagonal, -1e9 above. */
export function causalMask(T: number): tf.Tensor4D {
  return tf.tidy(() => {
    const lower = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
    return tf.mul(tf.sub(1, lower), -1e9).reshape([1, 1, T, T]) as tf.Tensor4D;
  });
}

/** Additive padding mask [S, 1, 1, T] from a 0/1 float mask [S, T] (1 = real token). */
export function paddingMask(mask: tf.Tensor2D): tf.Tensor4D {
  const [S, T] = mask.shape;
  return tf.mul(tf.sub(1, mask), -1e9).reshape([S, 1, 1, T]) as tf.Tensor4D;
}

/**
 * Multi-head self-attention on x [S·T, d] for S sequences of length T. Projections `<prefix>.query`,
 * `.key`, `.value` and output `<outModule>`; `mask` is additive, broadcastable to [S, H, T, T].
 */
export function selfAttention(
  linear: LinearFn, prefix: string, outModule: string, x: tf.Tensor2D,
  S: number, T: number, heads: number, mask: tf.Tensor | null,
): tf.Tensor2D {
  const d = x.shape[1];
  const dh = d / heads;
  const split = (t: tf.Tensor2D) => t.reshape([S, T, heads, dh]).transpose([0, 2, 1, 3]).reshape([S * heads, T, dh]) as tf.Tensor3D;
  const q = split(linear(`${prefix}.query`, x));
  const k = split(linear(`${prefix}.key`, x));
  const v = split(linear(`${prefix}.value`, x));
  let scores: tf.Tensor = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh));
  if (mask) scores = tf.add(scores.reshape([S, heads, T, T]), mask).reshape([S * heads, T, T]);
  const p = tf.softmax(scores);
  const o = tf.matMul(p as tf.Tensor3D, v).reshape([S, heads, T, dh]).transpose([0, 2, 1, 3]).reshape([S * T, d]) as tf.Tensor2D;
  return linear(outModule, o);
}
