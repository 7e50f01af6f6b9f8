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
    r: posInt.default(8),
    lora_alpha: positive.default(16),
    target_modules: z.array(z.string()).min(1, { error: 'a non-empty list of module names (query, key, value, dense, pooler, ...)' }).default(['query', 'value']),
    lora_dropout: z.number({ error: 'a number in [0, 1)' }).min(0, { error: 'a number in [0, 1)' }).lt(1, { error: 'a number in [0, 1)' }).default(0),
    init_lora_weights: z.union([z.boolean(), z.literal('gaussian')], { error: "gaussian, true or false" }).default('gaussian'),
    train_A: z.boolean({ error: 'true or false' }).default(true),
  })
  .optional();
