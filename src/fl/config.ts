/**
 * Federated training settings (plain types; `src/scenario/sections/fl.ts` validates scenario input
 * into this shape).
 *
 * - `algorithm: 'fedavg'`: each selected client runs `localSteps` steps of its optimiser from the
 *   global adapters and uploads its update (`upload: 'delta'`, w_k − w, default) or its adapters
 *   (`'weights'`); the server sets w ← w + η_s·agg(Δ) or w ← agg(w_k). A and B are averaged separately.
 * - `algorithm: 'fedsgd'`: each client uploads the gradient of one minibatch at the global adapters;
 *   the server steps w ← w − η_s·agg(g). (`localSteps`, `optimizer`, `lr` are not used.)
 * - `aggregateFactors`: which LoRA factors are uploaded and aggregated; entries not listed keep their
 *   global value (clients' local changes to them are discarded). With `lora.train_A: false`
 *   (FFA-LoRA) the adapter vector holds B only, so ['B'] and ['A','B'] coincide.
 * - `mode: 'batched'` trains the selected clients in one pass over stacked adapters; `'loop'` trains
 *   them one at a time on a one-client model (same numbers up to float rounding; for checks and
 *   benchmarks).
 * - Divergence: a non-finite loss or aggregate, or a training/evaluation loss above
 *   `divergenceFactor` × the round-0 evaluation loss, stops the run with a NumericalError; the last
 *   checkpoint (previous round) is kept.
 */
import type { SelectionConfig } from './selection.js';

export type FlAlgorithm = 'fedavg' | 'fedsgd';
export type OptimizerKind = 'sgd' | 'adam';

export interface FlConfig {
  rounds: number;
  /** Number of clients K. */
  clients: number;
  selection: SelectionConfig;
  algorithm: FlAlgorithm;
  localSteps: number;
  batchSize: number;
  optimizer: OptimizerKind;
  lr: number;
  serverLr: number;
  upload: 'delta' | 'weights';
  aggregateFactors: ('A' | 'B')[];
  mode: 'batched' | 'loop';
  /** Evaluate every this many rounds (and always after the last round and before the first). */
  evalEvery: number;
  divergenceFactor: number;
}

export const FL_DEFAULTS: Omit<FlConfig, 'rounds' | 'clients'> = {
  selection: { fraction: 1 },
  algorithm: 'fedavg',
  localSteps: 5,
  batchSize: 8,
  optimizer: 'adam',
  lr: 1e-3,
  serverLr: 1,
  upload: 'delta',
  aggregateFactors: ['A', 'B'],
  mode: 'batched',
  evalEvery: 1,
  divergenceFactor: 10,
};
