/**
 * LoRA adapters in PEFT's on-disk format, so `PeftModel.from_pretrained(base, DIR)` loads what airlora
 * trained and airlora loads what PEFT trained:
 *  - `adapter_config.json`: `peft_type: "LORA"`, `r`, `lora_alpha`, `target_modules`, `lora_dropout`,
 *    `fan_in_fan_out` (true for GPT-2, whose Conv1D stores weights [in, out]), `task_type`, `bias: "none"`.
 *  - `adapter_model.safetensors` (F32): for every adapted module M (its path in the HF model, e.g.
 *    `transformer.h.0.attn.c_attn`, `bert.encoder.layer.0.attention.self.query`)
 *    `base_model.model.M.lora_A.weight` [r, in] and `base_model.model.M.lora_B.weight` [out, r].
 *    airlora's A [in, r] and B [r, out] are their transposes; the update is (α/r)·B·A in PEFT's
 *    [out, in] convention, x·A·B in airlora's [in, out] one — the same map.
 *  - a classifier's head (`classifier`, frozen in airlora but not part of the base checkpoint when the
 *    head was freshly initialised) is saved as a `modules_to_save` entry, `base_model.model.classifier.weight`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig } from '../models/config.js';
import { isCausalLm } from '../models/config.js';
import { hfModuleName } from '../models/hf/params.js';
import { targetMatches } from './config.js';
import { SafetensorsFile, writeSafetensors, type TensorToWrite } from '../models/hf/safetensors.js';
import { transpose2d } from '../models/hf/load.js';
import { UserInputError } from '../errors.js';
import type { BatchedLora } from './batched.js';
import type { LoraConfig } from './config.js';
import type { PretrainedModel } from '../models/weights.js';

export const PEFT_CONFIG_FILE = 'adapter_config.json';
export const PEFT_WEIGHTS_FILE = 'adapter_model.safetensors';

/** One adapted module's factors in airlora's layout. */
export interface LoraFactors {
  /** airlora module name (e.g. `encoder.layer.0.attention.self.query`). */
  module: string;
  in: number;
  out: number;
  /** [in, r] row-major. */
  A: Float32Array;
  /** [r, out] row-major. */
  B: Float32Array;
}

export interface PeftAdapter {
  lora: Pick<LoraConfig, 'r' | 'lora_alpha' | 'target_modules' | 'lora_dropout'>;
  fanInFanOut: boolean;
  /** Keyed by the module's HF path (what follows `base_model.model.`). */
  modules: Map<string, Omit<LoraFactors, 'module'> & { module: string }>;
  /** Extra full tensors (modules_to_save), by HF key without `base_model.model.`, HF layout. */
  extra: Map<string, { shape: number[]; data: Float32Array }>;
  config: Record<string, unknown>;
}

export interface WritePeftOptions {
  lora: LoraConfig;
  model: ModelConfig;
  factors: LoraFactors[];
  /** `base_model_name_or_path` (the checkpoint folder). */
  baseModel?: string;
  /** Full tensors to save with the adapter (modules_to_save), airlora names → [in, out] kernels / biases. */
  modulesToSave?: { module: string; kernel: { in: number; out: number; data: Float32Array }; bias?: Float32Array }[];
}

