/**
 * `lora` section, in PEFT's vocabulary (src/lora/config.ts):
 *
 *   lora:
 *     r: 8
 *     lora_alpha: 16                   # scale α/r
 *     target_modules: [query, value]   # e.g. query, key, value, dense, pooler
 *     lora_dropout: 0
 *     init_lora_weights: gaussian      # gaussian | true | false
 *     train_A: true                    # false: FFA-LoRA, A frozen, only B trained and aggregated
 */
import { z } from 'zod';
import { positive, posInt } from './common.js';

export const lora = z
  .strictObject({
    r: posInt.default(8).describe('LoRA rank r (PEFT r)'),
    lora_alpha: positive.default(16).describe('LoRA scale numerator α: the update is (α/r)·A·B (PEFT lora_alpha)'),
    target_modules: z.array(z.string()).min(1, { error: 'a non-empty list of module names (query, key, value, dense, pooler, ...)' }).default(['query', 'value']).describe('linear modules to adapt, by the model\'s own module names (PEFT target_modules), e.g. query, value; c_attn (GPT-2); q_proj, v_proj (Llama)'),
    lora_dropout: z.number({ error: 'a number in [0, 1)' }).min(0, { error: 'a number in [0, 1)' }).lt(1, { error: 'a number in [0, 1)' }).default(0).describe('dropout on the LoRA input, in [0, 1) (PEFT lora_dropout)'),
    init_lora_weights: z.union([z.boolean(), z.literal('gaussian')], { error: "gaussian, true or false" }).default('gaussian').describe('gaussian (A ~ N(0, 1/r²)), true (kaiming-uniform, PEFT default) or false; B = 0 (PEFT init_lora_weights)'),
    train_A: z.boolean({ error: 'true or false' }).default(true).describe('false: FFA-LoRA, A frozen, only B trained and uploaded'),
  })
  .optional().describe('the LoRA adapters, in PEFT\'s vocabulary (src/lora/config.ts)');
