/** Next-token logits of any causal LM airlora runs: the built-in GPT, GPT-2, or the Llama family. */
import type * as tf from '@tensorflow/tfjs';
import type { GptConfig } from '../config.js';
import { gptLogits, type ForwardOptions } from '../gpt.js';
import type { ModelWeights } from '../weights.js';
import type { Gpt2Config, LlamaConfig } from './config.js';
import { gpt2Logits } from './gpt2.js';
import { llamaLogits } from './llama.js';

export function causalLmLogits(c: GptConfig | Gpt2Config | LlamaConfig, w: ModelWeights, tokens: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor2D {
  switch (c.arch) {
    case 'gpt': return gptLogits(c, w, tokens, opts);
    case 'gpt2': return gpt2Logits(c, w, tokens, opts);
    case 'llama': return llamaLogits(c, w, tokens, opts);
  }
}
