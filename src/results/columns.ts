/**
 * Column catalogue: meaning, unit and axis label of every column the runs write (PHY Monte-Carlo,
 * federated training, AirFL-LoRA, split learning, sweeps). One place, so that figures label their
 * axes in words with units, confidence bands are clipped to the quantity's range, and every results
 * folder documents its CSVs (COLUMNS.md).
 *
 * Derived names are understood too: `<col>_db` (10·log10 of <col>), `<col>_ci_low`/`_ci_high`
 * (95% CI ends), `<col>_mean`, `<col>_median`, `<col>_median_low`/`_high`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunFolder } from './run-folder.js';
import { csvHeader } from './csv.js';

export interface ColumnInfo {
  /** Axis title in words (no unit). */
  label: string;
  /** Unit ('' for dimensionless counts and ratios, 'dB', 's', ...). */
  unit: string;
  /** One sentence: what the column holds. */
  meaning: string;
  /** Range the quantity can take (CI bands are clipped to it). */
  range?: [number, number];
  /** 'key' columns identify a row (scheme, trial, round, sweep point); 'metric' columns are measured. */
  kind: 'key' | 'metric';
  /** Column holding the budget this quantity is held to (figures draw it as a line). */
  budget?: string;
  /** Math symbol of a system parameter (facet headers: "Nᵣ = 16"). */
  symbol?: string;
  /** The values name themselves (scheme labels): a facet header shows the value alone ("mmse"). */
  selfLabelled?: boolean;
}

const INF = Number.POSITIVE_INFINITY;
const nonNeg: [number, number] = [0, INF];
const unit01: [number, number] = [0, 1];

const key = (label: string, unit: string, meaning: string, symbol?: string): ColumnInfo => ({ label, unit, meaning, kind: 'key', ...(symbol ? { symbol } : {}) });
const metric = (label: string, unit: string, meaning: string, range?: [number, number], budget?: string): ColumnInfo =>
  ({ label, unit, meaning, kind: 'metric', ...(range ? { range } : {}), ...(budget ? { budget } : {}) });

