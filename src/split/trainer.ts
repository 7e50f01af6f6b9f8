/**
 * Split federated LoRA training under a device scheduler: per round the scheduler picks devices and
 * bandwidths on this round's channel, the scheduled devices run the split protocol on their own
 * mini-batch, and the server takes one Adam step on the aggregated gradient.
 *
 * Same draws for every scheduler: the channel of round t comes from ('split-channel', trial, t, k)
 * and device k's batch in round t from ('split-batch', trial, t, k), so two schedulers that pick the
 * same device in the same round give it the same examples on the same channel.
 */
import * as tf from '@tensorflow/tfjs';
import type { FederatedData, IntBatch } from '../data/federated.js';
import type { PretrainedModel } from '../models/weights.js';
import { bertLogits } from '../models/bert.js';
import type { RandomStreams } from '../random/streams.js';
import { NumericalError } from '../errors.js';
import { SplitLoraModel } from './model.js';
import { checkSplitDivergence } from './divergence.js';
import { deviceEmbed, serverForward, deviceBackward, serverBackward, disposeDeviceGradients, uOnlyGradientError, encoderVjp } from './protocol.js';
import { evalChunkRows, serverPassRows } from './memory.js';
import { ScheduleLoop, type SplitChannel } from './delay-sim.js';
import type { Scheduler } from './schedulers/types.js';
import { roundPayload, type GradientMessage, type RoundPayload } from './payload.js';
import { fixedLoads, rowKeys, type LoadModel } from './loads.js';
import type { LoraConfig } from '../lora/config.js';

export interface SplitTrainConfig {
  rounds: number;
  /** examples per scheduled device per round */
  batchSize: number;
  lr: number;
  /** evaluate test accuracy every this many rounds (and after the last) */
  evalEvery: number;
  /** adapters (PEFT names, src/lora/config.ts) */
  lora: LoraConfig;
  trial: number;
  budgetS: number;
  /** the gradient uplink: exact (g and u) or u alone (default exact) */
  gradient?: GradientMessage;
}

export interface SplitRoundRecord {
  round: number;
  scheduled: number;
  devices: string;
  round_delay_s: number;
  queue_s: number;
  avg_delay_s: number;
  cum_delay_s: number;
  train_loss: number;
  train_accuracy: number;
  /** empty between evaluations */
  test_accuracy: number | null;
  test_loss: number | null;
  test_examples: number | null;
  /** uplink bits of the scheduled devices this round, and since round 0 */
  up_bits: number;
  cum_up_bits: number;
  down_bits: number;
  /** the [CLS]-aware full-width gradient uplink of the same devices (the low-rank saving is against it) */
  cls_full_width_gradient_bits: number;
  /** the per-token hidden gradient uplink (reference) */
  full_hidden_gradient_bits: number;
  /** the same schedule's uplink under each reading of the protocol (payload.ts), this round */
  up_bits_per_round_embeddings: number;
  up_bits_cached_embeddings: number;
  up_bits_gradients_only: number;
  /** what the same devices would upload in unsplit federated LoRA this round, and since round 0 */
  unsplit_upload_bits: number;
  cum_unsplit_upload_bits: number;
  /** u-only: relative error of the encoder gradients against the exact ones (empty when exact) */
  grad_rel_error: number | null;
  wall_ms: number;
}

/** A classifier batch; sentence pairs carry their token type ids (src/data/local). */
export type SplitBatch = IntBatch & { segments?: Int32Array };

/** Stack the rows of several batches (same T); segment ids when every batch has them. */
export function stackBatches(bs: SplitBatch[]): SplitBatch {
  const T = bs[0]!.seqLen;
  const n = bs.reduce((s, b) => s + b.size, 0);
  const tokens = new Int32Array(n * T);
  const mask = new Float32Array(n * T);
  const labels = new Int32Array(n);
  const segments = bs.every((b) => b.segments) ? new Int32Array(n * T) : undefined;
  let row = 0;
  for (const b of bs) {
    tokens.set(b.tokens, row * T);
    mask.set(b.mask ?? new Float32Array(b.size * T).fill(1), row * T);
    labels.set(b.labels!, row);
    segments?.set(b.segments!, row * T);
    row += b.size;
  }
  return segments ? { size: n, seqLen: T, tokens, mask, labels, segments } : { size: n, seqLen: T, tokens, mask, labels };
}

