/**
 * `model` section: the frozen base model under the LoRA adapters (src/models).
 *
 *   model:
 *     checkpoint: default              # a checkpoint folder (docs/checkpoint.md); 'default' = the
 *                                      # committed pre-trained GPT; omit to start from random weights;
 *                                      # or a Hugging Face model folder (config.json, model.safetensors,
 *                                      # tokenizer.json; gpt2, llama, qwen2, mistral, bert: docs/models.md)
 *     preset: bert-small               # without a checkpoint: a preset, sized by `overrides`
 *     overrides: { layers: 2, hidden: 64, heads: 4, intermediate: 256 }
 *     init_seed: 1                     # seed of random base weights (default: the scenario seed)
 *     base_init: lecun                 # random BERT encoder: 'bert' (std 0.02) or 'lecun' (std 1/√fan_in,
 *                                      # a random-feature encoder whose [CLS] output mixes the sequence)
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { posInt } from './common.js';

/** 'default', or an existing folder with a config.json (airlora checkpoint or Hugging Face model). */
const checkpoint = z
  .string({ error: "a checkpoint folder or 'default'" })
  .superRefine((p, ctx) => {
    if (p === 'default') return;
    if (!existsSync(p) || !statSync(p).isDirectory()) {
      ctx.addIssue({ code: 'custom', input: p, message: "an existing model folder or 'default' (this path does not exist: point model.checkpoint at your Hugging Face model folder with config.json, model.safetensors, tokenizer.json)" });
    } else if (!existsSync(join(p, 'config.json'))) {
      ctx.addIssue({ code: 'custom', input: p, message: 'a model folder with a config.json (this folder has none)' });
    }
  });

export const model = z
  .strictObject({
    checkpoint: checkpoint.optional().describe('\'default\' (the committed pre-trained GPT), an airlora checkpoint folder (docs/checkpoint.md) or a Hugging Face model folder with config.json, model.safetensors, tokenizer.json (gpt2, llama, qwen2, mistral, bert; docs/models.md); absent: random base weights'),
    preset: z.string({ error: 'a preset name, e.g. gpt-small, bert-small' }).optional().describe('without a checkpoint: a built-in architecture with random weights (gpt-small, gpt-tiny, bert-small, bert-tiny, bert-base; airlora list architectures); default gpt-small for language modelling, bert-small for classification and split runs'),
    overrides: z
      .strictObject({
        layers: posInt.optional().describe('transformer layers'), hidden: posInt.optional().describe('hidden width d'), heads: posInt.optional().describe('attention heads (dividing hidden)'), intermediate: posInt.optional().describe('MLP width'),
        maxPositions: posInt.optional().describe('most token positions (≥ the sequence length)'), numLabels: posInt.optional().describe('classifier output classes (BERT)'),
      })
      .optional().describe('sizes that replace the preset\'s (integers ≥ 1), e.g. { layers: 2, hidden: 64, heads: 4, intermediate: 256 }'),
    init_seed: z.number({ error: 'an integer ≥ 0' }).int({ error: 'an integer ≥ 0' }).min(0, { error: 'an integer ≥ 0' }).optional().describe('seed of the random base weights, an integer ≥ 0 (default: the scenario seed)'),
    base_init: z.enum(['bert', 'lecun']).optional().describe('random BERT encoder initialisation: bert (std 0.02, the default) or lecun (std 1/√fan_in: a random-feature encoder whose [CLS] output mixes the sequence); split runs use split.base_init'),
  })
  .optional().describe('the frozen base model under the LoRA adapters: a checkpoint, or a preset with random weights (docs/models.md)');
