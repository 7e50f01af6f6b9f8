/**
 * Evaluation of the global adapters on every client's fixed test examples. The global adapters are
 * broadcast to all slots, so the K clients are evaluated in groups of S (the model's slot count); a
 * short last group is padded with its first client and the padding ignored.
 * Pooled metrics weight clients by their counted tokens (LM) or examples (classification).
 */
import type { FederatedData } from '../data/federated.js';
import type { BatchedLoraModel } from '../lora/batched.js';
import { disposeBatch, stackBatches } from './batches.js';

export interface EvalResult {
  /** Pooled mean loss (nats per token or per example). */
  loss: number;
  /** exp(loss) for language models. */
  perplexity?: number;
  accuracy?: number;
  perClientLoss: number[];
  perClientAccuracy?: number[];
}

export function evaluateGlobal(model: BatchedLoraModel, global: Float32Array, data: FederatedData): EvalResult {
  model.setAllAdapters(global);
  const S = model.numClients, K = data.clients.length;
  const loss = new Float64Array(K), count = new Float64Array(K), correct = new Float64Array(K);
  for (let g = 0; g < K; g += S) {
    const ids = Array.from({ length: S }, (_, j) => (g + j < K ? g + j : g));
    const batch = stackBatches(ids.map((k) => data.clients[k]!.evalBatch()));
    try {
      const r = model.evaluate(batch);
      for (let j = 0; j < S && g + j < K; j++) {
        loss[g + j] = r.loss[j]!;
        count[g + j] = r.count[j]!;
        if (r.correct) correct[g + j] = r.correct[j]!;
      }
    } finally {
      disposeBatch(batch);
    }
  }
  const sum = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
  const pooled = sum(loss) / sum(count);
  const out: EvalResult = { loss: pooled, perClientLoss: Array.from(loss, (l, k) => l / count[k]!) };
  if (data.kind === 'lm') out.perplexity = Math.exp(pooled);
  else {
    out.accuracy = sum(correct) / sum(count);
    out.perClientAccuracy = Array.from(correct, (c, k) => c / count[k]!);
  }
  return out;
}
