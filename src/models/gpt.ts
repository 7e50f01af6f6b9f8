/**
 * GPT-style causal decoder: token + learned position embedding, pre-norm blocks
 * (x + Attn(LN(x)), x + MLP(LN(x)) with a GELU MLP), final LN, output head tied to the token
 * embedding (logits = h·wteᵀ) unless `tieEmbeddings` is false (then the `lm_head` linear).
 */
import * as tf from '@tensorflow/tfjs';
import type { GptConfig } from './config.js';
import { baseLinear, causalMask, embed, gelu, layerNorm, selfAttention, type LinearFn } from './layers.js';
import { weight, type ModelWeights } from './weights.js';
import { UserInputError } from '../errors.js';

export interface ForwardOptions {
  /** Linear-layer hook (LoRA); default plain x·W + b. */
  linear?: LinearFn;
  /** Embed by one-hot product (needed to train the table on backends without the gather gradient). */
  oneHotEmbedding?: boolean;
}

/** Final hidden states [S·T, d] for int32 tokens [S, T]. */
export function gptHidden(config: GptConfig, w: ModelWeights, tokens: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
  const [S, T] = tokens.shape;
  if (T > config.maxPositions) {
    throw new UserInputError(`sequence length ${T} exceeds model.maxPositions = ${config.maxPositions}`, 'model.maxPositions');
  }
  const linear = opts.linear ?? baseLinear(w);
  const d = config.hidden;
  const eps = config.layerNormEps;
  const tok = embed(w, 'wte', tokens.reshape([S * T]) as tf.Tensor1D, opts.oneHotEmbedding);
  const pos = tf.slice(weight(w, 'wpe.table') as tf.Tensor2D, [0, 0], [T, d]);
  let h = tf.add(tok.reshape([S, T, d]), pos).reshape([S * T, d]) as tf.Tensor2D;
  const mask = causalMask(T);
  for (let l = 0; l < config.layers; l++) {
    const p = `h.${l}`;
    const a = selfAttention(linear, `${p}.attn`, `${p}.attn.dense`, layerNorm(w, `${p}.ln_1`, h, eps), S, T, config.heads, mask);
    h = tf.add(h, a);
    const m = linear(`${p}.mlp.proj`, gelu(linear(`${p}.mlp.fc`, layerNorm(w, `${p}.ln_2`, h, eps))));
    h = tf.add(h, m);
  }
  return layerNorm(w, 'ln_f', h, eps);
}

/** Next-token logits [S·T, V]. */
export function gptLogits(config: GptConfig, w: ModelWeights, tokens: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
  const h = gptHidden(config, w, tokens, opts);
  if (!config.tieEmbeddings) return (opts.linear ?? baseLinear(w))('lm_head', h);
  // Explicit transpose keeps the product on the plain 2-D matMul path.
  return tf.matMul(h, tf.transpose(weight(w, 'wte.table') as tf.Tensor2D));
}