function tensors(b: SplitBatch) {
  return {
    tokens: tf.tensor2d(b.tokens, [b.size, b.seqLen], 'int32'),
    mask: tf.tensor2d(b.mask!, [b.size, b.seqLen]),
    labels: tf.tensor1d(b.labels!, 'int32'),
    segments: b.segments ? tf.tensor2d(b.segments, [b.size, b.seqLen], 'int32') : undefined,
  };
}

function disposeTensors(t: ReturnType<typeof tensors>): void {
  for (const x of [t.tokens, t.mask, t.labels, t.segments]) x?.dispose();
}

/** Rows [from, to) of a batch (views, no copies). */
function rowsOf(b: SplitBatch, from: number, to: number): SplitBatch {
  const T = b.seqLen;
  return {
    size: to - from, seqLen: T, tokens: b.tokens.subarray(from * T, to * T), mask: b.mask!.subarray(from * T, to * T), labels: b.labels!.subarray(from, to),
    ...(b.segments ? { segments: b.segments.subarray(from * T, to * T) } : {}),
  };
}

function addInto(acc: tf.NamedTensorMap, grads: tf.NamedTensorMap): void {
  for (const [k, g] of Object.entries(grads)) {
    const prev = acc[k];
    if (prev) { acc[k] = tf.add(prev, g); prev.dispose(); g.dispose(); } else acc[k] = g;
  }
}

function sumSquares(grads: tf.NamedTensorMap): number {
  const s = tf.tidy(() => Object.values(grads).reduce((a, g) => tf.add(a, tf.sum(tf.square(g))), tf.scalar(0)));
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
}

/**
 * One split round on a stacked batch: returns loss and correct count (and, u-only, the gradient error);
 * applies the server update. `passRows`: the most rows the server runs through the encoder at once
 * (src/split/memory.ts); a batch with more rows is processed in passes whose losses are weighted by
 * their share of the rows, and the summed gradients are the stacked batch's (the same update).
 */
export function splitStep(m: SplitLoraModel, batch: SplitBatch, opt: tf.Optimizer, gradient: GradientMessage = 'exact', passRows = Infinity): { loss: number; correct: number; gradError: number | null } {
  const uOnly = gradient === 'u-only';
  if (batch.size <= passRows) {
    const t = tensors(batch);
    const E = deviceEmbed(m, t.tokens, t.segments);
    const c = serverForward(m, E, t.mask);
    const up = deviceBackward(m, c, t.labels);
    const gradError = uOnly ? uOnlyGradientError(m, E, t.mask, up) : null;
    const grads = serverBackward(m, E, t.mask, c, up, uOnly);
    opt.applyGradients(grads);
    const out = { loss: up.loss, correct: up.correct, gradError };
    disposeDeviceGradients(up);
    for (const g of Object.values(grads)) g.dispose();
    for (const x of [E, c]) x.dispose();
    disposeTensors(t);
    return out;
  }
  const N = batch.size;
  const acc: tf.NamedTensorMap = {};
  const missing: tf.NamedTensorMap = {};
  const total: tf.NamedTensorMap = {};
  let loss = 0;
  let correct = 0;
  for (let from = 0; from < N; from += passRows) {
    const to = Math.min(N, from + passRows);
    const t = tensors(rowsOf(batch, from, to));
    const E = deviceEmbed(m, t.tokens, t.segments);
    const c = serverForward(m, E, t.mask);
    const w = (to - from) / N;
    const up = deviceBackward(m, c, t.labels, w);
    if (uOnly) {
      // the error is of the summed gradients: accumulate G(g) and G(g + uA_pᵀ) over the passes
      addInto(missing, encoderVjp(m, E, t.mask, up.g));
      const full = tf.tidy(() => tf.add(up.g, tf.matMul(up.u, m.pooler.A as tf.Tensor2D, false, true))) as tf.Tensor2D;
      addInto(total, encoderVjp(m, E, t.mask, full));
      full.dispose();
    }
    addInto(acc, serverBackward(m, E, t.mask, c, up, uOnly));
    loss += w * up.loss;
    correct += up.correct;
    disposeDeviceGradients(up);
    for (const x of [E, c]) x.dispose();
    disposeTensors(t);
  }
  let gradError: number | null = null;
  if (uOnly) {
    const tot = sumSquares(total);
    gradError = tot > 0 ? Math.sqrt(sumSquares(missing) / tot) : 0;
    for (const g of [...Object.values(missing), ...Object.values(total)]) g.dispose();
  }
  opt.applyGradients(acc);
  for (const g of Object.values(acc)) g.dispose();
  return { loss, correct, gradError };
}

