/**
 * Load a Hugging Face model folder (`config.json`, `model.safetensors` or sharded
 * `model-0000i-of-0000n.safetensors` + `model.safetensors.index.json`, `tokenizer.json`) into a
 * `PretrainedModel` that the LoRA trainer and `airlora eval` use like the built-in ones.
 *
 * The size is checked from `config.json` alone, before any tensor is read: tfjs's wasm heap caps a
 * model at about 350M F32 parameters (4 GiB of 32-bit addresses for weights, activations and
 * gradients), so bigger models are refused with a clear message instead of an out-of-memory crash.
 *
 * A sequence classifier built from a checkpoint without a (matching) head — e.g. `bert-base-uncased`,
 * saved as BertForMaskedLM, fine-tuned on SST-2 — gets a fresh `classifier` (and `pooler` if absent)
 * drawn from the seed with BERT's initialisation (normal, std 0.02; zero bias), as Hugging Face does;
 * `initialized` lists them. Every other missing tensor is an error naming the file and the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../../errors.js';
import type { BertConfig, ModelConfig } from '../config.js';
import { countParameters, numel, parameterSpecs, type ParamSpec } from '../params.js';
import { initValues, type ModelWeights, type PretrainedModel } from '../weights.js';
import { parseHfConfig, type HfModelInfo } from './config.js';
import { bertMlmHeadSpecs, hfSource } from './params.js';
import { SafetensorsCheckpoint } from './safetensors.js';
import { HfTokenizer } from './tokenizer.js';

/** Largest model (parameters) airlora loads: tfjs-wasm's 4 GiB heap holds ~350M F32 weights plus working memory. */
export const MAX_PARAMETERS = 350_000_000;

export interface LoadHfOptions {
  /** What the model will do; default from `architectures` in config.json. 'classifier' needs a BERT. */
  task?: 'lm' | 'classifier' | 'masked-lm';
  /** Classes of a sequence classifier (default: the config's `id2label` / `num_labels`). */
  numLabels?: number;
  /** Seed of freshly initialised heads. */
  seed?: number;
  /** Override the size limit (tests). */
  maxParameters?: number;
}

export interface HfModel extends PretrainedModel {
  info: HfModelInfo;
  dir: string;
  hfTokenizer?: HfTokenizer;
  /** Parameters not in the checkpoint, initialised fresh (classification heads). */
  initialized: string[];
}

/** Does `dir` look like a Hugging Face model folder (a config.json with a model_type)? */
export function isHfModelFolder(dir: string): boolean {
  const p = join(dir, 'config.json');
  if (!existsSync(p)) return false;
  try {
    return typeof (JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>)['model_type'] === 'string';
  } catch {
    return false;
  }
}

/** Parse config.json of `dir` (and apply the task / label overrides) without reading weights. */
export function readHfConfig(dir: string, opts: LoadHfOptions = {}): HfModelInfo {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new UserInputError(`${dir}: no config.json (not a Hugging Face model folder)`, 'model.checkpoint');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UserInputError(`${path}: not valid JSON (${(e as Error).message})`, 'model.checkpoint');
  }
  const info = parseHfConfig(json, path);
  if (opts.task) {
    const want = opts.task === 'lm' ? 'causal-lm' : opts.task === 'classifier' ? 'sequence-classification' : 'masked-lm';
    const ok = info.config.arch === 'bert' ? want !== 'causal-lm' : want === 'causal-lm';
    if (!ok) throw new UserInputError(`${path}: a ${info.modelType} model cannot be used as a ${opts.task} model`, 'model.checkpoint');
    info.task = want;
  }
  if (info.config.arch === 'bert' && opts.numLabels !== undefined) (info.config as BertConfig).numLabels = opts.numLabels;
  const n = countParameters(info.config);
  const max = opts.maxParameters ?? MAX_PARAMETERS;
  if (n > max) {
    throw new UserInputError(
      `${path}: the model has ${(n / 1e6).toFixed(1)}M parameters; airlora's tfjs engine holds at most ${(max / 1e6).toFixed(0)}M in F32 (the wasm heap is 4 GiB). Use a smaller checkpoint`,
      'model.checkpoint',
    );
  }
  return info;
}

/** The parameters a task reads: the model's inventory, plus BERT's MLM head for masked LM. */
function specsFor(info: HfModelInfo): ParamSpec[] {
  const s = parameterSpecs(info.config);
  if (info.config.arch !== 'bert') return s;
  if (info.task === 'masked-lm') return [...s.filter((p) => p.module !== 'classifier' && p.module !== 'pooler.dense'), ...bertMlmHeadSpecs(info.config)];
  return s;
}

export function loadHfModel(dir: string, opts: LoadHfOptions = {}): HfModel {
  const info = readHfConfig(dir, opts);
  const ckpt = new SafetensorsCheckpoint(dir);
  const config: ModelConfig = info.config;
  const weights: ModelWeights = {};
  const initialized: string[] = [];
  const seed = opts.seed ?? 0;
  try {
    for (const spec of specsFor(info)) {
      const src = hfSource(config, spec);
      const key = src.keys.find((k) => ckpt.has(k));
      const want = src.transpose ? [...spec.shape].reverse() : spec.shape;
      const fresh = info.task === 'sequence-classification' && (spec.module === 'classifier' || spec.module === 'pooler.dense');
      if (key === undefined || (fresh && spec.module === 'classifier' && !sameShape(ckpt.entry(key)!.shape, want))) {
        if (!fresh) throw new UserInputError(`${ckpt.description}: missing tensor '${src.keys[0]}' (needed for ${spec.name})`, 'model.checkpoint');
        weights[spec.name] = tf.tensor(initValues(spec, seed), spec.shape, 'float32');
        initialized.push(spec.name);
        continue;
      }
      const { shape, data } = ckpt.get(key);
      if (!sameShape(shape, want)) {
        throw new UserInputError(`${ckpt.description}: tensor '${key}' has shape [${shape.join(', ')}], config.json implies [${want.join(', ')}]`, 'model.checkpoint');
      }
      weights[spec.name] = tf.tensor(src.transpose ? transpose2d(data, shape[0]!, shape[1]!) : data, spec.shape, 'float32');
    }
  } catch (e) {
    for (const t of Object.values(weights)) t.dispose();
    throw e;
  }
  const hfTokenizer = existsSync(join(dir, 'tokenizer.json')) ? HfTokenizer.fromFolder(dir) : undefined;
  return {
    config, weights, info, dir, initialized, ...(hfTokenizer ? { hfTokenizer } : {}),
    metadata: { source: 'huggingface', dir, modelType: info.modelType, task: info.task, initialized, parameters: specsFor(info).reduce((a, p) => a + numel(p.shape), 0) },
  };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Row-major [rows, cols] → [cols, rows]. */
export function transpose2d(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[o + c]!;
  }
  return out;
}
