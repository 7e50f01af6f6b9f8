/**
 * `airlora eval`: a model (optionally with a PEFT adapter) on a local file.
 *
 * Causal LM: the file's text (a `.txt`, or the `text` fields of JSONL / JSON / CSV / TSV / Parquet
 * records joined by newlines) is tokenised as a whole without special tokens and cut into consecutive
 * non-overlapping chunks of `seqLen` tokens (the last, shorter chunk counts when it has ≥ 2 tokens);
 * each chunk predicts its tokens 2..n from the prefix. `loss` = mean next-token cross-entropy over all
 * `tokens` predicted, `perplexity` = exp(loss).
 * Sequence classifier: GLUE-style records (`sentence` or `sentence1` + `sentence2`, `label`) through
 * the tokenizer's post-processor, truncated to `seqLen`. `loss`, `accuracy`, `examples`, and `f1` of
 * class 1 for two classes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { UserInputError, NumericalError } from '../../errors.js';
import { isCausalLm, type BertConfig } from '../config.js';
import { bertLogits } from '../bert.js';
import { softmaxCrossEntropy } from '../loss.js';
import type { LinearFn } from '../layers.js';
import type { PretrainedModel } from '../weights.js';
import { causalLmLogits } from './causal.js';
import { loadLocalDataset, labelIndex } from '../../data/local/examples.js';
import { airloraTextTokenizer, type TextTokenizer } from '../../data/local/text-tokenizer.js';
import { Tokenizer, type TokenizerJSON } from '../../data/tokenizer.js';
import { loadCheckpoint } from '../checkpoint.js';
import { createLoraModel } from '../../lora/batched.js';
import { applyPeftAdapter, readPeftAdapter } from '../../lora/peft.js';
import { isHfModelFolder, loadHfModel, transpose2d } from './load.js';
import { airloraModuleName, hfModuleName } from './params.js';

export interface LmEvalResult { loss: number; perplexity: number; tokens: number }
export interface ClassifierEvalResult { loss: number; accuracy: number; examples: number; f1?: number }

const CHUNKS_PER_BATCH = 8;

/** Token ids → consecutive chunks of `seqLen` (a final chunk of ≥ 2 tokens included). */
export function lmChunks(ids: number[], seqLen: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < ids.length; s += seqLen) {
    const c = ids.slice(s, s + seqLen);
    if (c.length >= 2) out.push(c);
  }
  return out;
}

export function evalCausalLm(model: PretrainedModel, ids: number[], seqLen: number, linear?: LinearFn): LmEvalResult {
  const cfg = model.config;
  if (!isCausalLm(cfg)) throw new UserInputError(`eval: a ${cfg.arch} model is not a causal LM`, 'MODEL');
  const chunks = lmChunks(ids, seqLen);
  if (!chunks.length) throw new UserInputError(`--data: the text has ${ids.length} token(s); at least 2 are needed`, '--data');
  let sum = 0, count = 0;
  // Batches of equal-length chunks (all full ones, then the shorter last one).
  for (let i = 0; i < chunks.length;) {
    const T = chunks[i]!.length;
    const batch: number[][] = [];
    while (i < chunks.length && chunks[i]!.length === T && batch.length < CHUNKS_PER_BATCH) batch.push(chunks[i++]!);
    const S = batch.length;
    const s = tf.tidy(() => {
      const inp = tf.tensor2d(batch.map((c) => c.slice(0, T - 1)), [S, T - 1], 'int32');
      const tgt = tf.tensor1d(batch.flatMap((c) => c.slice(1)), 'int32');
      return tf.sum(softmaxCrossEntropy(causalLmLogits(cfg, model.weights, inp, linear ? { linear } : {}), tgt));
    });
    sum += s.dataSync()[0]!;
    s.dispose();
    count += S * (T - 1);
  }
  const loss = sum / count;
  if (!Number.isFinite(loss)) throw new NumericalError(`eval: non-finite loss ${loss}`);
  return { loss, perplexity: Math.exp(loss), tokens: count };
}

