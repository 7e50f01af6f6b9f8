/**
 * One round of split federated LoRA, as the messages the two sides exchange. Every function is one
 * side's step; what it returns is exactly what crosses the air (bits counted in payload.ts).
 *
 *   device  E = embed(tokens)                              ──up──▶  E [S·T, d] (+ lengths)
 *   server  H = encoder(E); c = H[CLS]                     ◀─down── c [S, d]
 *   device  logits = head(tanh(c W0 + b0 + (α/r) z B_p)),  z = c A_p  (the down-projection output)
 *           loss; backward gives  u = ∂ℓ/∂z [S, r],  g = ∂ℓ/∂c through W0 only [S, d],
 *           ∇B_p, ∇head                                    ──up──▶  g, u, ∇B_p, ∇head
 *   server  ∇A_p = cᵀ u   (the server holds c: the r-dim u replaces the d×r matrix ∇A_p)
 *           ∂ℓ/∂c = g + u A_pᵀ;  encoder LoRA gradients by back-propagating ∂ℓ/∂c through the
 *           encoder (vector–Jacobian product at the stored E)
 *
 * Why ∂ℓ/∂c (d values per example, [CLS] only) is needed and sufficient for the encoder: every encoder
 * LoRA gradient is a linear function of ∂ℓ/∂H, and ∂ℓ/∂H is zero off the [CLS] rows (the task module
 * reads only [CLS]); the map from ∂ℓ/∂c to the encoder gradients has rank up to d per example, so no
 * r-dim summary can replace it in general. The r-dim quantity of the paper, ∂ℓ/∂(c A_p), carries
 * the pooler's A-gradient and the LoRA path of ∂ℓ/∂c; the frozen path W0 needs g. See docs/split.md.
 *
 * Several devices: rows are stacked (device-major); with per-device losses weighted by their batch
 * sizes the stacked mean loss gives the aggregated (data-weighted FedSGD) gradient, and each device's
 * messages are its own rows.
 */
import * as tf from '@tensorflow/tfjs';
import { bertEmbed, bertEncode } from '../models/bert.js';
import { weight } from '../models/weights.js';
import type { SplitLoraModel } from './model.js';
import { POOLER } from './model.js';
import { NumericalError } from '../errors.js';

export interface DeviceBatch {
  /** int32 [S, T] */
  tokens: tf.Tensor2D;
  /** float32 [S, T], 1 = real token */
  mask: tf.Tensor2D;
  /** int32 [S] */
  labels: tf.Tensor1D;
  /** int32 [S, T] token type ids (sentence pairs); absent: all 0 */
  segments?: tf.Tensor2D;
}

/**
 * Device, uplink 1: embeddings [S·T, d]. `segments`: token type ids [S, T] of sentence pairs (the
 * embedding adds their rows on the device, so they never cross the air); absent: all 0.
 */
export function deviceEmbed(m: SplitLoraModel, tokens: tf.Tensor2D, segments?: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => bertEmbed(m.config, m.base.weights, tokens, segments));
}

function encodeCls(m: SplitLoraModel, E: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  const [S, T] = mask.shape;
  const H = bertEncode(m.config, m.base.weights, E, S, T, mask, m.linear);
  return tf.slice(H.reshape([S, T, m.config.hidden]), [0, 0, 0], [S, 1, m.config.hidden]).reshape([S, m.config.hidden]) as tf.Tensor2D;
}

/** Server, downlink: encoder output at [CLS], c [S, d]. */
export function serverForward(m: SplitLoraModel, E: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => encodeCls(m, E, mask));
}

export interface DeviceGradients {
  /** mean cross-entropy over the batch */
  loss: number;
  /** correct predictions in the batch */
  correct: number;
  /** ∂ℓ/∂c through the frozen pooler weight only [S, d] */
  g: tf.Tensor2D;
  /** ∂ℓ/∂(c A_p), the gradient w.r.t. the output of the pooler's LoRA down-projection [S, r] */
  u: tf.Tensor2D;
  gradBp: tf.Tensor2D;
  gradW: tf.Tensor2D;
  gradb: tf.Tensor1D;
}

/**
 * Device, uplink 2. `weight` scales the loss (e.g. S / N when N examples are stacked over devices, so
 * the stacked gradients are the data-weighted average).
 */
