/**
 * Hugging Face `config.json` → airlora model configuration.
 *
 * Supported `model_type`s and how they map:
 *  - `gpt2` → `Gpt2Config` (arch 'gpt2'): HF's own module names (`transformer.h.0.attn.c_attn`, fused
 *    Q/K/V Conv1D), tied head, `gelu_new`.
 *  - `llama`, `qwen2`, `mistral` → `LlamaConfig` (arch 'llama'): RMSNorm, rotary embeddings
 *    (rotate-half, `rope_theta`, optional `linear` / `llama3` scaling), SwiGLU MLP, grouped-query
 *    attention, q/k/v (and o) biases as the model type says, tied or untied head.
 *  - `bert` → the existing `BertConfig` (arch 'bert'), whose module names already are HF's without the
 *    `bert.` prefix; `hiddenAct` selects the exact (erf) GELU that HF's `gelu` means.
 * The task comes from `architectures[0]` (…ForCausalLM / LMHeadModel, …ForSequenceClassification,
 * …ForMaskedLM) or the caller.
 */
import { UserInputError } from '../../errors.js';
import type { BertConfig, ModelConfig } from '../config.js';
import type { Gpt2Config, LlamaConfig, RopeScaling } from './types.js';

export type { Gpt2Config, LlamaConfig, RopeScaling } from './types.js';

export type HfTask = 'causal-lm' | 'sequence-classification' | 'masked-lm';

export interface HfModelInfo {
  modelType: 'gpt2' | 'llama' | 'qwen2' | 'mistral' | 'bert';
  task: HfTask;
  config: ModelConfig;
  /** `id2label` in label order, when the config has one. */
  labels?: string[];
}

export const HF_MODEL_TYPES = ['gpt2', 'llama', 'qwen2', 'mistral', 'bert'] as const;

type Json = Record<string, unknown>;

function num(c: Json, file: string, key: string, dflt?: number): number {
  const v = c[key];
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new UserInputError(`${file}: missing '${key}'`, 'model.checkpoint');
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserInputError(`${file}: '${key}' = ${JSON.stringify(v)} is not a number`, 'model.checkpoint');
  return v;
}

function bool(c: Json, key: string, dflt: boolean): boolean {
  const v = c[key];
  return typeof v === 'boolean' ? v : dflt;
}

function taskOf(c: Json, modelType: string, file: string): HfTask {
  const arch = Array.isArray(c['architectures']) ? String(c['architectures'][0] ?? '') : '';
  if (/ForSequenceClassification$/.test(arch)) return 'sequence-classification';
  if (/ForMaskedLM$|ForPreTraining$/.test(arch)) return 'masked-lm';
  if (/ForCausalLM$|LMHeadModel$/.test(arch)) return 'causal-lm';
  if (arch && !/Model$/.test(arch)) {
    throw new UserInputError(`${file}: architectures[0] = '${arch}' is not supported; supported: *ForCausalLM, GPT2LMHeadModel, BertForSequenceClassification, BertForMaskedLM`, 'model.checkpoint');
  }
  return modelType === 'bert' ? 'masked-lm' : 'causal-lm';
}

