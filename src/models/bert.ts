/**
 * BERT-style encoder classifier in three separately callable parts that share one weight map, so the
 * split-learning code can run them on different sides:
 *  - `bertEmbed`: token + position + segment embedding, LayerNorm (device side);
 *  - `bertEncode`: post-norm blocks h = LN(h + Attn(h)), h = LN(h + FFN(h)) (server side);
 *  - `bertTask`: pooler dense + tanh on [CLS] (position 0), then the classification head (device side).
 * Each takes a `LinearFn` hook, so LoRA adapters apply in whichever part holds them.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from './config.js';
import { baseLinear, embed, gelu, layerNorm, paddingMask, selfAttention, type LinearFn } from './layers.js';
import { weight, type ModelWeights } from './weights.js';
import { UserInputError } from '../errors.js';
import { geluErf } from './hf/layers.js';

/** Embedding module: int32 tokens [S, T] (and optional segment ids [S, T]) → hidden [S·T, d]. */
export function bertEmbed(config: BertConfig, w: ModelWeights, tokens: tf.Tensor2D, segments?: tf.Tensor2D, oneHot = false): tf.Tensor2D {
  const [S, T] = tokens.shape;
  if (T > config.maxPositions) {
    throw new UserInputError(`sequence length ${T} exceeds model.maxPositions = ${config.maxPositions}`, 'model.maxPositions');
  }
  const d = config.hidden;
  const tok = embed(w, 'embeddings.word_embeddings', tokens.reshape([S * T]) as tf.Tensor1D, oneHot).reshape([S, T, d]);
  const pos = tf.slice(weight(w, 'embeddings.position_embeddings.table') as tf.Tensor2D, [0, 0], [T, d]);
  let e: tf.Tensor = tf.add(tok, pos);
  if (segments) {
    e = tf.add(e, embed(w, 'embeddings.token_type_embeddings', segments.reshape([S * T]) as tf.Tensor1D, oneHot).reshape([S, T, d]));
  } else {
    // All-zero segment ids: add row 0 of the segment table to every token.
    e = tf.add(e, tf.slice(weight(w, 'embeddings.token_type_embeddings.table') as tf.Tensor2D, [0, 0], [1, d]));
  }
  return layerNorm(w, 'embeddings.LayerNorm', e.reshape([S * T, d]) as tf.Tensor2D, config.layerNormEps);
}

/** Encoder: hidden [S·T, d] → [S·T, d]; `mask` is the 0/1 float padding mask [S, T] (1 = real token). */
export function bertEncode(
  config: BertConfig, w: ModelWeights, h: tf.Tensor2D, S: number, T: number,
  mask?: tf.Tensor2D, linear: LinearFn = baseLinear(w),
): tf.Tensor2D {
  const eps = config.layerNormEps;
  const add = mask ? paddingMask(mask) : null;
  // Hugging Face BERT's 'gelu' is the exact erf form; the built-in BERT uses the tanh form.
  const act = config.hiddenAct === 'gelu' ? geluErf : gelu;
  for (let l = 0; l < config.layers; l++) {
    const p = `encoder.layer.${l}`;
    const a = selfAttention(linear, `${p}.attention.self`, `${p}.attention.output.dense`, h, S, T, config.heads, add);
    h = layerNorm(w, `${p}.attention.output.LayerNorm`, tf.add(h, a), eps);
    const f = linear(`${p}.output.dense`, act(linear(`${p}.intermediate.dense`, h)));
    h = layerNorm(w, `${p}.output.LayerNorm`, tf.add(h, f), eps);
  }
  return h;
}

/** Task module: encoder output [S·T, d] → class logits [S, numLabels] (pooler on [CLS] + tanh + head). */
export function bertTask(config: BertConfig, w: ModelWeights, h: tf.Tensor2D, S: number, T: number, linear: LinearFn = baseLinear(w)): tf.Tensor2D {
  const cls = tf.slice(h.reshape([S, T, config.hidden]), [0, 0, 0], [S, 1, config.hidden]).reshape([S, config.hidden]) as tf.Tensor2D;
  const pooled = tf.tanh(linear('pooler.dense', cls));
  return linear('classifier', pooled);
}

/** The whole classifier: tokens [S, T] → logits [S, numLabels]. */
export function bertLogits(
  config: BertConfig, w: ModelWeights, tokens: tf.Tensor2D,
  opts: { mask?: tf.Tensor2D; segments?: tf.Tensor2D; linear?: LinearFn; oneHotEmbedding?: boolean } = {},
): tf.Tensor2D {
  const [S, T] = tokens.shape;
  const linear = opts.linear ?? baseLinear(w);
  const e = bertEmbed(config, w, tokens, opts.segments, opts.oneHotEmbedding);
  const h = bertEncode(config, w, e, S, T, opts.mask, linear);
  return bertTask(config, w, h, S, T, linear);
}