export function deviceBackward(m: SplitLoraModel, c: tf.Tensor2D, labels: tf.Tensor1D, lossWeight = 1): DeviceGradients {
  const W0 = weight(m.base.weights, `${POOLER}.kernel`) as tf.Tensor2D;
  const b0 = weight(m.base.weights, `${POOLER}.bias`);
  const C = m.config.numLabels;
  const head = (cIn: tf.Tensor2D, z: tf.Tensor2D, Bp: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D) => {
    const pooled = tf.tanh(tf.add(tf.add(tf.matMul(cIn, W0), b0), tf.mul(tf.matMul(z, Bp), m.scale)));
    return tf.add(tf.matMul(pooled, W), b) as tf.Tensor2D;
  };
  const out = tf.tidy(() => {
    const z = tf.matMul(c, m.pooler.A as tf.Tensor2D) as tf.Tensor2D;
    const onehot = tf.oneHot(labels, C);
    const f = (cIn: tf.Tensor, zIn: tf.Tensor, Bp: tf.Tensor, W: tf.Tensor, b: tf.Tensor) =>
      tf.mul(tf.losses.softmaxCrossEntropy(onehot, head(cIn as tf.Tensor2D, zIn as tf.Tensor2D, Bp as tf.Tensor2D, W as tf.Tensor2D, b as tf.Tensor1D)), lossWeight);
    const { value, grads } = tf.valueAndGrads(f as (...a: tf.Tensor[]) => tf.Scalar)([c, z, m.pooler.B, m.head.W, m.head.b]);
    const logits = head(c, z, m.pooler.B as tf.Tensor2D, m.head.W as tf.Tensor2D, m.head.b as tf.Tensor1D);
    const correct = tf.sum(tf.equal(tf.argMax(logits, 1), labels).toFloat());
    return { value, correct, grads };
  });
  const loss = out.value.dataSync()[0]! / lossWeight;
  const correct = out.correct.dataSync()[0]!;
  out.value.dispose();
  out.correct.dispose();
  if (!Number.isFinite(loss)) throw new NumericalError(`split device: non-finite loss ${loss}`);
  const [g, u, gradBp, gradW, gradb] = out.grads as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  return { loss, correct, g, u, gradBp, gradW, gradb };
}

/**
 * Server: forms every LoRA gradient from what the devices sent. Returns gradients keyed by variable
 * name (server encoder LoRA, pooler A_p and B_p, head), ready for an optimiser.
 */
export function serverBackward(
  m: SplitLoraModel, E: tf.Tensor2D, mask: tf.Tensor2D, c: tf.Tensor2D, up: DeviceGradients, uOnly = false,
): tf.NamedTensorMap {
  return tf.tidy(() => {
    const gradAp = tf.matMul(c, up.u, true, false);
    // u-only: the device did not send g, the server has only the LoRA path of ∂ℓ/∂c
    const viaLora = tf.matMul(up.u, m.pooler.A as tf.Tensor2D, false, true);
    const dc = uOnly ? viaLora : tf.add(up.g, viaLora);
    const enc = tf.variableGrads(() => tf.sum(tf.mul(encodeCls(m, E, mask), dc)) as tf.Scalar, m.serverVariables());
    enc.value.dispose();
    return {
      ...enc.grads,
      [m.pooler.A.name]: gradAp,
      [m.pooler.B.name]: tf.clone(up.gradBp),
      [m.head.W.name]: tf.clone(up.gradW),
      [m.head.b.name]: tf.clone(up.gradb),
    };
  });
}

/** The encoder LoRA gradients for a given ∂ℓ/∂c (a vector–Jacobian product at the stored E). */
export function encoderVjp(m: SplitLoraModel, E: tf.Tensor2D, mask: tf.Tensor2D, dc: tf.Tensor2D): tf.NamedTensorMap {
  return tf.tidy(() => {
    const r = tf.variableGrads(() => tf.sum(tf.mul(encodeCls(m, E, mask), dc)) as tf.Scalar, m.serverVariables());
    r.value.dispose();
    return r.grads;
  });
}

export function disposeDeviceGradients(d: DeviceGradients): void {
  d.g.dispose();
  d.u.dispose();
  d.gradBp.dispose();
  d.gradW.dispose();
  d.gradb.dispose();
}

/**
 * Relative error of the u-only encoder gradients against the exact ones, ‖G(uA_pᵀ) − G(g + uA_pᵀ)‖ /
 * ‖G(g + uA_pᵀ)‖ over all encoder LoRA gradients. The map from ∂ℓ/∂c to the gradients is linear, so
 * the difference is G(g): one extra vector–Jacobian product.
 */
export function uOnlyGradientError(m: SplitLoraModel, E: tf.Tensor2D, mask: tf.Tensor2D, up: DeviceGradients): number {
  const out = tf.tidy(() => {
    const full = tf.add(up.g, tf.matMul(up.u, m.pooler.A as tf.Tensor2D, false, true));
    const vjp = (dc: tf.Tensor) => {
      const r = tf.variableGrads(() => tf.sum(tf.mul(encodeCls(m, E, mask), dc)) as tf.Scalar, m.serverVariables());
      r.value.dispose();
      return Object.values(r.grads).reduce((a, g) => tf.add(a, tf.sum(tf.square(g))), tf.scalar(0));
    };
    return tf.stack([vjp(up.g), vjp(full)]);
  });
  const [missing, total] = out.dataSync() as Float32Array;
  out.dispose();
  return total! > 0 ? Math.sqrt(missing! / total!) : 0;
}
