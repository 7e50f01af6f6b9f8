/**
 * Model configurations and presets.
 *
 * Two architectures:
 *  - `gpt`: causal decoder, token + learned position embedding, pre-norm blocks (LN → attention →
 *    residual, LN → GELU MLP → residual), final LN, output head TIED to the token embedding by
 *    default (`tieEmbeddings`; untied adds an `lm_head` linear).
 *  - `bert`: encoder classifier, embedding module (token + position + segment + LayerNorm), post-norm
 *    BERT blocks, pooler dense + tanh on [CLS] (position 0), classification head.
 * Module names follow Hugging Face so PEFT-style `target_modules` read the same (see lora/config.ts).
 */
import { UserInputError } from '../errors.js';
import type { Gpt2Config, LlamaConfig } from './hf/types.js';

export type { Gpt2Config, LlamaConfig } from './hf/types.js';

export interface GptConfig {
  arch: 'gpt';
  vocabSize: number;
  maxPositions: number;
  hidden: number;
  layers: number;
  heads: number;
  /** MLP width (4 × hidden in GPT-2). */
  intermediate: number;
  tieEmbeddings: boolean;
  layerNormEps: number;
}

export interface BertConfig {
  arch: 'bert';
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  numLabels: number;
  layerNormEps: number;
  /** 'gelu' = exact erf GELU (Hugging Face BERT's); absent or 'gelu_new' = tanh form. */
  hiddenAct?: 'gelu' | 'gelu_new';
}

/** Built-in `gpt` / `bert`, and checkpoints read from Hugging Face folders (src/models/hf/). */
export type ModelConfig = GptConfig | BertConfig | Gpt2Config | LlamaConfig;

/** Does the model predict next tokens (GPT, GPT-2, Llama family)? Otherwise it is a BERT classifier. */
export function isCausalLm(c: ModelConfig): c is GptConfig | Gpt2Config | LlamaConfig {
  return c.arch === 'gpt' || c.arch === 'gpt2' || c.arch === 'llama';
}

/** Named sizes. `vocabSize` of the small presets is a default: callers set it from their tokenizer. */
export const PRESETS: Record<string, ModelConfig> = {
  // bert-base-cased: 108,310,272 parameters without the classification head.
  'bert-base': { arch: 'bert', vocabSize: 28996, maxPositions: 512, typeVocabSize: 2, hidden: 768, layers: 12, heads: 12, intermediate: 3072, numLabels: 2, layerNormEps: 1e-12 },
  'bert-small': { arch: 'bert', vocabSize: 1024, maxPositions: 128, typeVocabSize: 2, hidden: 128, layers: 2, heads: 4, intermediate: 512, numLabels: 2, layerNormEps: 1e-12 },
  'bert-tiny': { arch: 'bert', vocabSize: 64, maxPositions: 16, typeVocabSize: 2, hidden: 16, layers: 1, heads: 2, intermediate: 32, numLabels: 2, layerNormEps: 1e-12 },
  // The benchmark configuration of issue 3 (V = 256, d = 128, 4 heads); layers 2 or 4.
  'gpt-small': { arch: 'gpt', vocabSize: 256, maxPositions: 128, hidden: 128, layers: 2, heads: 4, intermediate: 512, tieEmbeddings: true, layerNormEps: 1e-5 },
  'gpt-tiny': { arch: 'gpt', vocabSize: 32, maxPositions: 16, hidden: 16, layers: 1, heads: 2, intermediate: 32, tieEmbeddings: true, layerNormEps: 1e-5 },
};

/** A preset by name with optional overrides (e.g. `{ vocabSize: tokenizer.size }`). */
export function preset(name: string, overrides: Partial<ModelConfig> = {}): ModelConfig {
  const p = PRESETS[name];
  if (!p) {
    throw new UserInputError(
      `model.preset: unknown preset '${name}'; allowed: ${Object.keys(PRESETS).join(', ')}`,
      'model.preset',
    );
  }
  return validateModelConfig({ ...p, ...overrides } as ModelConfig);
}

/** Check sizes are positive integers and heads divide hidden; returns the config. */
export function validateModelConfig(c: ModelConfig, field = 'model'): ModelConfig {
  if (c.arch !== 'gpt' && c.arch !== 'bert' && c.arch !== 'gpt2' && c.arch !== 'llama') {
    throw new UserInputError(`${field}.arch: '${String((c as { arch: unknown }).arch)}' is not one of gpt, bert, gpt2, llama`, `${field}.arch`);
  }
  const ints: [string, number][] = [
    ['vocabSize', c.vocabSize], ['maxPositions', c.maxPositions], ['hidden', c.hidden],
    ['layers', c.layers], ['heads', c.heads], ['intermediate', c.intermediate],
  ];
  if (c.arch === 'bert') ints.push(['typeVocabSize', c.typeVocabSize], ['numLabels', c.numLabels]);
  for (const [k, v] of ints) {
    if (!Number.isInteger(v) || v < 1) {
      throw new UserInputError(`${field}.${k}: ${String(v)} must be a positive integer`, `${field}.${k}`);
    }
  }
  if (c.arch !== 'llama' && c.hidden % c.heads !== 0) {
    throw new UserInputError(`${field}.heads: ${c.heads} must divide hidden = ${c.hidden}`, `${field}.heads`);
  }
  if (!(c.layerNormEps > 0)) {
    throw new UserInputError(`${field}.layerNormEps: ${c.layerNormEps} must be > 0`, `${field}.layerNormEps`);
  }
  return c;
}