/** Parse a `config.json` object read from `file` (named in errors). */
export function parseHfConfig(c: Json, file: string): HfModelInfo {
  const modelType = c['model_type'];
  if (typeof modelType !== 'string' || !(HF_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new UserInputError(
      `${file}: model_type '${String(modelType)}' is not supported; supported: ${HF_MODEL_TYPES.join(', ')}`,
      'model.checkpoint',
    );
  }
  const task = taskOf(c, modelType, file);
  const id2label = c['id2label'] as Record<string, string> | undefined;
  const labels = id2label && typeof id2label === 'object'
    ? Object.keys(id2label).sort((a, b) => Number(a) - Number(b)).map((k) => String(id2label[k]))
    : undefined;
  if (modelType === 'gpt2') {
    if (task !== 'causal-lm') throw new UserInputError(`${file}: gpt2 is supported as a causal LM only (got ${task})`, 'model.checkpoint');
    const act = String(c['activation_function'] ?? 'gelu_new');
    if (act !== 'gelu_new' && act !== 'gelu') throw new UserInputError(`${file}: activation_function '${act}' is not supported; supported: gelu_new, gelu`, 'model.checkpoint');
    if (c['scale_attn_by_inverse_layer_idx'] === true || c['scale_attn_weights'] === false) {
      throw new UserInputError(`${file}: non-standard GPT-2 attention scaling (scale_attn_by_inverse_layer_idx / scale_attn_weights) is not supported`, 'model.checkpoint');
    }
    const hidden = num(c, file, 'n_embd');
    const cfg: Gpt2Config = {
      arch: 'gpt2', vocabSize: num(c, file, 'vocab_size'), maxPositions: num(c, file, 'n_positions'), hidden,
      layers: num(c, file, 'n_layer'), heads: num(c, file, 'n_head'), intermediate: num(c, file, 'n_inner', 4 * hidden),
      layerNormEps: num(c, file, 'layer_norm_epsilon', 1e-5), hiddenAct: act,
    };
    return { modelType, task, config: cfg, labels };
  }
  if (modelType === 'bert') {
    if (task === 'causal-lm') throw new UserInputError(`${file}: bert is supported for sequence classification and masked LM (got ${task})`, 'model.checkpoint');
    const act = String(c['hidden_act'] ?? 'gelu');
    if (act !== 'gelu' && act !== 'gelu_new') throw new UserInputError(`${file}: hidden_act '${act}' is not supported; supported: gelu, gelu_new`, 'model.checkpoint');
    const pe = c['position_embedding_type'];
    if (pe !== undefined && pe !== 'absolute') throw new UserInputError(`${file}: position_embedding_type '${String(pe)}' is not supported; supported: absolute`, 'model.checkpoint');
    const cfg: BertConfig = {
      arch: 'bert', vocabSize: num(c, file, 'vocab_size'), maxPositions: num(c, file, 'max_position_embeddings'),
      typeVocabSize: num(c, file, 'type_vocab_size', 2), hidden: num(c, file, 'hidden_size'), layers: num(c, file, 'num_hidden_layers'),
      heads: num(c, file, 'num_attention_heads'), intermediate: num(c, file, 'intermediate_size'),
      numLabels: labels?.length ?? num(c, file, 'num_labels', 2), layerNormEps: num(c, file, 'layer_norm_eps', 1e-12), hiddenAct: act,
    };
    return { modelType, task, config: cfg, labels };
  }
  // Llama family.
  if (task !== 'causal-lm') throw new UserInputError(`${file}: ${modelType} is supported as a causal LM only (got ${task})`, 'model.checkpoint');
  const act = String(c['hidden_act'] ?? 'silu');
  if (act !== 'silu') throw new UserInputError(`${file}: hidden_act '${act}' is not supported; supported: silu`, 'model.checkpoint');
  const hidden = num(c, file, 'hidden_size');
  const heads = num(c, file, 'num_attention_heads');
  const rope = (c['rope_parameters'] as Json | undefined) ?? undefined;
  const ropeTheta = num(c, file, 'rope_theta', rope ? num(rope, file, 'rope_theta', 10000) : 10000);
  const rs = (c['rope_scaling'] as Json | null | undefined) ?? (rope && rope['rope_type'] !== 'default' ? rope : null);
  let ropeScaling: RopeScaling | undefined;
  if (rs) {
    const type = String(rs['rope_type'] ?? rs['type']);
    if (type === 'linear') ropeScaling = { type, factor: num(rs, file, 'factor') };
    else if (type === 'llama3') {
      ropeScaling = {
        type, factor: num(rs, file, 'factor'), lowFreqFactor: num(rs, file, 'low_freq_factor'), highFreqFactor: num(rs, file, 'high_freq_factor'),
        originalMaxPositions: num(rs, file, 'original_max_position_embeddings'),
      };
    } else if (type !== 'default') {
      throw new UserInputError(`${file}: rope_scaling type '${type}' is not supported; supported: linear, llama3`, 'model.checkpoint');
    }
  }
  const attnBias = bool(c, 'attention_bias', false);
  const cfg: LlamaConfig = {
    arch: 'llama', modelType: modelType as LlamaConfig['modelType'],
    vocabSize: num(c, file, 'vocab_size'), maxPositions: num(c, file, 'max_position_embeddings'), hidden,
    layers: num(c, file, 'num_hidden_layers'), heads, kvHeads: num(c, file, 'num_key_value_heads', heads),
    headDim: num(c, file, 'head_dim', hidden / heads), intermediate: num(c, file, 'intermediate_size'),
    layerNormEps: num(c, file, 'rms_norm_eps', 1e-6), ropeTheta, ...(ropeScaling ? { ropeScaling } : {}),
    qkvBias: modelType === 'qwen2' ? true : attnBias, oBias: modelType === 'llama' ? attnBias : false,
    mlpBias: modelType === 'llama' ? bool(c, 'mlp_bias', false) : false,
    tieEmbeddings: bool(c, 'tie_word_embeddings', false),
  };
  if (!Number.isInteger(cfg.headDim) || cfg.heads % cfg.kvHeads !== 0) {
    throw new UserInputError(`${file}: num_attention_heads ${heads} must be a multiple of num_key_value_heads ${cfg.kvHeads}, and head_dim an integer`, 'model.checkpoint');
  }
  return { modelType: modelType as HfModelInfo['modelType'], task, config: cfg, labels };
}
