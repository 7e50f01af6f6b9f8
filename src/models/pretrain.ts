/**
 * Full-weight pre-training of the GPT on a token stream (the CLI `airlora pretrain` feeds it Brown text).
 *
 * - Examples: random windows of T + 1 tokens from the training stream (stream 'pretrain-batch', step);
 *   input = the first T, target = the last T.
 * - Adam with linear warm-up and cosine decay to 10% of the peak rate; gradients clipped to a global
 *   L2 norm of 1.
 * - Evaluation (perplexity): consecutive, non-overlapping windows of T + 1 tokens covering the held-out
 *   stream (up to `maxEvalWindows`); PPL = exp(mean next-token cross-entropy over all predicted tokens).
 * - Baseline: the unigram model of the training stream with add-one smoothing, scored on the same
 *   predicted tokens.
 * Everything is seeded, so the same inputs and seed give the same weights on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import { NumericalError, UserInputError } from '../errors.js';
import { RandomStreams } from '../random/streams.js';
import type { BertConfig, GptConfig } from './config.js';
import { bertEmbed, bertEncode } from './bert.js';
import { weight } from './weights.js';
import { gptLogits } from './gpt.js';
import { hasGatherGrad } from './layers.js';
import { softmaxCrossEntropy } from './loss.js';
import { initWeights, type ModelWeights } from './weights.js';

export interface PretrainOptions<C = GptConfig> {
  config: C;
  trainTokens: Int32Array;
  seqLen: number;
  batchSize: number;
  steps: number;
  lr: number;
  warmupSteps: number;
  seed: number;
  /** Called after every step with the training loss. */
  onStep?: (step: number, loss: number, lr: number) => void;
}

export interface PretrainResult {
  weights: ModelWeights;
  finalLoss: number;
  /** Mean training loss over the last 10% of steps. */
  tailLoss: number;
  seconds: number;
}

/** Learning rate at `step` (0-based): linear warm-up, then cosine decay to 10% of `lr`. */
export function learningRate(step: number, steps: number, lr: number, warmup: number): number {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const p = (step - warmup) / Math.max(1, steps - warmup);
  return lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * Math.min(1, p))));
}

function windowBatch(stream: Int32Array, starts: number[], T: number): { x: Int32Array; y: Int32Array } {
  const x = new Int32Array(starts.length * T);
  const y = new Int32Array(starts.length * T);
  starts.forEach((s, b) => {
    x.set(stream.subarray(s, s + T), b * T);
    y.set(stream.subarray(s + 1, s + T + 1), b * T);
  });
  return { x, y };
}

export async function pretrainGpt(o: PretrainOptions): Promise<PretrainResult> {
  const { config, trainTokens, seqLen: T, batchSize: B } = o;
  if (trainTokens.length < T + 2) throw new UserInputError(`pretrain: ${trainTokens.length} training tokens is fewer than seqLen + 2`, 'pretrain.seqLen');
  if (T > config.maxPositions) throw new UserInputError(`pretrain.seqLen: ${T} exceeds model.maxPositions = ${config.maxPositions}`, 'pretrain.seqLen');
  const weights = initWeights(config, o.seed, { trainable: true });
  const oneHot = !hasGatherGrad();
  const streams = new RandomStreams(o.seed);
  return trainWeights(o, weights, Object.values(weights) as tf.Variable[], (step) => {
    const rng = streams.stream('pretrain-batch', step);
    const starts = Array.from({ length: B }, () => rng.int(trainTokens.length - T - 1));
    const { x, y } = windowBatch(trainTokens, starts, T);
    const xt = tf.tensor2d(x, [B, T], 'int32');
    const yt = tf.tensor1d(y, 'int32');
    return () => tf.mean(softmaxCrossEntropy(gptLogits(config, weights, xt, { oneHotEmbedding: oneHot }), yt)) as tf.Scalar;
  });
}

/**
 * The optimisation loop shared by both pre-training objectives: `makeLoss(step)` (called inside a
 * tidy) builds the step's batch and returns the loss closure to differentiate w.r.t. `vars`.
 */
