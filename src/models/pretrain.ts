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
import type { GptConfig } from './config.js';
import { gptLogits } from './gpt.js';
import { hasGatherGrad } from './layers.js';
import { softmaxCrossEntropy } from './loss.js';
import { initWeights, type ModelWeights } from './weights.js';

export interface PretrainOptions {
  config: GptConfig;
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
  const vars = Object.values(weights) as tf.Variable[];
  const opt = tf.train.adam(o.lr, 0.9, 0.95, 1e-8);
  const setLr = (lr: number) => { (opt as unknown as { learningRate: number }).learningRate = lr; };
  const oneHot = !hasGatherGrad();
  const streams = new RandomStreams(o.seed);
  const losses: number[] = [];
  const t0 = performance.now();
  for (let step = 0; step < o.steps; step++) {
    const rng = streams.stream('pretrain-batch', step);
    const starts = Array.from({ length: B }, () => rng.int(trainTokens.length - T - 1));
    const { x, y } = windowBatch(trainTokens, starts, T);
    const lr = learningRate(step, o.steps, o.lr, o.warmupSteps);
    setLr(lr);
    const loss = tf.tidy(() => {
      const xt = tf.tensor2d(x, [B, T], 'int32');
      const yt = tf.tensor1d(y, 'int32');
      const { value, grads } = tf.variableGrads(() => tf.mean(softmaxCrossEntropy(gptLogits(config, weights, xt, { oneHotEmbedding: oneHot }), yt)) as tf.Scalar, vars);
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
