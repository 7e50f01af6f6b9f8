/**
 * Parameter inventories of the Hugging Face architectures, with HF's own module names so that PEFT
 * `target_modules` (`c_attn`, `q_proj`, …) select the same layers, and the map from each airlora
 * parameter to the safetensors key(s) it is read from.
 *
 * airlora stores linears as `<module>.kernel` [in, out] (+ `.bias`), norms as `.gamma` (+ `.beta`),
 * embeddings as `.table`. HF stores `nn.Linear.weight` as [out, in] (transposed on load), GPT-2's
 * Conv1D `weight` as [in, out] (as is), LayerNorm as `weight`/`bias` (old BERT files: `gamma`/`beta`).
 */
import type { BertConfig, ModelConfig } from '../config.js';
import type { ParamSpec } from '../param-spec.js';
import type { Gpt2Config, LlamaConfig } from './types.js';

const STD = 0.02;

function lin(s: ParamSpec[], module: string, i: number, o: number, bias: boolean): void {
  s.push({ name: `${module}.kernel`, module, kind: 'linear', shape: [i, o], init: { type: 'normal', std: STD } });
  if (bias) s.push({ name: `${module}.bias`, module, kind: 'linear', shape: [o], init: { type: 'zeros' } });
}

function norm(s: ParamSpec[], module: string, d: number, beta: boolean): void {
  s.push({ name: `${module}.gamma`, module, kind: 'layernorm', shape: [d], init: { type: 'ones' } });
  if (beta) s.push({ name: `${module}.beta`, module, kind: 'layernorm', shape: [d], init: { type: 'zeros' } });
}

function emb(s: ParamSpec[], module: string, rows: number, d: number): void {
  s.push({ name: `${module}.table`, module, kind: 'embedding', shape: [rows, d], init: { type: 'normal', std: STD } });
}

export function gpt2Specs(c: Gpt2Config): ParamSpec[] {
  const s: ParamSpec[] = [];
  const d = c.hidden;
  emb(s, 'transformer.wte', c.vocabSize, d);
  emb(s, 'transformer.wpe', c.maxPositions, d);
  for (let l = 0; l < c.layers; l++) {
    const p = `transformer.h.${l}`;
    norm(s, `${p}.ln_1`, d, true);
    lin(s, `${p}.attn.c_attn`, d, 3 * d, true);
    lin(s, `${p}.attn.c_proj`, d, d, true);
    norm(s, `${p}.ln_2`, d, true);
    lin(s, `${p}.mlp.c_fc`, d, c.intermediate, true);
    lin(s, `${p}.mlp.c_proj`, c.intermediate, d, true);
  }
  norm(s, 'transformer.ln_f', d, true);
  return s;
}

export function llamaSpecs(c: LlamaConfig): ParamSpec[] {
  const s: ParamSpec[] = [];
  const d = c.hidden;
  const q = c.heads * c.headDim, kv = c.kvHeads * c.headDim;
  emb(s, 'model.embed_tokens', c.vocabSize, d);
  for (let l = 0; l < c.layers; l++) {
    const p = `model.layers.${l}`;
    norm(s, `${p}.input_layernorm`, d, false);
    lin(s, `${p}.self_attn.q_proj`, d, q, c.qkvBias);
    lin(s, `${p}.self_attn.k_proj`, d, kv, c.qkvBias);
    lin(s, `${p}.self_attn.v_proj`, d, kv, c.qkvBias);
    lin(s, `${p}.self_attn.o_proj`, q, d, c.oBias);
    norm(s, `${p}.post_attention_layernorm`, d, false);
    lin(s, `${p}.mlp.gate_proj`, d, c.intermediate, c.mlpBias);
    lin(s, `${p}.mlp.up_proj`, d, c.intermediate, c.mlpBias);
    lin(s, `${p}.mlp.down_proj`, c.intermediate, d, c.mlpBias);
  }
  norm(s, 'model.norm', d, false);
  if (!c.tieEmbeddings) lin(s, 'lm_head', d, c.vocabSize, false);
  return s;
}

/** BERT's masked-LM head (BertForMaskedLM's `cls.predictions`; the decoder is tied to the word embeddings). */
export function bertMlmHeadSpecs(c: BertConfig): ParamSpec[] {
  const s: ParamSpec[] = [];
  lin(s, 'cls.predictions.transform.dense', c.hidden, c.hidden, true);
  norm(s, 'cls.predictions.transform.LayerNorm', c.hidden, true);
  s.push({ name: 'cls.predictions.bias', module: 'cls.predictions', kind: 'linear', shape: [c.vocabSize], init: { type: 'zeros' } });
  return s;
}

/** The module's path in the HF model (what PEFT names it): BERT's body sits under `bert.`. */
export function hfModuleName(c: ModelConfig, module: string): string {
  if (c.arch === 'bert' && module !== 'classifier' && !module.startsWith('cls.')) return `bert.${module}`;
  return module;
}

/** The inverse of `hfModuleName`: an HF module path (as PEFT names it) → airlora's module name. */
export function airloraModuleName(c: ModelConfig, hfModule: string): string {
  return c.arch === 'bert' && hfModule.startsWith('bert.') ? hfModule.slice('bert.'.length) : hfModule;
}

/** Where a parameter comes from in a safetensors file: candidate keys, and whether to transpose [out, in]. */
export interface HfSource {
  keys: string[];
  transpose: boolean;
}

/** Candidate safetensors keys for an airlora parameter (with and without the model-class prefix). */
export function hfSource(c: ModelConfig, spec: ParamSpec): HfSource {
  const full = hfModuleName(c, spec.module);
  const prefix = c.arch === 'gpt2' ? 'transformer.' : c.arch === 'llama' ? 'model.' : c.arch === 'bert' ? 'bert.' : '';
  const modules = prefix && full.startsWith(prefix) ? [full, full.slice(prefix.length)] : [full];
  const suffix = spec.name.slice(spec.module.length + 1);
  const names: string[] = [];
  for (const m of modules) {
    if (spec.name === 'cls.predictions.bias') names.push('cls.predictions.bias', 'cls.predictions.decoder.bias');
    else if (suffix === 'kernel' || suffix === 'table') names.push(`${m}.weight`);
    else if (suffix === 'bias') names.push(`${m}.bias`);
    else if (suffix === 'gamma') names.push(`${m}.weight`, `${m}.gamma`);
    else if (suffix === 'beta') names.push(`${m}.bias`, `${m}.beta`);
  }
  // GPT-2's Conv1D layers store [in, out] already; every nn.Linear stores [out, in].
  const transpose = suffix === 'kernel' && c.arch !== 'gpt2';
  return { keys: [...new Set(names)], transpose };
}