export const COLUMNS: Record<string, ColumnInfo> = {
  // identifiers and sweep points
  scheme: { ...key('aggregation scheme', '', 'Aggregation scheme label from the scenario (ideal, zf, mmse, tci, manifold, digital, or a custom label).'), selfLabelled: true },
  scheduler: { ...key('scheduler', '', 'Split-learning device scheduler (lyapunov, all-in, random, best-channel, round-robin).'), selfLabelled: true },
  method: key('method', '', 'Beamformer design method whose objective is traced.'),
  task: key('task', '', 'Split-learning task (dataset and genres).'),
  trial: key('trial', '', 'Monte-Carlo trial index (0-based); every scheme of a trial sees the same channel, noise and data draws.'),
  sweep_trial: key('sweep trial', '', 'Repetition of a sweep grid point with another derived seed (0-based).'),
  job: key('sweep job', '', 'Index of the sweep job (one grid point × repetition) that wrote the row.'),
  seed: key('seed', '', 'Scenario seed every random stream of the run is derived from.'),
  round: key('round', '', 'Federated round. Training runs: 0 = evaluation before training, r = after r rounds. Split runs: 0-based index of the round (figures show it + 1, the rounds completed).'),
  rounds: key('rounds', '', 'Number of rounds the run completed.'),
  iteration: key('iteration', '', 'Iteration of the beamformer optimiser (0 = its starting point).'),
  point: key('operating point', '', 'Label of the PHY operating point (SNR or transmit power).'),
  snr_db: key('SNR', 'dB', 'Per-device transmit SNR P/σ² per subcarrier.', 'SNR'),
  power_dbm: key('device transmit power', 'dBm', 'Device transmit power budget (path-loss scenarios).', 'P'),
  server_antennas: key('server antennas Nᵣ', '', 'Receive antennas at the server (N_r).', 'Nᵣ'),
  antennas: key('server antennas Nᵣ', '', 'Receive antennas at the server (N_r).', 'Nᵣ'),
  devices: key('devices K', '', 'Number of participating devices (K); in split metrics.csv the ids of the devices scheduled that round.', 'K'),
  devices_total: key('devices K', '', 'Devices in the split-learning system (K).'),
  clients: key('clients per round', '', 'Clients that trained and uploaded in the round.'),
  streams: key('streams S', '', 'Spatial streams per subcarrier (S).', 'S'),
  rank: key('LoRA rank r', '', 'LoRA rank r of the trained adapters.', 'r'),
  joint: key('jointly chosen rank', '', '1 when this rank is the one the AirFL-LoRA design loop chose, else 0.'),
  budget_s: key('delay budget τ̄', 's', 'Average per-round delay budget τ̄ of the split-learning scheduler.', 'τ̄'),
  bandwidth_hz: key('bandwidth', 'Hz', 'Uplink bandwidth shared by the scheduled devices.'),
  V: key('Lyapunov weight V', '', 'Lyapunov drift-plus-penalty trade-off weight V.'),
  devices_per_round: key('devices per round', '', 'Fixed devices per round of a baseline scheduler (empty for lyapunov, which adapts it).'),
  target_accuracy: key('target accuracy', '', 'Test accuracy the time-to-target columns refer to.'),
  trials: key('trials', '', 'Number of trials (replicates) behind a summary row.'),
  feasible: key('feasible', '', '1 when the rank meets the latency constraint, else 0.'),
  // PHY Monte-Carlo
  nmse: metric('NMSE', '', 'Squared error of the aggregate over the squared norm of the ideal aggregate (normalised MSE, linear).', nonNeg),
  nmse_symbols: metric('symbol NMSE', '', 'NMSE of the received symbol-domain aggregate (before de-normalisation).', nonNeg),
  nmse_conditional: metric('expected NMSE given the channel', '', 'Expected NMSE of the trial given its channel: the design\'s MSE on the true channel over the target power (no payload noise; CSI error counts).', nonNeg),
  nmse_analytic: metric('analytic NMSE', '', 'NMSE the transceiver design predicts (older runs; now nmse_analytic_on_estimate).', nonNeg),
  nmse_analytic_on_estimate: metric('design NMSE on the estimate', '', 'NMSE the transceiver design predicts on the channel estimate it saw (optimistic under CSI error).', nonNeg),
  channel_inversion: key('channel inversion', '', '1 when the design inverts the channel (zero-forcing precoders), else 0.'),
  heavy_tail: key('heavy tail', '', '1 when the NMSE has no finite mean (S = N_t with channel inversion) or a Hill tail index below 2; the median is then the headline.'),
  tail_index: metric('tail index', '', 'Hill estimate of the NMSE tail index α (P(X > x) ~ x^−α; the mean is finite for α > 1, the variance for α > 2).', nonNeg),
  headline: key('headline statistic', '', "'median' where the NMSE is heavy-tailed, else 'mean'; the nmse_headline_* columns hold that figure and its 95% CI."),
  nmse_headline: metric('NMSE (headline)', '', 'The headline NMSE: the median for heavy-tailed schemes, else the mean.', nonNeg),
  nmse_median_coverage: metric('median CI coverage', '', 'Exact coverage of the order-statistic interval of the median (≥ 0.95 from 6 trials on).', unit01),
  // training
  train_loss: metric('training loss', 'nats', 'Mean cross-entropy on the clients\' training batches of the round.', nonNeg),
  eval_loss: metric('test loss', 'nats', 'Mean cross-entropy on the held-out test set.', nonNeg),
  test_loss: metric('test loss', 'nats', 'Mean cross-entropy on the held-out test set (empty between evaluations).', nonNeg),
  perplexity: metric('test perplexity', '', 'exp(test loss) of the language model.', [1, INF]),
  symbol: key('OFDM symbol index', '', 'index t of the OFDM symbol within the upload (0: the symbol the transceivers were designed for).'),
  time_s: metric('time into the upload', 's', 't · T_sym: time since the transceivers were designed.', [0, INF]),
  delta_eval_loss_vs_ideal: metric('Δ test loss vs ideal', 'nats', "final test loss under the scheme minus under ideal aggregation, averaged over the clients' evaluation sets (paired: same clients, data and draws).", [-INF, INF]),
  delta_ci_low: metric('Δ vs ideal, 95% CI low', 'nats', 'lower end of the paired 95% t-interval of the Δ over the clients.', [-INF, INF]),
  delta_ci_high: metric('Δ vs ideal, 95% CI high', 'nats', 'upper end of the paired 95% t-interval of the Δ over the clients.', [-INF, INF]),
  paired_clients: metric('paired clients', '', 'clients (evaluation sets) the paired difference is taken over.', [0, INF]),
  accuracy: metric('test accuracy', '', 'Fraction of test examples classified correctly.', unit01),
  test_accuracy: metric('test accuracy', '', 'Fraction of test examples classified correctly (empty between evaluations).', unit01),
  train_accuracy: metric('training accuracy', '', 'Fraction of the round\'s training examples classified correctly.', unit01),
  latency_s: metric('upload latency', 's', 'Air time of the round\'s upload.', nonNeg),
  energy_j: metric('upload energy', 'J', 'Transmit energy of all devices in the round\'s upload.', nonNeg),
  wall_s: metric('wall time', 's', 'Wall-clock time of the round on this machine (timing.csv only; not reproducible).', nonNeg),
  latency_total_s: metric('total upload latency', 's', 'Air time summed over all rounds.', nonNeg),
  energy_total_j: metric('total upload energy', 'J', 'Transmit energy summed over all rounds.', nonNeg),
  // AirFL-LoRA design
  entries: metric('uploaded entries', '', 'Real LoRA entries each device uploads per round at this rank.', nonNeg),
  mse_mean: metric('mean transceiver MSE', '', 'Mean aggregation MSE of the designed transceivers over channel draws.', nonNeg),
  bound: metric('optimality-gap bound', 'nats', 'Optimality-gap bound of the design loop (initial + aggregation + variance + truncation terms; docs/airfl.md).', nonNeg),
  initial: metric('bound: initial term', 'nats', 'Initial-gap term of the bound.', nonNeg),
  aggregation: metric('bound: aggregation term', 'nats', 'Aggregation-error term of the bound.', nonNeg),
  truncation: metric('bound: truncation term', 'nats', 'Rank-truncation term of the bound.', nonNeg),
  curve: key('curve', '', 'check.csv: which gap the row holds, the optimality-gap bound ("bound") or the measured gap final eval loss − F* ("measured").'),
  gap: metric('gap to F*', 'nats', 'check.csv: optimality gap above the reference asymptote F*, bounded or measured (a measured gap can be negative when a run ends below F*).'),
  shrink: metric('alignment gain', '', 'Alignment gain c̄ of the designed transceivers (1: zero forcing; < 1: the aggregate is shrunk toward zero, as by an MMSE transceiver); the bound contracts at 1 − c̄(1 − q_r) (docs/airfl.md).', nonNeg),
  variance: metric('bound: variance term', 'nats', 'Minibatch-variance term of the bound.', nonNeg),
  ofdm_symbols: metric('OFDM symbols', '', 'OFDM symbols T(r) = ⌈D(r)/(2·M·S)⌉ one upload at this rank needs.', nonNeg),
  evaluated: key('evaluated by the search', '', '1 when the backtracking rank search evaluated this rank, else 0 (every rank is evaluated by the exhaustive pass).'),
  objective: metric('design objective', '', 'Beamformer design objective (∝ the aggregation MSE of the weakest device).', nonNeg),
  // split learning
  scheduled: metric('scheduled devices', '', 'Devices scheduled in the round.', nonNeg),
  round_delay_s: metric('round delay', 's', 'Delay of the round: the slowest scheduled device\'s downlink + compute + uplink, plus the server\'s compute for every scheduled device.', nonNeg, 'budget_s'),
  avg_delay_s: metric('average round delay', 's', 'Running average of the round delays up to this round.', nonNeg, 'budget_s'),
  cum_delay_s: metric('cumulative delay', 's', 'Sum of the round delays up to this round.', nonNeg),
  queue_s: metric('virtual queue', 's', 'Lyapunov virtual queue: accumulated excess of the round delay over the budget.', nonNeg),
  test_examples: metric('test examples', '', 'Test examples behind the accuracy (empty between evaluations).', nonNeg),
  up_bits: metric('uplink bits', 'bit', 'Bits all scheduled devices sent up in the round.', nonNeg),
  down_bits: metric('downlink bits', 'bit', 'Bits the server sent down in the round.', nonNeg),
  full_hidden_gradient_bits: metric('full hidden-gradient bits', 'bit', 'Bits the round would need without the low-rank uplink compression.', nonNeg),
  unsplit_upload_bits: metric('unsplit upload bits', 'bit', 'Bits the round would need uploading the whole LoRA model (no split).', nonNeg),
  final_test_accuracy: metric('final test accuracy', '', 'Test accuracy after the last round.', unit01),
  final_acc_ci_low: metric('final test accuracy, CI low', '', 'Lower end of the 95% Wilson interval of the final accuracy over test examples.', unit01),
  final_acc_ci_high: metric('final test accuracy, CI high', '', 'Upper end of the 95% Wilson interval of the final accuracy over test examples.', unit01),
  best_test_accuracy: metric('best test accuracy', '', 'Best test accuracy over the run\'s evaluations.', unit01),
  last4_test_accuracy: metric('test accuracy (last 4 evaluations)', '', 'Mean test accuracy of the last four evaluations.', unit01),
  final_train_loss_avg5: metric('final training loss (last 5 rounds)', 'nats', 'Mean training loss of the last five rounds.', nonNeg),
  mean_scheduled: metric('mean scheduled devices', '', 'Mean devices scheduled per round.', nonNeg),
  avg_delay_over_budget: metric('average delay / budget', '', 'Average round delay divided by the budget τ̄ (≤ 1 meets the constraint).', nonNeg),
  final_queue_s: metric('final virtual queue', 's', 'Virtual queue after the last round.', nonNeg),
  rounds_to_target: metric('rounds to target accuracy', '', 'First round whose test accuracy reaches the target (empty if never; across trials: never counts as rounds + 1).', nonNeg),
  delay_to_target_s: metric('delay to target accuracy', 's', 'Cumulative delay when the target accuracy is first reached (empty if never).', nonNeg),
  up_bits_total: metric('total uplink bits', 'bit', 'Uplink bits summed over the run.', nonNeg),
  down_bits_total: metric('total downlink bits', 'bit', 'Downlink bits summed over the run.', nonNeg),
  full_hidden_gradient_bits_total: metric('total full hidden-gradient bits', 'bit', 'Bits the run would need without the low-rank uplink.', nonNeg),
  wall_ms_per_round: metric('wall time per round', 'ms', 'Mean wall-clock time per round on this machine (not reproducible).', nonNeg),
  reached: metric('trials reaching target', '', 'Trials whose accuracy reached the target.', nonNeg),
  encoder: key('base encoder', '', 'What the frozen base encoder is: random-feature (drawn from the seed, no pre-training) or the checkpoint folder it was loaded from.'),
  uplink: key('split uplink', '', 'What crosses the uplink each round (split.uplink): per-round-embeddings, cached-embeddings or gradients-only.'),
  gradient: key('split gradient', '', 'Gradient the devices send (split.gradient): exact, or the r-per-example u-only variant.'),
  model: key('reference model', '', 'The reference model behind the row (e.g. bag-of-words logistic regression on the same tokens).'),
  devices_mix_p: key('share of n + 1 rounds', '', 'Fraction of rounds a matched baseline schedules n + 1 devices instead of n, so that it meets τ̄ on average (empty for lyapunov and all-in).'),
  cum_up_bits: metric('cumulative uplink bits', 'bit', 'Uplink bits of all scheduled devices summed up to this round.', nonNeg),
  cum_unsplit_upload_bits: metric('cumulative unsplit upload bits', 'bit', 'Bits unsplit federated LoRA would have uploaded up to this round with the same devices.', nonNeg),
  up_bits_per_round_embeddings: metric('uplink bits, per-round embeddings', 'bit', 'Uplink bits of the round if embeddings were re-sent every round (split.uplink: per-round-embeddings).', nonNeg),
  up_bits_cached_embeddings: metric('uplink bits, cached embeddings', 'bit', 'Uplink bits of the round if each device\'s embeddings go up once and are cached at the server (split.uplink: cached-embeddings).', nonNeg),
  up_bits_gradients_only: metric('uplink bits, gradients only', 'bit', 'Uplink bits of the round counting the low-rank gradients alone (split.uplink: gradients-only).', nonNeg),
  cls_full_width_gradient_bits: metric('[CLS] full-width gradient bits', 'bit', 'Bits of the round\'s baseline uplink: the full-width gradient at the [CLS] row (the per-token gradient is zero elsewhere).', nonNeg),
  up_bits_total_per_round_embeddings: metric('total uplink bits, per-round embeddings', 'bit', 'Run total of up_bits_per_round_embeddings.', nonNeg),
  up_bits_total_cached_embeddings: metric('total uplink bits, cached embeddings', 'bit', 'Run total of up_bits_cached_embeddings.', nonNeg),
  up_bits_total_gradients_only: metric('total uplink bits, gradients only', 'bit', 'Run total of up_bits_gradients_only.', nonNeg),
  cls_full_width_gradient_bits_total: metric('total [CLS] full-width gradient bits', 'bit', 'Run total of cls_full_width_gradient_bits.', nonNeg),
  unsplit_upload_bits_total: metric('total unsplit upload bits', 'bit', 'Run total of unsplit_upload_bits.', nonNeg),
  grad_rel_error: metric('gradient relative error', '', 'Relative error ‖g̃ − g‖/‖g‖ of the uplinked gradient against the exact one (u-only variant; empty for exact).', nonNeg),
  mean_grad_rel_error: metric('mean gradient relative error', '', 'Mean over rounds of grad_rel_error (empty for the exact gradient).', nonNeg),
  over_budget: metric('over budget', '', '1 when the run\'s average round delay exceeds τ̄, else 0.', unit01),
  over_budget_trials: metric('trials over budget', '', 'Trials whose average round delay exceeded τ̄.', nonNeg),
  total_delay_s: metric('total radio delay', 's', 'Sum of all round delays of the run (wall-clock of the radio).', nonNeg),
  participation_farthest: metric('participation of the farthest device', '', 'Fraction of rounds the device with the weakest average channel was scheduled.', unit01),
  participation_nearest: metric('participation of the nearest device', '', 'Fraction of rounds the device with the strongest average channel was scheduled.', unit01),
  participation_min: metric('lowest participation', '', 'Smallest fraction of rounds any device was scheduled.', unit01),
  participation_max: metric('highest participation', '', 'Largest fraction of rounds any device was scheduled.', unit01),
  train_examples: metric('training examples', '', 'Training examples the reference model was fitted on.', nonNeg),
  test_acc_ci_low: metric('test accuracy, CI low', '', 'Lower end of the 95% Wilson interval of the test accuracy over test examples.', unit01),
  test_acc_ci_high: metric('test accuracy, CI high', '', 'Upper end of the 95% Wilson interval of the test accuracy over test examples.', unit01),
  a: key('scheduler a', '', 'Paired comparison: the scheduler the difference is taken from (a − b).'),
  b: key('scheduler b', '', 'Paired comparison: the scheduler subtracted (a − b).'),
  column: key('compared column', '', 'Paired comparison: the summary column compared trial by trial.'),
  mean_diff: metric('mean paired difference', '', 'Mean over trials of column(a) − column(b), each trial on the same channel, data and initialisation draws.'),
  ci_low: metric('paired difference, CI low', '', 'Lower end of the 95% paired t-interval of mean_diff over trials.'),
  ci_high: metric('paired difference, CI high', '', 'Upper end of the 95% paired t-interval of mean_diff over trials.'),
  excludes_zero: metric('interval excludes 0', '', '1 when the 95% paired t-interval of the difference excludes 0, else 0.', unit01),
};

