/**
 * GPT-2 forward pass with Hugging Face's module names (GPT2LMHeadModel): token + learned position
 * embedding, pre-norm blocks x + c_proj(Attn(c_attn(LN₁(x)))), x + c_proj(act(c_fc(LN₂(x)))), final
 * LN, head tied to `wte`. `c_attn` is one fused linear whose output is [q | k | v], so a LoRA adapter
 * on `c_attn` adapts all three at once, exactly as PEFT does on GPT-2.
 */
import * as tf from '@tensorflow/tfjs';
import { baseLinear, causalMask, embed, gelu, layerNorm } from '../layers.js';
import { weight, type ModelWeights } from '../weights.js';
import { UserInputError } from '../../errors.js';
import type { ForwardOptions } from '../gpt.js';
import type { Gpt2Config } from './config.js';
import { attention, geluErf } from './layers.js';

export function gpt2Hidden(c: Gpt2Config, w: ModelWeights, tokens: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
  const [S, T] = tokens.shape;
  if (T > c.maxPositions) throw new UserInputError(`sequence length ${T} exceeds the model's n_positions = ${c.maxPositions}`, 'seq_len');
  const linear = opts.linear ?? baseLinear(w);
  const d = c.hidden, eps = c.layerNormEps, H = c.heads, dh = d / H;
  const act = c.hiddenAct === 'gelu' ? geluErf : gelu;
  const tok = embed(w, 'transformer.wte', tokens.reshape([S * T]) as tf.Tensor1D, opts.oneHotEmbedding);
  const pos = tf.slice(weight(w, 'transformer.wpe.table') as tf.Tensor2D, [0, 0], [T, d]);
  let h = tf.add(tok.reshape([S, T, d]), pos).reshape([S * T, d]) as tf.Tensor2D;
  const mask = causalMask(T);
  for (let l = 0; l < c.layers; l++) {
    const p = `transformer.h.${l}`;
    const qkv = linear(`${p}.attn.c_attn`, layerNorm(w, `${p}.ln_1`, h, eps));
    const [q, k, v] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    h = tf.add(h, linear(`${p}.attn.c_proj`, attention(q, k, v, S, T, H, H, dh, mask)));
    h = tf.add(h, linear(`${p}.mlp.c_proj`, act(linear(`${p}.mlp.c_fc`, layerNorm(w, `${p}.ln_2`, h, eps)))));
  }
  return layerNorm(w, 'transformer.ln_f', h, eps);
}

/** Next-token logits [S·T, V] (head tied to the token embedding). */
export function gpt2Logits(c: Gpt2Config, w: ModelWeights, tokens: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
  const h = gpt2Hidden(c, w, tokens, opts);
  return tf.matMul(h, weight(w, 'transformer.wte.table') as tf.Tensor2D, false, true);
}
