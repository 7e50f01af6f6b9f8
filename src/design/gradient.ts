/**
 * Gradient of the pooled evaluation loss F(θ) = Σ_k n_k·mean_k(θ) / Σ_k n_k (the loss the trainer
 * reports as `eval_loss`) with respect to the flat global adapters, for the curvature estimate of the
 * design loop (constants.ts). The adapters are broadcast to every slot and each slot evaluates one
 * client, so slot c's gradient is ∇mean_c; the pooled gradient weights it by the client's token count.
 */
import * as tf from '@tensorflow/tfjs';
import type { FederatedData } from '../data/federated.js';
import type { BatchedLoraModel } from '../lora/batched.js';
import { disposeBatch, stackBatches } from '../fl/batches.js';
import { NumericalError } from '../errors.js';

function groups(K: number, S: number): number[][] {
  const out: number[][] = [];
  for (let g = 0; g < K; g += S) out.push(Array.from({ length: S }, (_, j) => (g + j < K ? g + j : g)));
  return out;
}

/** Tokens (or examples) each client's evaluation counts. */
export function evalCounts(model: BatchedLoraModel, data: FederatedData): Float64Array {
  const K = data.clients.length, S = model.numClients;
  const n = new Float64Array(K);
  for (const [gi, ids] of groups(K, S).entries()) {
    const batch = stackBatches(ids.map((k) => data.clients[k]!.evalBatch()));
    try {
      const r = model.evaluate(batch);
      for (let j = 0; j < S && gi * S + j < K; j++) n[gi * S + j] = r.count[j]!;
    } finally {
      disposeBatch(batch);
    }
  }
  return n;
}

/** ∇F at `flat` (full adapter length). `counts` from evalCounts. */
export function evalLossGradient(model: BatchedLoraModel, flat: Float32Array, data: FederatedData, counts: Float64Array): Float64Array {
  model.setAllAdapters(flat);
  const K = data.clients.length, S = model.numClients;
  const total = counts.reduce((a, b) => a + b, 0);
  const grad = new Float64Array(model.adapterSize);
  for (const [gi, ids] of groups(K, S).entries()) {
    const batch = stackBatches(ids.map((k) => data.clients[k]!.evalBatch()));
    try {
      const { value, grads } = tf.variableGrads(() => model.loss(batch, false), model.trainable);
      value.dispose();
      let off = 0;
      for (const v of model.trainable) {
        const g = grads[v.name]!.dataSync() as Float32Array;
        const size = v.size / S;
        for (let j = 0; j < S && gi * S + j < K; j++) {
          const w = counts[gi * S + j]! / total;
          for (let i = 0; i < size; i++) grad[off + i] += w * g[j * size + i]!;
        }
        off += size;
      }
      tf.dispose(grads);
    } finally {
      disposeBatch(batch);
    }
  }
  for (const x of grad) if (!Number.isFinite(x)) throw new NumericalError('design: non-finite loss gradient');
  return grad;
}