const SUFFIXES: { suffix: string; derive: (b: ColumnInfo) => Partial<ColumnInfo> }[] = [
  { suffix: '_median_low', derive: (b) => ({ label: `${b.label}, median CI low`, meaning: `Lower end of the 95% CI of the median of ${b.label} over trials.` }) },
  { suffix: '_median_high', derive: (b) => ({ label: `${b.label}, median CI high`, meaning: `Upper end of the 95% CI of the median of ${b.label} over trials.` }) },
  { suffix: '_ci_low', derive: (b) => ({ label: `${b.label}, CI low`, meaning: `Lower end of the 95% CI (Student t over trials) of the mean of ${b.label}.` }) },
  { suffix: '_ci_high', derive: (b) => ({ label: `${b.label}, CI high`, meaning: `Upper end of the 95% CI (Student t over trials) of the mean of ${b.label}.` }) },
  { suffix: '_median', derive: (b) => ({ label: `median ${b.label}`, meaning: `Median of ${b.label} over trials.` }) },
  { suffix: '_mean', derive: (b) => ({ label: `mean ${b.label}`, meaning: `Mean of ${b.label} over trials (or rounds, for per-run summaries).` }) },
];

/** What a column means, with derived names (`nmse_mean_db`, `final_test_accuracy_ci_low`, ...). */
export function columnInfo(name: string): ColumnInfo | undefined {
  const direct = COLUMNS[name];
  if (direct) return direct;
  if (name.endsWith('_db')) {
    const b = columnInfo(name.slice(0, -3));
    if (b && b.unit === '') return { ...b, unit: 'dB', meaning: `${b.meaning} In dB (10·log10).`, range: undefined };
  }
  for (const { suffix, derive } of SUFFIXES) {
    if (name.endsWith(suffix)) {
      const b = columnInfo(name.slice(0, -suffix.length));
      if (b) return { ...b, kind: 'metric', ...derive(b) };
    }
  }
  return undefined;
}

