/**
 * Per-round metrics: one row of `metrics.csv` per round (round 0 = evaluation before training) and
 * one richer record per round in `rounds.jsonl` (selected clients, weights, per-client losses,
 * aggregator diagnostics). `scheme` is the aggregator's name (the series of the report's presets, so
 * runs with different aggregators merge into one comparison table). Columns that do not apply are empty (perplexity for classification,
 * accuracy for LM, latency/energy for aggregators without a radio).
 */
export const METRIC_COLUMNS = [
  'round', 'scheme', 'clients', 'train_loss', 'eval_loss', 'perplexity', 'accuracy', 'nmse', 'nmse_db',
  'latency_s', 'energy_j', 'wall_s',
] as const;

/** Columns that depend on the machine, not the seed: kept out of metrics.csv (they go to timing.csv). */
export const TIMING_COLUMNS = ['wall_s'] as const;

/** metrics.csv: every column that depends only on the scenario and seed (byte-identical reruns). */
export const CSV_COLUMNS: string[] = METRIC_COLUMNS.filter((c) => !(TIMING_COLUMNS as readonly string[]).includes(c));
