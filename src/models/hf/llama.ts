/**
 * Llama-family forward pass (LlamaForCausalLM, Qwen2ForCausalLM, MistralForCausalLM) with HF's module
 * names: token embedding, pre-norm blocks x + o_proj(Attn(RoPE(q_proj), RoPE(k_proj), v_proj)(RMS(x))),
 * x + down_proj(silu(gate_proj(RMS(x))) ⊙ up_proj(RMS(x))), final RMSNorm, `lm_head` or the tied
 * embedding. Grouped-query attention shares each key/value head among H/Hkv query heads.
 * Mistral's sliding window is not applied: sequences longer than `sliding_window` are refused.
 */
import * as tf from '@tensorflow/tfjs';
import { baseLinear, causalMask, embed } from '../layers.js';
import { weight, type ModelWeights } from '../weights.js';
import { UserInputError } from '../../errors.js';
import type { ForwardOptions } from '../gpt.js';
import type { LlamaConfig } from './config.js';
import { attention, rmsNorm, ropeTables, silu } from './layers.js';

export function llamaHidden(c: LlamaConfig, w: ModelWeights, tokens: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
  const [S, T] = tokens.shape;
  if (T > c.maxPositions) throw new UserInputError(`sequence length ${T} exceeds the model's max_position_embeddings = ${c.maxPositions}`, 'seq_len');
  const linear = opts.linear ?? baseLinear(w);
  const eps = c.layerNormEps;
  let h = embed(w, 'model.embed_tokens', tokens.reshape([S * T]) as tf.Tensor1D, opts.oneHotEmbedding);
  const mask = causalMask(T);
  const rope = ropeTables(T, c.headDim, c.ropeTheta, c.ropeScaling);
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}`;
    const x = rmsNorm(w, `${p}.input_layernorm`, h, eps);
    const q = linear(`${p}.self_attn.q_proj`, x);
    const k = linear(`${p}.self_attn.k_proj`, x);
    const v = linear(`${p}.self_attn.v_proj`, x);
    h = tf.add(h, linear(`${p}.self_attn.o_proj`, attention(q, k, v, S, T, c.heads, c.kvHeads, c.headDim, mask, rope)));
    const y = rmsNorm(w, `${p}.post_attention_layernorm`, h, eps);
    h = tf.add(h, linear(`${p}.mlp.down_proj`, tf.mul(silu(linear(`${p}.mlp.gate_proj`, y)), linear(`${p}.mlp.up_proj`, y)) as tf.Tensor2D));
  }
  return rmsNorm(w, 'model.norm', h, eps);
}

/** Next-token logits [S·T, V]. */
export function llamaLogits(c: LlamaConfig, w: ModelWeights, tokens: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
  const h = llamaHidden(c, w, tokens, opts);
  if (!c.tieEmbeddings) return (opts.linear ?? baseLinear(w))('lm_head', h);
  return tf.matMul(h, weight(w, 'model.embed_tokens.table') as tf.Tensor2D, false, true);
}
