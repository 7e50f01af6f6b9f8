/**
 * Local training of the selected clients from the global adapters, in one of two modes:
 *  - batched: one model with S = |selected| adapter slots; every step stacks the clients' minibatches
 *    into [S, B, T] and takes one optimiser step on the stacked variables (= S independent optimisers,
 *    since the loss is Σ_c client c's mean loss and Adam/SGD act elementwise);
 *  - loop: one model with a single slot, clients trained one after another.
 * Minibatches come from stream ('batch', round, client, step), so both modes and a resumed run see the
 * same examples. A fresh optimiser per round (local optimiser state does not persist across rounds).
 */
import * as tf from '@tensorflow/tfjs';
import type { FederatedData } from '../data/federated.js';
import type { BatchedLoraModel } from '../lora/batched.js';
import { loraTrainStep } from '../lora/train.js';
import type { RandomStreams } from '../random/streams.js';
import { NumericalError } from '../errors.js';
import type { FlConfig } from './config.js';
import { disposeBatch, stackBatches } from './batches.js';

export interface LocalResult {
  /** Per selected client: its uploaded vector (full adapter length): delta, weights or gradient. */
  uploads: Float32Array[];
  /**
   * Mean minibatch loss per selected client over its local steps. Batched mode sees only the sum over
   * clients, so every entry holds the mean over clients there; loop mode gives each client's own.
   */
  trainLoss: number[];
}

function makeOptimizer(cfg: FlConfig): tf.Optimizer {
  return cfg.optimizer === 'adam' ? tf.train.adam(cfg.lr) : tf.train.sgd(cfg.lr);
}

/** Train `group` (global client ids) on `model` whose slots are 0..group.length-1. */
function trainGroup(model: BatchedLoraModel, group: readonly number[], global: Float32Array, data: FederatedData,
  cfg: FlConfig, round: number, streams: RandomStreams): LocalResult {
  const S = group.length;
  if (model.numClients !== S) throw new Error(`model has ${model.numClients} slots for ${S} clients`);
  model.setAllAdapters(global);
  const trainLoss = new Array<number>(S).fill(0);
  const batchFor = (step: number) => stackBatches(group.map((k) =>
    data.clients[k]!.sampleBatch(streams.stream('batch', round, k, step), cfg.batchSize)));

  if (cfg.algorithm === 'fedsgd') {
    const batch = batchFor(0);
    try {
      // Per-client gradients: the stacked gradient's slot c is client c's; read it out through the
      // adapter accessors by assigning it to the variables for a moment.
      const { value, grads } = tf.variableGrads(() => model.loss(batch, true), model.trainable);
      const v = value.dataSync()[0]!;
      value.dispose();
      for (const variable of model.trainable) variable.assign(grads[variable.name]!);
      tf.dispose(grads);
      if (!Number.isFinite(v)) throw new NumericalError(`fedsgd: non-finite loss ${v} in round ${round}`);
      const uploads = group.map((_, j) => model.getAdapters(j));
      return { uploads, trainLoss: trainLoss.fill(v / S) };
    } finally {
      disposeBatch(batch);
    }
  }

  const opt = makeOptimizer(cfg);
  try {
    for (let step = 0; step < cfg.localSteps; step++) {
      const batch = batchFor(step);
      try {
        const v = loraTrainStep(model, batch, opt);
        // Σ_c mean loss: per-client values only in loop mode; batched mode records the client mean.
        for (let j = 0; j < S; j++) trainLoss[j] += v / S / cfg.localSteps;
      } finally {
        disposeBatch(batch);
      }
    }
  } finally {
    opt.dispose();
  }
  const uploads = group.map((_, j) => {
    const w = model.getAdapters(j);
    if (cfg.upload === 'weights') return w;
    for (let i = 0; i < w.length; i++) w[i] -= global[i]!;
    return w;
  });
  return { uploads, trainLoss };
}

/** Local training of `selected` in the configured mode; `model` has |selected| slots (batched) or 1 (loop). */
export function localTraining(model: BatchedLoraModel, selected: readonly number[], global: Float32Array,
  data: FederatedData, cfg: FlConfig, round: number, streams: RandomStreams): LocalResult {
  if (cfg.mode === 'batched') return trainGroup(model, selected, global, data, cfg, round, streams);
  const out: LocalResult = { uploads: [], trainLoss: [] };
  for (const k of selected) {
    const r = trainGroup(model, [k], global, data, cfg, round, streams);
    out.uploads.push(r.uploads[0]!);
    out.trainLoss.push(r.trainLoss[0]!);
  }
  return out;
}