export interface ClassifierExample { ids: number[]; typeIds: number[]; label: number }

export function evalClassifier(model: PretrainedModel, examples: ClassifierExample[], seqLen: number, padId: number, linear?: LinearFn, batchSize = 16): ClassifierEvalResult {
  const cfg = model.config as BertConfig;
  if (cfg.arch !== 'bert') throw new UserInputError(`eval: a ${cfg.arch} model is not a sequence classifier`, 'MODEL');
  if (!examples.length) throw new UserInputError('--data: no examples', '--data');
  let loss = 0, correct = 0, tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const part = examples.slice(i, i + batchSize);
    const T = Math.min(seqLen, Math.max(...part.map((e) => e.ids.length)));
    const pad = (a: number[], v: number) => [...a.slice(0, T), ...Array<number>(Math.max(0, T - a.length)).fill(v)];
    const r = tf.tidy(() => {
      const ids = tf.tensor2d(part.map((e) => pad(e.ids, padId)), [part.length, T], 'int32');
      const segments = tf.tensor2d(part.map((e) => pad(e.typeIds, 0)), [part.length, T], 'int32');
      const mask = tf.tensor2d(part.map((e) => pad(e.ids.map(() => 1), 0)), [part.length, T]);
      const labels = tf.tensor1d(part.map((e) => e.label), 'int32');
      const logits = bertLogits(cfg, model.weights, ids, { mask, segments, ...(linear ? { linear } : {}) });
      return [tf.sum(softmaxCrossEntropy(logits, labels)), tf.argMax(logits, 1)];
    });
    loss += r[0]!.dataSync()[0]!;
    const pred = r[1]!.dataSync();
    part.forEach((e, j) => {
      const p = pred[j]!;
      if (p === e.label) correct++;
      if (p === 1 && e.label === 1) tp++;
      if (p === 1 && e.label !== 1) fp++;
      if (p !== 1 && e.label === 1) fn++;
    });
    r.forEach((t) => t.dispose());
  }
  const n = examples.length;
  const res: ClassifierEvalResult = { loss: loss / n, accuracy: correct / n, examples: n };
  if (cfg.numLabels === 2) res.f1 = tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  if (!Number.isFinite(res.loss)) throw new NumericalError(`eval: non-finite loss ${res.loss}`);
  return res;
}

/** The text of a causal-LM evaluation file. */
export function lmText(path: string): string {
  if (path.toLowerCase().endsWith('.txt')) return readFileSync(path, 'utf8');
  return loadLocalDataset({ path, task: 'lm', text_fields: ['text'] }).train.map((e) => e.text).join('\n');
}

/** Labelled examples of a classification file; labels map through `labelNames` (id2label) when not integers. */
export function classifierExamples(path: string, tok: TextTokenizer, numLabels: number, labelNames?: string[]): ClassifierExample[] {
  const d = loadLocalDataset({ path, task: 'classifier' });
  return d.train.map((e) => {
    const l = e.label!;
    let y: number;
    if (/^\d+$/.test(l)) y = Number(l);
    else y = labelIndex(labelNames ?? [], l, path);
    if (!(y >= 0 && y < numLabels)) throw new UserInputError(`--data: ${path}: label '${l}' is outside the model's ${numLabels} classes (unlabelled GLUE test files cannot be evaluated)`, '--data');
    const enc = tok.encodePair(e.text, e.pair);
    return { ids: enc.ids, typeIds: enc.typeIds, label: y };
  });
}

export interface EvalFileOptions {
  /** PEFT adapter folder (adapter_config.json + adapter_model.safetensors). */
  adapter?: string;
  data: string;
  /** Default: the model's maximum positions. */
  seqLen?: number;
}