/** Axis title in words with the unit: "average round delay (s)", "NMSE (dB)". Unknown columns: the name itself. */
export function axisTitle(name: string, opts: { db?: boolean } = {}): string {
  const c = columnInfo(name);
  if (!c) return opts.db ? `${name} (dB)` : name;
  const unit = opts.db ? 'dB' : c.unit;
  return unit ? `${c.label} (${unit})` : c.label;
}

/** The CSV files of a folder (top level), sorted. */
export function csvFiles(folder: RunFolder): string[] {
  if (!existsSync(folder.dir)) return [];
  return readdirSync(folder.dir).filter((f) => f.endsWith('.csv') && !f.startsWith('.')).sort();
}

const md = (s: string) => s.replace(/\|/g, '\\|');

/**
 * CSVs of nested run folders (an AirFL run's runs/<rank>-<scheme>/, a sweep's jobs/<id>/), grouped
 * by pattern: `runs/*\/metrics.csv` → the union of their headers.
 */
export function nestedCsvs(folder: RunFolder): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const parent of ['runs', 'jobs']) {
    const dir = join(folder.dir, parent);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    for (const sub of readdirSync(dir).sort()) {
      const d = join(dir, sub);
      if (!statSync(d).isDirectory()) continue;
      for (const f of readdirSync(d).filter((x) => x.endsWith('.csv') && !x.startsWith('.')).sort()) {
        let header: string[];
        try { header = csvHeader(readFileSync(join(d, f), 'utf8')); } catch { continue; }
        const key = `${parent}/*/${f}`;
        const cols = out.get(key) ?? [];
        for (const c of header) if (!cols.includes(c)) cols.push(c);
        out.set(key, cols);
      }
    }
  }
  return out;
}

