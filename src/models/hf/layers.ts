/**
 * Building blocks of the Hugging Face architectures that the built-in models do not have: exact GELU,
 * SiLU, RMSNorm, rotary position embeddings (HF's rotate-half convention) and an attention core with
 * grouped-query heads. Activations are 2-D [S·T, features], sequence-major, as in ../layers.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { weight, type ModelWeights } from '../weights.js';
import type { RopeScaling } from './config.js';

/** Exact GELU, 0.5·x·(1 + erf(x/√2)) (HF's `gelu`). */
export function geluErf(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as tf.Tensor2D;
}

/** SiLU, x·σ(x) (Llama's `silu`). */
export function silu(x: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(x, tf.sigmoid(x)) as tf.Tensor2D;
}

/** RMSNorm: x / √(mean(x²) + ε) · γ over the last axis (LlamaRMSNorm). */
export function rmsNorm(w: ModelWeights, module: string, x: tf.Tensor2D, eps: number): tf.Tensor2D {
  const ms = tf.mean(tf.mul(x, x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), weight(w, `${module}.gamma`)) as tf.Tensor2D;
}

/** Rotary inverse frequencies θ^(−2i/d), i < d/2, with HF's `linear` or `llama3` scaling. */
export function ropeInvFreq(headDim: number, theta: number, scaling?: RopeScaling): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / theta ** ((2 * i) / headDim);
  if (scaling?.type === 'linear') for (let i = 0; i < half; i++) inv[i]! /= scaling.factor;
  if (scaling?.type === 'llama3') {
    const { factor, lowFreqFactor: lo, highFreqFactor: hi, originalMaxPositions: old } = scaling;
    const lowWave = old / lo, highWave = old / hi;
    for (let i = 0; i < half; i++) {
      const f = inv[i]!;
      const wave = (2 * Math.PI) / f;
      if (wave > lowWave) inv[i] = f / factor;
      else if (wave >= highWave) {
        const smooth = (old / wave - lo) / (hi - lo);
        inv[i] = (1 - smooth) * (f / factor) + smooth * f;
      }
    }
  }
  return inv;
}

/** cos and sin tables [T, headDim] for positions 0..T−1 (the frequency vector repeated twice, as HF does). */
export function ropeTables(T: number, headDim: number, theta: number, scaling?: RopeScaling): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const inv = ropeInvFreq(headDim, theta, scaling);
  const half = headDim / 2;
  const c = new Float32Array(T * headDim), s = new Float32Array(T * headDim);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const a = t * inv[i]!;
      c[t * headDim + i] = c[t * headDim + half + i] = Math.cos(a);
      s[t * headDim + i] = s[t * headDim + half + i] = Math.sin(a);
    }
  }
  return { cos: tf.tensor2d(c, [T, headDim]), sin: tf.tensor2d(s, [T, headDim]) };
}

/** x·cos + rotate_half(x)·sin on x [S, heads, T, dh]; rotate_half(x) = [−x₂, x₁]. */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor4D {
  const dh = x.shape[3];
  const [x1, x2] = tf.split(x, [dh / 2, dh / 2], 3);
  const rot = tf.concat([tf.neg(x2!), x1!], 3);
  return tf.add(tf.mul(x, cos), tf.mul(rot, sin)) as tf.Tensor4D;
}

/**
 * Scaled dot-product attention for S sequences of length T: q [S·T, H·dh], k and v [S·T, Hkv·dh]
 * (Hkv divides H; query head h reads key/value head ⌊h/(H/Hkv)⌋, HF's `repeat_kv`). `mask` is
 * additive, broadcastable to [S, H, T, T]; `rope` rotates q and k. Returns [S·T, H·dh].
 */
export function attention(
  q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, S: number, T: number, H: number, Hkv: number, dh: number,
  mask: tf.Tensor | null, rope?: { cos: tf.Tensor2D; sin: tf.Tensor2D },
): tf.Tensor2D {
  const split = (t: tf.Tensor2D, h: number) => t.reshape([S, T, h, dh]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  let qs = split(q, H), ks = split(k, Hkv), vs = split(v, Hkv);
  if (rope) {
    qs = applyRope(qs, rope.cos, rope.sin);
    ks = applyRope(ks, rope.cos, rope.sin);
  }
  if (Hkv !== H) {
    const rep = H / Hkv;
    const expand = (t: tf.Tensor4D) => tf.tile(t.reshape([S * Hkv, 1, T * dh]), [1, rep, 1]).reshape([S, H, T, dh]) as tf.Tensor4D;
    ks = expand(ks);
    vs = expand(vs);
  }
  let scores: tf.Tensor = tf.mul(tf.matMul(qs.reshape([S * H, T, dh]) as tf.Tensor3D, ks.reshape([S * H, T, dh]) as tf.Tensor3D, false, true), 1 / Math.sqrt(dh));
  if (mask) scores = tf.add(scores.reshape([S, H, T, T]), mask).reshape([S * H, T, T]);
  const p = tf.softmax(scores) as tf.Tensor3D;
  return tf.matMul(p, vs.reshape([S * H, T, dh]) as tf.Tensor3D).reshape([S, H, T, dh]).transpose([0, 2, 1, 3]).reshape([S * T, H * dh]) as tf.Tensor2D;
}