/**
 * Evaluate the model folder `modelDir` (a Hugging Face folder, or an airlora checkpoint) on a file.
 * A PEFT adapter is applied through the LoRA layer (x·W + (α/r)·x·A·B), its `modules_to_save`
 * (a classifier head) replacing the base tensors.
 */
export async function evaluateFile(modelDir: string, o: EvalFileOptions): Promise<LmEvalResult | ClassifierEvalResult> {
  if (!existsSync(modelDir) || !statSync(modelDir).isDirectory()) throw new UserInputError(`MODEL: ${modelDir} is not a model folder`, 'MODEL');
  if (!existsSync(o.data)) throw new UserInputError(`--data: ${o.data} does not exist`, '--data');
  let model: PretrainedModel;
  let tok: TextTokenizer;
  let labelNames: string[] | undefined;
  if (isHfModelFolder(modelDir)) {
    const hf = loadHfModel(modelDir);
    if (hf.info.task === 'masked-lm') throw new UserInputError(`MODEL: ${modelDir} is a masked LM; eval takes a causal LM or a sequence classifier`, 'MODEL');
    if (!hf.hfTokenizer) throw new UserInputError(`MODEL: ${modelDir} has no tokenizer.json`, 'MODEL');
    model = hf;
    tok = hf.hfTokenizer;
    labelNames = hf.info.labels;
  } else {
    model = loadCheckpoint(modelDir);
    if (!model.tokenizer) throw new UserInputError(`MODEL: ${modelDir} has no tokenizer.json`, 'MODEL');
    tok = airloraTextTokenizer(Tokenizer.fromJSON(model.tokenizer as TokenizerJSON));
  }
  const seqLen = o.seqLen ?? model.config.maxPositions;
  if (!Number.isInteger(seqLen) || seqLen < 2 || seqLen > model.config.maxPositions) {
    throw new UserInputError(`--seq-len: ${seqLen} must be an integer in [2, ${model.config.maxPositions}] (the model's maximum positions)`, '--seq-len');
  }
  let linear: LinearFn | undefined;
  let lora: { dispose(): void } | undefined;
  try {
    if (o.adapter) {
      const ad = readPeftAdapter(o.adapter);
      // modules_to_save (e.g. the classifier) replace the base tensors.
      for (const [key, t] of ad.extra) {
        const m = /^(.*)\.(weight|bias)$/.exec(key);
        const spec = m ? Object.keys(model.weights).find((n) => hfModuleName(model.config, n.replace(/\.(kernel|bias)$/, '')) === m[1] && n.endsWith(m[2] === 'weight' ? '.kernel' : '.bias')) : undefined;
        if (!spec) continue;
        const old = model.weights[spec]!;
        const data = m![2] === 'weight' ? transpose2d(t.data, t.shape[0]!, t.shape[1]!) : t.data;
        if (data.length !== old.size) throw new UserInputError(`--adapter: ${key} has ${data.length} values, the model's ${spec} has ${old.size}`, '--adapter');
        model.weights[spec] = tf.tensor(data, old.shape, 'float32');
        old.dispose();
      }
      // Build the LoRA layer on exactly the adapter's modules (their HF paths map 1:1 to ours).
      const targets = [...ad.modules.keys()].map((m) => airloraModuleName(model.config, m));
      const lm = createLoraModel(model, { ...ad.lora, target_modules: targets, init_lora_weights: false }, 1, 0);
      applyPeftAdapter(lm, ad);
      linear = lm.linear;
      lora = lm;
    }
    if (isCausalLm(model.config)) return evalCausalLm(model, tok.encode(lmText(o.data)), seqLen, linear);
    const cfg = model.config as BertConfig;
    return evalClassifier(model, classifierExamples(o.data, tok, cfg.numLabels, labelNames), seqLen, tok.padId, linear);
  } finally {
    lora?.dispose();
    for (const t of Object.values(model.weights)) t.dispose();
  }
}