/** Write `adapter_config.json` and `adapter_model.safetensors` into `dir` (created if absent). */
export function writePeftAdapter(dir: string, o: WritePeftOptions): void {
  mkdirSync(dir, { recursive: true });
  const r = o.lora.r;
  const tensors: TensorToWrite[] = [];
  for (const f of o.factors) {
    if (f.A.length !== f.in * r || f.B.length !== r * f.out) {
      throw new UserInputError(`peft: module ${f.module}: A has ${f.A.length} values, B ${f.B.length}; r = ${r}, in = ${f.in}, out = ${f.out}`, 'lora');
    }
    const m = hfModuleName(o.model, f.module);
    tensors.push({ name: `base_model.model.${m}.lora_A.weight`, shape: [r, f.in], data: transpose2d(f.A, f.in, r) });
    tensors.push({ name: `base_model.model.${m}.lora_B.weight`, shape: [f.out, r], data: transpose2d(f.B, r, f.out) });
  }
  const save: string[] = [];
  for (const s of o.modulesToSave ?? []) {
    const m = hfModuleName(o.model, s.module);
    save.push(m.split('.').pop()!);
    tensors.push({ name: `base_model.model.${m}.weight`, shape: [s.kernel.out, s.kernel.in], data: transpose2d(s.kernel.data, s.kernel.in, s.kernel.out) });
    if (s.bias) tensors.push({ name: `base_model.model.${m}.bias`, shape: [s.bias.length], data: s.bias });
  }
  writeSafetensors(join(dir, PEFT_WEIGHTS_FILE), tensors, { metadata: { format: 'pt' } });
  const config = {
    peft_type: 'LORA',
    task_type: isCausalLm(o.model) ? 'CAUSAL_LM' : 'SEQ_CLS',
    base_model_name_or_path: o.baseModel ?? null,
    r,
    lora_alpha: o.lora.lora_alpha,
    lora_dropout: o.lora.lora_dropout,
    target_modules: peftTargets(o.lora.target_modules, o.factors.map((f) => f.module), o.model),
    fan_in_fan_out: o.model.arch === 'gpt2',
    bias: 'none',
    modules_to_save: save.length ? save : null,
    init_lora_weights: true,
    inference_mode: true,
    use_rslora: false,
    use_dora: false,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    revision: null,
  };
  writeFileSync(join(dir, PEFT_CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

/**
 * `target_modules` as PEFT matches them (a name equal to a module's path or a suffix after a dot):
 * airlora's suffix targets carry over as they are (`c_attn`, `query`, `dense`); modules that a target
 * selects only by airlora's prefix rule (`pooler` → `pooler.dense`) are listed by their full HF path
 * (`bert.pooler.dense`), since PEFT would otherwise try to adapt the BertPooler container itself.
 */
export function peftTargets(targets: readonly string[], adapted: readonly string[], model: ModelConfig): string[] {
  const out: string[] = [];
  for (const t of targets) {
    const bySuffix = adapted.filter((m) => m === t || m.endsWith(`.${t}`));
    if (bySuffix.length) out.push(t);
    for (const m of adapted) if (!bySuffix.includes(m) && targetMatches(m, t)) out.push(hfModuleName(model, m));
  }
  return [...new Set(out)];
}

/** The factors of one client of a batched model (A shared when frozen), ready for `writePeftAdapter`. */
export function clientFactors(model: BatchedLora, client = 0, flat?: Float32Array): LoraFactors[] {
  const v = flat ?? model.getAdapters(client);
  const r = model.lora.r;
  const blocks = model.adapterLayout();
  return model.adaptedModules().map((module) => {
    const bA = blocks.find((b) => b.module === module && b.factor === 'A');
    const bB = blocks.find((b) => b.module === module && b.factor === 'B')!;
    const out = bB.shape[1]!;
    let A: Float32Array, inDim: number;
    if (bA) {
      inDim = bA.shape[0]!;
      A = v.slice(bA.offset, bA.offset + inDim * r);
    } else {
      const shared = model.adapter(module)!.A;
      inDim = shared.shape[0]!;
      A = Float32Array.from(shared.dataSync() as Float32Array);
    }
    return { module, in: inDim, out, A, B: v.slice(bB.offset, bB.offset + r * out) };
  });
}

/**
 * The classification head to save with a classifier's adapter (`modules_to_save`): airlora keeps the
 * head frozen, and when the checkpoint had none it was drawn fresh from the seed, so the adapter must
 * carry it for `PeftModel.from_pretrained` to rebuild the same model. Empty for causal LMs.
 */
export function peftModulesToSave(base: PretrainedModel): NonNullable<WritePeftOptions['modulesToSave']> {
  if (base.config.arch !== 'bert') return [];
  const k = base.weights['classifier.kernel'], b = base.weights['classifier.bias'];
  if (!k) return [];
  return [{
    module: 'classifier', kernel: { in: k.shape[0]!, out: k.shape[1]!, data: Float32Array.from(k.dataSync() as Float32Array) },
    ...(b ? { bias: Float32Array.from(b.dataSync() as Float32Array) } : {}),
  }];
}

/**
 * Write the adapter of a trained batched model in PEFT's format: client `client`'s factors, or the
 * flat vector `flat` (e.g. the global aggregate) in the model's layout; the head of a classifier is
 * saved with it. `baseModel` is recorded as `base_model_name_or_path`.
 */
export function writeModelAdapter(dir: string, model: BatchedLora, opts: { client?: number; flat?: Float32Array; baseModel?: string } = {}): void {
  writePeftAdapter(dir, {
    lora: model.lora, model: model.base.config, factors: clientFactors(model, opts.client ?? 0, opts.flat),
    modulesToSave: peftModulesToSave(model.base), ...(opts.baseModel !== undefined ? { baseModel: opts.baseModel } : {}),
  });
}

/** Read a PEFT LoRA folder (LORA only; no bias adapters, DoRA or per-layer rank patterns). */
export function readPeftAdapter(dir: string): PeftAdapter {
  const cfgPath = join(dir, PEFT_CONFIG_FILE);
  if (!existsSync(cfgPath)) throw new UserInputError(`${dir}: no ${PEFT_CONFIG_FILE} (not a PEFT adapter folder)`, '--adapter');
  const config = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
  if (config['peft_type'] !== 'LORA') throw new UserInputError(`${cfgPath}: peft_type '${String(config['peft_type'])}' is not supported; supported: LORA`, '--adapter');
  if (config['use_dora'] === true) throw new UserInputError(`${cfgPath}: DoRA adapters are not supported`, '--adapter');
  for (const k of ['rank_pattern', 'alpha_pattern']) {
    const p = config[k];
    if (p && typeof p === 'object' && Object.keys(p).length) throw new UserInputError(`${cfgPath}: ${k} is not supported (one r and lora_alpha for every module)`, '--adapter');
  }
  const r = Number(config['r']);
  const alpha = Number(config['lora_alpha']);
  if (!(Number.isInteger(r) && r > 0) || !(alpha > 0)) throw new UserInputError(`${cfgPath}: r = ${String(config['r'])}, lora_alpha = ${String(config['lora_alpha'])} must be positive`, '--adapter');
  const tm = config['target_modules'];
  const target_modules = Array.isArray(tm) ? tm.map(String) : typeof tm === 'string' ? [tm] : [];
  const f = new SafetensorsFile(join(dir, PEFT_WEIGHTS_FILE));
  const modules = new Map<string, LoraFactors>();
  const extra = new Map<string, { shape: number[]; data: Float32Array }>();
  const strip = (k: string) => k.replace(/^base_model\.model\./, '');
  for (const key of f.entries.keys()) {
    const m = /^(?:base_model\.model\.)?(.+)\.lora_A(?:\.default)?\.weight$/.exec(key);
    if (!m) {
      if (!/\.lora_B(?:\.default)?\.weight$/.test(key)) extra.set(strip(key), f.read(key));
      continue;
    }
    const mod = m[1]!;
    const bKey = key.replace('.lora_A', '.lora_B');
    if (!f.entries.has(bKey)) throw new UserInputError(`${f.path}: '${key}' has no matching '${bKey}'`, '--adapter');
    const a = f.read(key), b = f.read(bKey);
    if (a.shape.length !== 2 || b.shape.length !== 2 || a.shape[0] !== r || b.shape[1] !== r) {
      throw new UserInputError(`${f.path}: ${key} [${a.shape.join(', ')}] / lora_B [${b.shape.join(', ')}] must be [r, in] / [out, r] with r = ${r}`, '--adapter');
    }
    const inDim = a.shape[1]!, out = b.shape[0]!;
    modules.set(strip(mod), { module: strip(mod), in: inDim, out, A: transpose2d(a.data, r, inDim), B: transpose2d(b.data, out, r) });
  }
  if (!modules.size) throw new UserInputError(`${f.path}: no lora_A / lora_B tensors`, '--adapter');
  return {
    lora: { r, lora_alpha: alpha, target_modules, lora_dropout: Number(config['lora_dropout'] ?? 0) },
    fanInFanOut: config['fan_in_fan_out'] === true, modules, extra, config,
  };
}

/**
 * Put a read adapter into every client of `model` (built with the adapter's r, lora_alpha and
 * target_modules): each adapted module must be in the adapter with matching shapes.
 */
export function applyPeftAdapter(model: BatchedLora, adapter: PeftAdapter): void {
  if (model.lora.r !== adapter.lora.r) throw new UserInputError(`--adapter: r = ${adapter.lora.r}, the model was built with r = ${model.lora.r}`, '--adapter');
  if (!model.trainA) throw new UserInputError('--adapter: loading into a model with frozen A is not supported', '--adapter');
  const flat = new Float32Array(model.adapterSize);
  for (const b of model.adapterLayout()) {
    const name = hfModuleName(model.base.config, b.module);
    const f = adapter.modules.get(name);
    if (!f) throw new UserInputError(`--adapter: no lora_A / lora_B for module '${name}' (adapter has ${[...adapter.modules.keys()].slice(0, 4).join(', ')}, ...)`, '--adapter');
    const want = b.factor === 'A' ? f.in * adapter.lora.r : adapter.lora.r * f.out;
    if (b.shape[0]! * b.shape[1]! !== want) throw new UserInputError(`--adapter: module '${name}' ${b.factor} has shape mismatch with the model`, '--adapter');
    flat.set(b.factor === 'A' ? f.A : f.B, b.offset);
  }
  model.setAllAdapters(flat);
}