/** The same update, unsplit: one backward pass through the whole model (federated LoRA, FedSGD). */
export function unsplitStep(m: SplitLoraModel, batch: SplitBatch, opt: tf.Optimizer): { loss: number } {
  const t = tensors(batch);
  const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(
    tf.oneHot(t.labels, m.config.numLabels),
    bertLogits(m.config, m.base.weights, t.tokens, { mask: t.mask, linear: m.linear, ...(t.segments ? { segments: t.segments } : {}) }),
  ) as tf.Scalar, true, m.allVariables());
  const loss = cost!.dataSync()[0]!;
  cost!.dispose();
  disposeTensors(t);
  if (!Number.isFinite(loss)) throw new NumericalError(`unsplit step: non-finite loss ${loss}`);
  return { loss };
}

/** Accuracy and mean loss of the model on a batch, in chunks. */
export function evaluate(m: SplitLoraModel, b: SplitBatch, chunk = 256): { accuracy: number; loss: number; n: number } {
  let correct = 0;
  let lossSum = 0;
  const T = b.seqLen;
  for (let s = 0; s < b.size; s += chunk) {
    const n = Math.min(chunk, b.size - s);
    const part: SplitBatch = {
      size: n, seqLen: T, tokens: b.tokens.subarray(s * T, (s + n) * T), mask: b.mask!.subarray(s * T, (s + n) * T), labels: b.labels!.subarray(s, s + n),
      ...(b.segments ? { segments: b.segments.subarray(s * T, (s + n) * T) } : {}),
    };
    const t = tensors(part);
    const [c, l] = tf.tidy(() => {
      const logits = bertLogits(m.config, m.base.weights, t.tokens, { mask: t.mask, linear: m.linear, ...(t.segments ? { segments: t.segments } : {}) });
      const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(t.labels, m.config.numLabels), logits, undefined, 0, tf.Reduction.SUM);
      return [tf.sum(tf.equal(tf.argMax(logits, 1), t.labels).toFloat()), ce];
    });
    correct += c.dataSync()[0]!;
    lossSum += l.dataSync()[0]!;
    for (const x of [c, l]) x.dispose();
    disposeTensors(t);
  }
  if (!Number.isFinite(lossSum)) throw new NumericalError(`split evaluate: non-finite loss ${lossSum}`);
  return { accuracy: correct / b.size, loss: lossSum / b.size, n: b.size };
}

export interface TrainSplitInput {
  base: PretrainedModel;
  data: FederatedData;
  scheduler: Scheduler;
  channel: SplitChannel;
  streams: RandomStreams;
  cfg: SplitTrainConfig;
  /** LoRA init seed (same for every scheduler; the stream also carries cfg.trial) */
  seed: number;
  /** what each device sends, receives and computes (default: per-round embeddings, uplink only) */
  loads?: LoadModel;
  onRound?: (rec: SplitRoundRecord) => void;
  /** the trained model after the last round, before it is disposed (e.g. to save its adapter) */
  onTrained?: (m: SplitLoraModel) => void;
}

export function payloadFor(m: SplitLoraModel, data: FederatedData, batchSize: number, gradient: GradientMessage = 'exact'): RoundPayload {
  return roundPayload({
    batch: batchSize, seqLen: data.seqLen, hidden: m.config.hidden, rank: m.r, classes: m.config.numLabels,
    serverParams: m.counts().server, gradient,
  });
}

