/**
 * The federated round loop: select → local LoRA training → upload flat vectors → aggregate (any
 * `Aggregator`) → server update → evaluate → metrics and checkpoint.
 *
 * The trainer knows no architecture: it gets a `makeModel(slots)` that returns a `BatchedLoraModel`
 * with that many adapter slots over the shared frozen base (same initial adapters for any slot count).
 * One model is built per run: S = clients per round slots in batched mode, 1 in loop mode.
 *
 * Random streams (from the scenario seed): ('client-sampling', round), ('batch', round, client, step),
 * child ('aggregation', round) for the aggregator. All keyed by round, so `resume` from the checkpoint
 * of round k replays rounds k+1… exactly as an uninterrupted run.
 */
import type { FederatedData } from '../data/federated.js';
import type { BatchedLoraModel } from '../lora/batched.js';
import type { RandomStreams } from '../random/streams.js';
import type { RunFolder } from '../results/run-folder.js';
import type { CsvRow } from '../results/csv.js';
import { DivergenceError, NumericalError } from '../errors.js';
import { nmse, weightedAverage, type Aggregator, type UploadKind } from './aggregator.js';
import { loadCheckpoint, saveCheckpoint, type FlCheckpoint } from './checkpoint.js';
import type { FlConfig } from './config.js';
import { gather, selectedEntries } from './entries.js';
import { evaluateGlobal, type EvalResult } from './evaluate.js';
import { localTraining } from './local.js';
import { CSV_COLUMNS, METRIC_COLUMNS } from './metrics.js';
import { clientsPerRound, selectClients } from './selection.js';

export interface FederatedRunOptions {
  config: FlConfig;
  data: FederatedData;
  makeModel: (slots: number) => BatchedLoraModel;
  aggregator: Aggregator;
  streams: RandomStreams;
  /** Results folder: metrics.csv, rounds.jsonl, checkpoint.json (optional for library use). */
  folder?: RunFolder;
  /** Continue from the folder's checkpoint when it has one. */
  resume?: boolean;
  /** Stop after this round (tests: simulate a kill after round k). */
  stopAfterRound?: number;
  /** Progress line per round (default: none). */
  log?: (line: string) => void;
  /** after every round: rounds done of the total (progress bars, ETAs) */
  onProgress?: (done: number, total: number) => void;
}

export interface FederatedRunResult {
  rows: CsvRow[];
  records: Record<string, unknown>[];
  global: Float32Array;
  lastRound: number;
}