async function trainWeights(
  o: Omit<PretrainOptions<unknown>, 'config' | 'trainTokens' | 'seqLen' | 'batchSize'>, weights: ModelWeights, vars: tf.Variable[],
  makeLoss: (step: number) => () => tf.Scalar,
): Promise<PretrainResult> {
  const opt = tf.train.adam(o.lr, 0.9, 0.95, 1e-8);
  const setLr = (lr: number) => { (opt as unknown as { learningRate: number }).learningRate = lr; };
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 0; step < o.steps; step++) {
    const lr = learningRate(step, o.steps, o.lr, o.warmupSteps);
    setLr(lr);
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(makeLoss(step), vars);
      // Global-norm clipping at 1.
      const names = Object.keys(grads);
      const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))).dataSync()[0]!;
      const f = norm > 1 ? 1 / norm : 1;
      opt.applyGradients(names.map((n) => ({ name: n, tensor: f === 1 ? grads[n]! : tf.mul(grads[n]!, f) })));
      return value.dataSync()[0]!;
    });
    if (!Number.isFinite(loss)) {
      opt.dispose();
      throw new NumericalError(`pretrain: non-finite loss at step ${step} (lr ${lr}); lower --lr`);
    }
    losses.push(loss);
    o.onStep?.(step, loss, lr);
    if (step % 10 === 0) await new Promise((r) => setImmediate(r)); // let progress output flush
  }
  opt.dispose();
  const tail = losses.slice(Math.floor(losses.length * 0.9));
  // Hand back plain tensors (frozen base for LoRA).
  const frozen: ModelWeights = {};
  for (const [name, v] of Object.entries(weights)) {
    frozen[name] = tf.clone(v);
    v.dispose();
  }
  return {
    weights: frozen,
    finalLoss: losses[losses.length - 1] ?? NaN,
    tailLoss: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Held-out perplexity of the GPT over consecutive windows of `stream`; returns PPL and tokens scored. */
export function gptPerplexity(
  config: GptConfig, weights: ModelWeights, stream: Int32Array, T: number, maxWindows = 400, batch = 32,
): { perplexity: number; tokens: number; meanLoss: number } {
  const nWin = Math.min(maxWindows, Math.floor((stream.length - 1) / T));
  if (nWin < 1) throw new UserInputError(`perplexity: held-out stream of ${stream.length} tokens is shorter than seqLen + 1`, 'pretrain.seqLen');
  let sum = 0;
  for (let w0 = 0; w0 < nWin; w0 += batch) {
    const starts = Array.from({ length: Math.min(batch, nWin - w0) }, (_, i) => (w0 + i) * T);
    const { x, y } = windowBatch(stream, starts, T);
    sum += tf.tidy(() => {
      const logits = gptLogits(config, weights, tf.tensor2d(x, [starts.length, T], 'int32'));
      return tf.sum(softmaxCrossEntropy(logits, tf.tensor1d(y, 'int32'))).dataSync()[0]!;
    });
  }
  const tokens = nWin * T;
  const meanLoss = sum / tokens;
  if (!Number.isFinite(meanLoss)) throw new NumericalError(`perplexity: non-finite mean loss ${meanLoss}`);
  return { perplexity: Math.exp(meanLoss), tokens, meanLoss };
}

/**
 * Perplexity of the add-one-smoothed unigram model of `train` on the same tokens `gptPerplexity`
 * scores (targets of the consecutive windows of `stream`).
 */
export function unigramPerplexity(train: Int32Array, stream: Int32Array, vocabSize: number, T: number, maxWindows = 400): number {
  const counts = new Float64Array(vocabSize).fill(1);
  for (const t of train) counts[t] = counts[t]! + 1;
  const total = train.length + vocabSize;
  const nWin = Math.min(maxWindows, Math.floor((stream.length - 1) / T));
  let nll = 0;
  for (let w = 0; w < nWin; w++) for (let i = 1; i <= T; i++) nll -= Math.log(counts[stream[w * T + i]!]! / total);
  return Math.exp(nll / (nWin * T));
}

/**
 * Masked-language-model batch for the BERT encoder: windows of T − 1 tokens after a [CLS] token; each
 * non-[CLS] position is masked with probability `maskProb` (at least one per batch) by replacing it
 * with `maskId` (the tokenizer has no [MASK] token; <unk> stands in for it).
 */
export function mlmBatch(
  stream: Int32Array, starts: number[], T: number, clsId: number, maskId: number, maskProb: number, rng: { uniform(): number },
): { x: Int32Array; positions: Int32Array; labels: Int32Array } {
  const x = new Int32Array(starts.length * T);
  const pos: number[] = [];
  const lab: number[] = [];
  starts.forEach((s, b) => {
    x[b * T] = clsId;
    x.set(stream.subarray(s, s + T - 1), b * T + 1);
    for (let t = 1; t < T; t++) {
      if (rng.uniform() < maskProb) {
        pos.push(b * T + t);
        lab.push(x[b * T + t]!);
        x[b * T + t] = maskId;
      }
    }
  });
  if (pos.length === 0) {
    pos.push(1);
    lab.push(x[1]!);
    x[1] = maskId;
  }
  return { x, positions: Int32Array.from(pos), labels: Int32Array.from(lab) };
}

/** Rows `idx` of h [n, d]; the one-hot product form where the gather gradient is missing. */
function selectRows(h: tf.Tensor2D, idx: tf.Tensor1D, oneHot: boolean): tf.Tensor2D {
  if (!oneHot) return tf.gather(h, idx) as tf.Tensor2D;
  return tf.matMul(tf.oneHot(idx, h.shape[0]).toFloat() as tf.Tensor2D, h);
}

/** MLM logits at the masked positions: encoder output rows · word-embeddingᵀ (tied decoder, no extra head). */
function mlmLogits(config: BertConfig, w: ModelWeights, x: tf.Tensor2D, positions: tf.Tensor1D, oneHot: boolean): tf.Tensor2D {
  const [S, T] = x.shape;
  const h = bertEncode(config, w, bertEmbed(config, w, x, undefined, oneHot), S, T);
  const hm = selectRows(h, positions, oneHot);
  return tf.matMul(hm, tf.transpose(weight(w, 'embeddings.word_embeddings.table') as tf.Tensor2D));
}

export interface BertPretrainOptions extends PretrainOptions<BertConfig> {
  clsId: number;
  maskId: number;
  /** Default 0.15. */
  maskProb?: number;
}

/**
 * Masked-language-model pre-training of the BERT encoder (embeddings + blocks). The pooler and the
 * classification head are not on the MLM path and keep their initial values; fine-tuning trains them
 * (LoRA on `pooler`, and `classifier` as a LoRA target).
 */
export async function pretrainBert(o: BertPretrainOptions): Promise<PretrainResult> {
  const { config, trainTokens, seqLen: T, batchSize: B } = o;
  if (trainTokens.length < T + 2) throw new UserInputError(`pretrain: ${trainTokens.length} training tokens is fewer than seqLen + 2`, 'pretrain.seqLen');
  if (T > config.maxPositions) throw new UserInputError(`pretrain.seqLen: ${T} exceeds model.maxPositions = ${config.maxPositions}`, 'pretrain.seqLen');
  const weights = initWeights(config, o.seed, { trainable: true });
  const vars = Object.entries(weights).filter(([n]) => !n.startsWith('pooler.') && !n.startsWith('classifier.')).map(([, v]) => v as tf.Variable);
  const oneHot = !hasGatherGrad();
  const streams = new RandomStreams(o.seed);
  return trainWeights(o, weights, vars, (step) => {
    const rng = streams.stream('pretrain-batch', step);
    const starts = Array.from({ length: B }, () => rng.int(trainTokens.length - T));
    const m = mlmBatch(trainTokens, starts, T, o.clsId, o.maskId, o.maskProb ?? 0.15, rng);
    const xt = tf.tensor2d(m.x, [B, T], 'int32');
    const pt = tf.tensor1d(m.positions, 'int32');
    const yt = tf.tensor1d(m.labels, 'int32');
    return () => tf.mean(softmaxCrossEntropy(mlmLogits(config, weights, xt, pt, oneHot), yt)) as tf.Scalar;
  });
}

/**
 * Masked-token perplexity of the BERT encoder on consecutive windows of `stream` (T − 1 tokens after
 * [CLS]), with masks drawn from stream 'mlm-eval' of `seed`; and the add-one unigram perplexity of
 * `train` on the same masked tokens.
 */
export function bertMlmPerplexity(
  config: BertConfig, weights: ModelWeights, stream: Int32Array, train: Int32Array, T: number,
  clsId: number, maskId: number, seed: number, maxWindows = 400, batch = 32,
): { perplexity: number; unigramPerplexity: number; tokens: number } {
  const nWin = Math.min(maxWindows, Math.floor(stream.length / (T - 1)));
  if (nWin < 1) throw new UserInputError(`perplexity: held-out stream of ${stream.length} tokens is shorter than seqLen`, 'pretrain.seqLen');
  const counts = new Float64Array(config.vocabSize).fill(1);
  for (const t of train) counts[t] = counts[t]! + 1;
  const total = train.length + config.vocabSize;
  const rng = new RandomStreams(seed).stream('mlm-eval');
  let nll = 0, uni = 0, n = 0;
  for (let w0 = 0; w0 < nWin; w0 += batch) {
    const starts = Array.from({ length: Math.min(batch, nWin - w0) }, (_, i) => (w0 + i) * (T - 1));
    const m = mlmBatch(stream, starts, T, clsId, maskId, 0.15, rng);
    nll += tf.tidy(() => tf.sum(softmaxCrossEntropy(
      mlmLogits(config, weights, tf.tensor2d(m.x, [starts.length, T], 'int32'), tf.tensor1d(m.positions, 'int32'), false),
      tf.tensor1d(m.labels, 'int32'))).dataSync()[0]!);
    for (const l of m.labels) uni -= Math.log(counts[l]! / total);
    n += m.labels.length;
  }
  if (!Number.isFinite(nll)) throw new NumericalError(`perplexity: non-finite masked-token loss ${nll}`);
  return { perplexity: Math.exp(nll / n), unigramPerplexity: Math.exp(uni / n), tokens: n };
}