export function trainSplit(inp: TrainSplitInput): SplitRoundRecord[] {
  const { cfg, data } = inp;
  const K = data.clients.length;
  const m = new SplitLoraModel(inp.base, { lora: cfg.lora, seed: inp.seed, trial: cfg.trial });
  const opt = tf.train.adam(cfg.lr);
  const pay = payloadFor(m, data, cfg.batchSize, cfg.gradient);
  const loads = inp.loads ? inp.loads.fresh() : fixedLoads(new Float64Array(K).fill(pay.uplinkBits));
  const loop = new ScheduleLoop(inp.scheduler, inp.channel, cfg.rounds, cfg.budgetS);
  const testSet = stackBatches(data.clients.map((c) => c.evalBatch()));
  // passes that fit the wasm heap (one stacked pass for the small presets)
  const passRows = serverPassRows(m.config, data.seqLen);
  const evalChunk = evalChunkRows(m.config, data.seqLen);
  const out: SplitRoundRecord[] = [];
  let cum = 0;
  let cumUp = 0;
  let cumUnsplit = 0;
  // the server's embedding cache under 'cached-embeddings', for the bits of that reading on this schedule
  const cached = Array.from({ length: K }, () => new Set<string>());
  try {
    for (let t = 0; t < cfg.rounds; t++) {
      const t0 = performance.now();
      const { decision, record, upBits } = loop.step(t, loads);
      const batches = decision.scheduled.map((k) => data.clients[k]!.sampleBatch(inp.streams.stream('split-batch', cfg.trial, t, k), cfg.batchSize));
      const step = splitStep(m, stackBatches(batches), opt, cfg.gradient, passRows);
      const n = decision.scheduled.length;
      cum += record.roundDelayS;
      const up = decision.scheduled.reduce((a, k) => a + upBits[k]!, 0);
      cumUp += up;
      cumUnsplit += n * pay.unsplitUploadBits;
      let cachedBits = 0;
      decision.scheduled.forEach((k, i) => {
        let fresh = 0;
        const keys = rowKeys(batches[i]!);
        for (const key of keys) if (!cached[k]!.has(key)) { fresh++; cached[k]!.add(key); }
        cachedBits += pay.upGradientBits + fresh * pay.upEmbeddingRowBits + (keys.length - fresh) * pay.rowReferenceBits;
      });
      let test: { accuracy: number; loss: number; n: number } | null = null;
      if ((t + 1) % cfg.evalEvery === 0 || t === cfg.rounds - 1) test = evaluate(m, testSet, evalChunk);
      checkSplitDivergence(t, m.config.numLabels, step.loss, test ? test.loss : null);
      const rec: SplitRoundRecord = {
        round: t,
        scheduled: n,
        devices: decision.scheduled.join(' '),
        round_delay_s: record.roundDelayS,
        queue_s: record.queue,
        avg_delay_s: record.averageDelayS,
        cum_delay_s: cum,
        train_loss: step.loss,
        train_accuracy: step.correct / (n * cfg.batchSize),
        test_accuracy: test ? test.accuracy : null,
        test_loss: test ? test.loss : null,
        test_examples: test ? test.n : null,
        up_bits: up,
        cum_up_bits: cumUp,
        down_bits: n * (pay.downEncoderBits + pay.downBroadcastBits),
        up_bits_per_round_embeddings: n * pay.uplinkBits,
        up_bits_cached_embeddings: cachedBits,
        up_bits_gradients_only: n * pay.upGradientBits,
        cls_full_width_gradient_bits: n * pay.clsFullWidthGradientBits,
        full_hidden_gradient_bits: n * pay.fullHiddenGradientBits,
        unsplit_upload_bits: n * pay.unsplitUploadBits,
        cum_unsplit_upload_bits: cumUnsplit,
        grad_rel_error: step.gradError,
        wall_ms: performance.now() - t0,
      };
      out.push(rec);
      inp.onRound?.(rec);
    }
    inp.onTrained?.(m);
  } finally {
    opt.dispose();
    m.dispose();
  }
  return out;
}