export async function runFederated(opts: FederatedRunOptions): Promise<FederatedRunResult> {
  const { config: cfg, data, aggregator, streams, folder } = opts;
  const K = data.clients.length;
  if (K !== cfg.clients) throw new Error(`data has ${K} clients, config ${cfg.clients}`);
  const S = cfg.mode === 'batched' ? clientsPerRound(K, cfg.selection) : 1;
  const model = opts.makeModel(S);
  try {
    const entries = selectedEntries(model.adapterLayout(), cfg.aggregateFactors, model.adapterSize);
    const upload: UploadKind = cfg.algorithm === 'fedsgd' ? 'gradient' : cfg.upload;
    const sizes = data.clients.map((c) => c.size);

    let state: FlCheckpoint | undefined = opts.resume && folder ? loadCheckpoint(folder, { rounds: cfg.rounds, adapterSize: model.adapterSize }) : undefined;
    if (!state) {
      const global = model.getAdapters(0);
      const t0 = performance.now();
      const ev = evaluateGlobal(model, global, data);
      checkFiniteLoss(ev.loss, 'evaluation loss before training', 0);
      const row = metricRow(0, aggregator.name, 0, NaN, ev, NaN, {}, (performance.now() - t0) / 1000, data.kind);
      const record = { round: 0, eval: evalRecord(ev) };
      state = { format: 'airlora-fl-checkpoint/1', round: 0, adapterSize: model.adapterSize, global, initialEvalLoss: ev.loss, rows: [row], records: [record] };
      persist(folder, state);
      opts.log?.(progress(row, cfg.rounds));
      opts.onProgress?.(0, cfg.rounds);
    } else if (state.adapterSize !== model.adapterSize) {
      throw new NumericalError(`resume: checkpoint adapter size ${state.adapterSize} ≠ model's ${model.adapterSize}`);
    }

    const uniform = uniformGuessLoss(model, data);
    const last = Math.min(cfg.rounds, opts.stopAfterRound ?? Infinity);
    for (let round = state.round + 1; round <= last; round++) {
      // a macrotask turn per round, so signals (SIGINT/SIGTERM) reach their handlers between rounds
      await new Promise<void>((r) => setImmediate(r));
      const t0 = performance.now();
      const global = state.global;
      const selected = selectClients(K, cfg.selection, round, streams);
      const total = selected.reduce((s, k) => s + sizes[k]!, 0);
      const weights = Float64Array.from(selected, (k) => sizes[k]! / total);

      const local = localTraining(model, selected, global, data, cfg, round, streams);
      const trainLoss = local.trainLoss.reduce((s, x) => s + x, 0) / local.trainLoss.length;
      checkFiniteLoss(trainLoss, 'training loss', round);

      const vectors = local.uploads.map((u) => gather(u, entries));
      const ideal = weightedAverage(vectors, weights);
      const res = await aggregator.aggregate({
        vectors, weights,
        context: { round, clients: selected, streams: streams.child('aggregation', round), upload },
      });
      const agg = res.aggregate;
      if (agg.length !== ideal.length) throw new Error(`aggregator '${aggregator.name}' returned ${agg.length} entries, expected ${ideal.length}`);
      for (let i = 0; i < agg.length; i++) {
        if (!Number.isFinite(agg[i]!)) throw new NumericalError(`round ${round}: aggregator '${aggregator.name}' returned a non-finite entry at ${i}; last good checkpoint is round ${round - 1}`);
      }
      // Reference: the ideal average rounded to float32 (what an error-free link delivers), so the
      // ideal aggregator scores exactly 0 (−∞ dB) rather than float32 rounding noise.
      const err = nmse(agg, Float32Array.from(ideal));
      const next = serverUpdate(global, agg, entries, cfg, upload);
      checkUpdate(global, next, round);

      const doEval = round % cfg.evalEvery === 0 || round === cfg.rounds;
      const ev = doEval ? evaluateGlobal(model, next, data) : undefined;
      if (ev) checkFiniteLoss(ev.loss, 'evaluation loss', round);
      checkLoss(ev?.loss, trainLoss, state.initialEvalLoss, uniform, cfg.divergenceFactor, round);

      const wall = (performance.now() - t0) / 1000;
      const row = metricRow(round, aggregator.name, selected.length, trainLoss, ev, err, res.diagnostics, wall, data.kind);
      const record = {
        round, clients: selected, weights: Array.from(weights), trainLoss,
        ...(cfg.mode === 'loop' ? { clientTrainLoss: local.trainLoss } : {}), nmse: err,
        diagnostics: res.diagnostics, ...(ev ? { eval: evalRecord(ev) } : {}), wallS: wall,
      };
      state = { ...state, round, global: next, rows: [...state.rows, row], records: [...state.records, record] };
      persist(folder, state);
      opts.log?.(progress(row, cfg.rounds));
      opts.onProgress?.(round, cfg.rounds);
    }
    return { rows: state.rows, records: state.records, global: state.global, lastRound: state.round };
  } finally {
    model.dispose();
  }
}

function serverUpdate(global: Float32Array, agg: Float32Array, entries: Uint32Array | null, cfg: FlConfig, upload: UploadKind): Float32Array {
  const next = Float32Array.from(global);
  const n = entries ? entries.length : global.length;
  for (let j = 0; j < n; j++) {
    const i = entries ? entries[j]! : j;
    if (upload === 'weights') next[i] = agg[j]!;
    else if (upload === 'delta') next[i] = global[i]! + cfg.serverLr * agg[j]!;
    else next[i] = global[i]! - cfg.serverLr * agg[j]!;
  }
  return next;
}

/** Loss of a model that guesses uniformly: ln V (language model over V tokens), ln C (C classes). */
function uniformGuessLoss(model: BatchedLoraModel, data: FederatedData): number {
  // BatchedLora exposes its frozen base; another implementation may not (then: classes, or no floor).
  const c = (model as { base?: { config?: { vocabSize?: number; numLabels?: number } } }).base?.config;
  if (data.kind === 'lm') return c?.vocabSize ? Math.log(c.vocabSize) : 0;
  return Math.log(c?.numLabels ?? data.numClasses);
}

/**
 * Divergence by loss. Cross-entropy saturates near the uniform-guessing loss U when training blows up
 * (softmax outputs collapse), so a multiple of the starting loss is never reached; the reference is
 * max(U, starting loss) and the run has diverged when the evaluation loss exceeds it by ln 2 nats
 * (perplexity twice uniform guessing's). The training loss, a noisy mini-batch estimate, is held to
 * `divergenceFactor` × that reference.
 */
