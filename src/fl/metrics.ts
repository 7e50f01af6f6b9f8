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

/** Columns that depend on the machine, not the seed (left out when comparing runs). */
export const TIMING_COLUMNS = ['wall_s'] as const;
