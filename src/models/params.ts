/**
 * Parameter inventory of a model, from its configuration alone (no allocation).
 *
 * Every parameter is `<module>.<suffix>`: linears have `.kernel` [in, out] and `.bias` [out],
 * layer norms `.gamma`/`.beta` [d], embeddings `.table` [rows, d]. The same list drives weight
 * initialisation, checkpoint layout (in this order) and `airlora inspect`.
 */
import type { BertConfig, GptConfig, ModelConfig } from './config.js';
import { gpt2Specs, llamaSpecs } from './hf/params.js';

import type { ParamSpec } from './param-spec.js';

export type { ParamKind, ParamSpec } from './param-spec.js';

/** A linear layer `y = x·kernel + bias`: the unit LoRA adapts. */
export interface LinearSpec {
  module: string;
  in: number;
  out: number;
}

const STD = 0.02;

function linear(specs: ParamSpec[], module: string, inDim: number, outDim: number, std = STD): void {
  specs.push({ name: `${module}.kernel`, module, kind: 'linear', shape: [inDim, outDim], init: { type: 'normal', std } });
  specs.push({ name: `${module}.bias`, module, kind: 'linear', shape: [outDim], init: { type: 'zeros' } });
}

function layerNorm(specs: ParamSpec[], module: string, d: number): void {
  specs.push({ name: `${module}.gamma`, module, kind: 'layernorm', shape: [d], init: { type: 'ones' } });
  specs.push({ name: `${module}.beta`, module, kind: 'layernorm', shape: [d], init: { type: 'zeros' } });
}

function embedding(specs: ParamSpec[], module: string, rows: number, d: number): void {
  specs.push({ name: `${module}.table`, module, kind: 'embedding', shape: [rows, d], init: { type: 'normal', std: STD } });
}

function gptSpecs(c: GptConfig): ParamSpec[] {
  const s: ParamSpec[] = [];
  const d = c.hidden;
  // GPT-2: residual projections scaled by 1/sqrt(2L) so the residual stream's variance stays O(1).
  const resStd = STD / Math.sqrt(2 * c.layers);
  embedding(s, 'wte', c.vocabSize, d);
  embedding(s, 'wpe', c.maxPositions, d);
  for (let l = 0; l < c.layers; l++) {
    const p = `h.${l}`;
    layerNorm(s, `${p}.ln_1`, d);
    linear(s, `${p}.attn.query`, d, d);
    linear(s, `${p}.attn.key`, d, d);
    linear(s, `${p}.attn.value`, d, d);
    linear(s, `${p}.attn.dense`, d, d, resStd);
    layerNorm(s, `${p}.ln_2`, d);
    linear(s, `${p}.mlp.fc`, d, c.intermediate);
    linear(s, `${p}.mlp.proj`, c.intermediate, d, resStd);
  }
  layerNorm(s, 'ln_f', d);
  if (!c.tieEmbeddings) linear(s, 'lm_head', d, c.vocabSize);
  return s;
}

function bertSpecs(c: BertConfig): ParamSpec[] {
  const s: ParamSpec[] = [];
  const d = c.hidden;
  embedding(s, 'embeddings.word_embeddings', c.vocabSize, d);
  embedding(s, 'embeddings.position_embeddings', c.maxPositions, d);
  embedding(s, 'embeddings.token_type_embeddings', c.typeVocabSize, d);
  layerNorm(s, 'embeddings.LayerNorm', d);
  for (let l = 0; l < c.layers; l++) {
    const p = `encoder.layer.${l}`;
    linear(s, `${p}.attention.self.query`, d, d);
    linear(s, `${p}.attention.self.key`, d, d);
    linear(s, `${p}.attention.self.value`, d, d);
    linear(s, `${p}.attention.output.dense`, d, d);
    layerNorm(s, `${p}.attention.output.LayerNorm`, d);
    linear(s, `${p}.intermediate.dense`, d, c.intermediate);
    linear(s, `${p}.output.dense`, c.intermediate, d);
    layerNorm(s, `${p}.output.LayerNorm`, d);
  }
  linear(s, 'pooler.dense', d, d);
  linear(s, 'classifier', d, c.numLabels);
  return s;
}

/** All parameters of the model, in canonical (checkpoint) order. */
export function parameterSpecs(c: ModelConfig): ParamSpec[] {
  switch (c.arch) {
    case 'gpt': return gptSpecs(c);
    case 'bert': return bertSpecs(c);
    case 'gpt2': return gpt2Specs(c);
    case 'llama': return llamaSpecs(c);
  }
}

/** The linear layers (LoRA candidates), in canonical order. */
export function linearModules(c: ModelConfig): LinearSpec[] {
  const out: LinearSpec[] = [];
  for (const p of parameterSpecs(c)) {
    if (p.kind === 'linear' && p.name.endsWith('.kernel')) out.push({ module: p.module, in: p.shape[0]!, out: p.shape[1]! });
  }
  return out;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Total parameter count; `excludeHead` drops the BERT classification head (the "base model" count). */
export function countParameters(c: ModelConfig, opts: { excludeHead?: boolean } = {}): number {
  let n = 0;
  for (const p of parameterSpecs(c)) {
    if (opts.excludeHead && p.module === 'classifier') continue;
    n += numel(p.shape);
  }
  return n;
}