function checkLoss(evalLoss: number | undefined, trainLoss: number, initial: number, uniform: number, factor: number, round: number): void {
  const ref = Math.max(uniform, initial);
  const hint = '(lower the learning rate, or raise the SNR)';
  if (evalLoss !== undefined && evalLoss > ref + Math.LN2) {
    throw new DivergenceError(`training diverged in round ${round}: evaluation loss ${evalLoss.toPrecision(4)} > ${(ref + Math.LN2).toPrecision(4)} (uniform guessing ${uniform.toPrecision(4)}, start ${initial.toPrecision(4)}, + ln 2) ${hint}; last good checkpoint is round ${round - 1}`);
  }
  if (trainLoss > factor * ref) {
    throw new DivergenceError(`training diverged in round ${round}: training loss ${trainLoss.toPrecision(4)} > ${factor} × ${ref.toPrecision(4)} (max of uniform guessing and starting loss) ${hint}; last good checkpoint is round ${round - 1}`);
  }
}

/** Largest plausible update: ‖Δw‖ this many times ‖w‖ in one round is an explosion, not learning. */
const EXPLODING_UPDATE_RATIO = 100;

function checkUpdate(global: Float32Array, next: Float32Array, round: number): void {
  let d2 = 0, w2 = 0;
  for (let i = 0; i < next.length; i++) {
    const v = next[i]!;
    if (!Number.isFinite(v)) throw new DivergenceError(`training diverged in round ${round}: adapter entry ${i} became ${v}; last good checkpoint is round ${round - 1}`);
    d2 += (v - global[i]!) ** 2;
    w2 += global[i]! ** 2;
  }
  if (!Number.isFinite(d2) || (w2 > 0 && d2 > EXPLODING_UPDATE_RATIO ** 2 * w2)) {
    throw new DivergenceError(`training diverged in round ${round}: exploding update, ‖Δw‖ = ${Math.sqrt(d2).toPrecision(3)} is more than ${EXPLODING_UPDATE_RATIO} × ‖w‖ = ${Math.sqrt(w2).toPrecision(3)} (lower the learning rate, or raise the SNR); last good checkpoint is round ${round - 1}`);
  }
}

function checkFiniteLoss(v: number, what: string, round: number): void {
  if (!Number.isFinite(v)) {
    throw new DivergenceError(`training diverged in round ${round}: ${what} is ${v}${round > 0 ? `; last good checkpoint is round ${round - 1}` : ''}`);
  }
}

function metricRow(round: number, scheme: string, clients: number, trainLoss: number, ev: EvalResult | undefined, err: number,
  diag: Record<string, number | undefined>, wall: number, kind: 'lm' | 'classifier'): CsvRow {
  const row: CsvRow = {
    round, scheme, clients,
    train_loss: Number.isNaN(trainLoss) ? null : trainLoss,
    eval_loss: ev?.loss ?? null,
    perplexity: kind === 'lm' ? ev?.perplexity ?? null : null,
    accuracy: kind === 'classifier' ? ev?.accuracy ?? null : null,
    nmse: Number.isNaN(err) ? null : err,
    nmse_db: Number.isNaN(err) ? null : err > 0 ? 10 * Math.log10(err) : -Infinity,
    latency_s: diag['latencyS'] ?? null,
    energy_j: diag['energyJ'] ?? null,
    wall_s: wall,
  };
  return Object.fromEntries(METRIC_COLUMNS.map((c) => [c, row[c]]));
}

function evalRecord(ev: EvalResult): Record<string, unknown> {
  return { loss: ev.loss, perplexity: ev.perplexity, accuracy: ev.accuracy, perClientLoss: ev.perClientLoss, perClientAccuracy: ev.perClientAccuracy };
}

function persist(folder: RunFolder | undefined, state: FlCheckpoint): void {
  if (!folder) return;
  folder.writeCsv('metrics.csv', state.rows, CSV_COLUMNS);
  folder.writeCsv('timing.csv', state.rows.map((r) => ({ round: r['round'] ?? null, wall_s: r['wall_s'] ?? null })));
  folder.writeText('rounds.jsonl', state.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  saveCheckpoint(folder, state); // last: a checkpoint never points past the files above
}

function progress(row: CsvRow, rounds: number): string {
  const f = (v: unknown, d = 4) => (typeof v === 'number' && Number.isFinite(v) ? v.toPrecision(d) : '-');
  const parts = [`round ${row['round']}/${rounds}`, `train ${f(row['train_loss'])}`, `eval ${f(row['eval_loss'])}`];
  if (row['perplexity'] !== null) parts.push(`ppl ${f(row['perplexity'])}`);
  if (row['accuracy'] !== null) parts.push(`acc ${f(row['accuracy'], 3)}`);
  if (row['nmse_db'] !== null) parts.push(`nmse ${row['nmse_db'] === -Infinity ? '-inf' : f(row['nmse_db'], 3)} dB`);
  parts.push(`${f(row['wall_s'], 3)} s`);
  return parts.join('  ');
}
