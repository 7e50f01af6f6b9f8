/**
 * BERT's masked-LM head (BertForMaskedLM): encoder output → dense → act → LayerNorm → logits through
 * the word-embedding table (tied decoder) + `cls.predictions.bias`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from '../config.js';
import { bertEmbed, bertEncode } from '../bert.js';
import { baseLinear, gelu, layerNorm, type LinearFn } from '../layers.js';
import { weight, type ModelWeights } from '../weights.js';
import { geluErf } from './layers.js';

/** Token logits [S·T, V] for tokens [S, T]. */
export function bertMlmLogits(
  c: BertConfig, w: ModelWeights, tokens: tf.Tensor2D,
  opts: { mask?: tf.Tensor2D; segments?: tf.Tensor2D; linear?: LinearFn } = {},
): tf.Tensor2D {
  const [S, T] = tokens.shape;
  const linear = opts.linear ?? baseLinear(w);
  const h = bertEncode(c, w, bertEmbed(c, w, tokens, opts.segments), S, T, opts.mask, linear);
  const act = c.hiddenAct === 'gelu' ? geluErf : gelu;
  const t = layerNorm(w, 'cls.predictions.transform.LayerNorm', act(linear('cls.predictions.transform.dense', h)), c.layerNormEps);
  return tf.add(tf.matMul(t, weight(w, 'embeddings.word_embeddings.table') as tf.Tensor2D, false, true), weight(w, 'cls.predictions.bias')) as tf.Tensor2D;
}