/** Sweep grid columns of a folder: CSV column → scenario path (from the sweep manifest). */
export function sweepColumns(folder: RunFolder): Map<string, string> {
  const out = new Map<string, string>();
  if (!folder.hasManifest()) return out;
  const m = folder.manifest() as unknown as { columns?: unknown; grid?: unknown };
  if (!Array.isArray(m.columns)) return out;
  const paths = m.grid && typeof m.grid === 'object' ? Object.keys(m.grid) : [];
  m.columns.forEach((c, i) => { if (typeof c === 'string') out.set(c, paths[i] ?? c); });
  return out;
}

/**
 * COLUMNS.md for a results folder: for every top-level CSV, one table with the meaning and unit of
 * each of its columns. Sweep grid columns (the manifest's `columns`) are described as sweep points.
 */
export function columnsMarkdown(folder: RunFolder): string {
  const grid = sweepColumns(folder);
  const out = ['# Columns', '', 'Meaning and unit of every column of the CSV files in this folder (written by airlora;',
    'catalogue: `src/results/columns.ts`). Empty cells mean "not measured in this row".', ''];
  const tables: [string, string[]][] = [];
  for (const file of csvFiles(folder)) {
    try { tables.push([file, csvHeader(folder.readText(file))]); } catch { /* unreadable: skip */ }
  }
  tables.push(...nestedCsvs(folder));
  for (const [file, header] of tables) {
    out.push(`## ${file}`, '', '| column | unit | meaning |', '|---|---|---|');
    for (const col of header) {
      const c = columnInfo(col);
      const sweep = grid.get(col);
      const meaning = c
        ? c.meaning + (sweep ? ` Sweep grid value of \`${sweep}\`.` : '')
        : sweep ? `Sweep grid value of \`${sweep}\`.` : 'Not in the catalogue (a custom or sweep column).';
      out.push(`| \`${md(col)}\` | ${md(c?.unit ?? '')} | ${md(meaning)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** Write COLUMNS.md into the folder; returns the columns no catalogue entry explains. */
export function writeColumnsDoc(folder: RunFolder): string[] {
  folder.writeText('COLUMNS.md', columnsMarkdown(folder));
  const unknown: string[] = [];
  const grid = sweepColumns(folder);
  const tables: [string, string[]][] = [];
  for (const file of csvFiles(folder)) {
    try { tables.push([file, csvHeader(folder.readText(file))]); } catch { /* unreadable: skip */ }
  }
  tables.push(...nestedCsvs(folder));
  for (const [file, header] of tables) for (const col of header) if (!columnInfo(col) && !grid.has(col)) unknown.push(`${file}:${col}`);
  return unknown;
}
