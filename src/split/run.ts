/**
 * Runs a scenario with a `split:` section: for every task and trial, every scheduler trains the
 * split model on the same channel, data and initialisation draws. Writes into the run folder:
 *   metrics.csv   one row per task × trial × scheduler × round (loss, accuracy, delay, queue, bits)
 *   summary.csv   one row per task × trial × scheduler (final accuracy with its 95% CI, average
 *                 delay against the budget, rounds and delay to the target accuracy, bits)
 *   delay.csv     channel-only long run (delay_rounds) of every scheduler: round delay, queue and
 *                 running average (what the average-delay constraint is about)
 *   payload.json  bits of each message per device per round, and the comparisons
 *   timing.csv    wall time per round (kept out of the other files, which are reproducible to the byte)
 *   split-units.jsonl  while the run goes: every finished task × trial × scheduler unit's rows
 *                 (journal.ts), so `--resume` after a kill skips them; removed once the files are complete
 *   adapters/     with a Hugging Face checkpoint: trial 0's trained adapter of every task and scheduler
 *                 in PEFT's format (adapters/<task>/<scheduler>/)
 *
 * Entry point: `runSplit(cfg, folder, opts)`, called by the 'split' run kind (src/runs/split.ts) with
 * the typed configuration src/scenario/resolve/split.ts made from the scenario.
 */
import { UserInputError } from '../errors.js';
import { RandomStreams } from '../random/streams.js';
import { preset, type BertConfig } from '../models/config.js';
import { initModel, disposeWeights } from '../models/weights.js';
import type { RunFolder } from '../results/run-folder.js';
import type { CsvRow } from '../results/csv.js';
import type { SplitConfig } from './config.js';
import { SplitChannel, matchBudget, simulateDelays } from './delay-sim.js';
import { LyapunovScheduler } from './schedulers/lyapunov.js';
import { AllInScheduler, BestChannelScheduler, RandomScheduler, RoundRobinScheduler, mixedSize, type SizeSchedule } from './schedulers/fixed-size.js';
import type { BandwidthRule, Scheduler } from './schedulers/types.js';
import { loadTask, type TaskConfig } from './tasks.js';
import { trainSplit, payloadFor, stackBatches, type SplitRoundRecord } from './trainer.js';
import { roundFlops } from './payload.js';
import { SplitLoads, rowKeys, type TimingModel } from './loads.js';
import { BowLogistic } from './reference.js';
import { dbmToWatts } from '../phy/noise.js';
import { SplitLoraModel } from './model.js';
import { wilson } from './wilson.js';
import { summarize } from '../stats/summary.js';
import { applyBaseInit } from '../models/base-init.js';
import { loadHfModel } from '../models/hf/load.js';
import { HfTokenizer } from '../models/hf/tokenizer.js';
import type { PretrainedModel } from '../models/weights.js';
import { basename, join } from 'node:path';
import { writeSplitAdapter } from './adapter.js';
import { SplitJournal } from './journal.js';

export interface SplitRunOptions {
  log?: (line: string) => void;
  /** rounds done of the run's total (every task × trial × scheduler), for a progress bar with an ETA */
  onProgress?: (done: number, total: number) => void;
  /** continue a killed run in `folder`: units its journal holds are kept, not run again (journal.ts) */
  resume?: boolean;
}

export interface SplitRunResult {
  summary: CsvRow[];
}

/** The stream namespace of trial t's data (trial 0: the run's own, so one trial reads as before). */
function dataStreams(streams: RandomStreams, task: string, trial: number, resample: boolean): RandomStreams {
  return resample && trial > 0 ? streams.child('task', task, 'trial', trial) : streams.child('task', task);
}

export async function runSplit(cfg: SplitConfig, folder: RunFolder, opts: SplitRunOptions = {}): Promise<SplitRunResult> {
  const log = opts.log ?? (() => {});
  const seed = cfg.seed;
  const model = cfg.model;
  const radio = cfg.radio;
  const K = radio.devices;
  const streams = new RandomStreams(seed);
  const metrics: CsvRow[] = [];
  const summary: CsvRow[] = [];
  const delayRows: CsvRow[] = [];
  const timing: CsvRow[] = [];
  const reference: CsvRow[] = [];
  const payloadInfo: Record<string, unknown> = {};
  const ckpt = model.checkpoint;
  const encoder = ckpt !== undefined ? `pretrained (${ckpt}, frozen)` : `random-features (${model.baseInit} init, frozen)`;
  // a Hugging Face BERT brings its tokenizer: every task is encoded with its special tokens and token types
  const hfTok = ckpt !== undefined ? HfTokenizer.fromFolder(ckpt) : undefined;
  const ly = cfg.lyapunov;
  const bwRule = (kind: string): BandwidthRule =>
    cfg.baselineBandwidth !== 'default' ? cfg.baselineBandwidth : kind === 'best-channel' ? 'min-max' : 'equal';

  const labels = cfg.tasks.map(taskLabel);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup) throw new UserInputError(`split.tasks: two tasks are both '${dup}' (same data and partition); each task must differ`, 'split.tasks');
  const journal = new SplitJournal(folder, opts.resume ?? false);
  if (journal.size > 0) log(`split: resuming, ${journal.size} finished task × trial × scheduler unit(s) kept from the journal`);
  // progress in rounds over the units still to run (kept units left out, so the ETA is the rest's)
  let keptUnits = 0;
  for (const task of labels) for (let trial = 0; trial < cfg.trials; trial++) for (const kind of cfg.schedulers) if (journal.get(task, trial, kind)) keptUnits++;
  const totalRounds = (labels.length * cfg.trials * cfg.schedulers.length - keptUnits) * cfg.rounds;
  let roundsDone = 0;
  const progress = (extra: number) => opts.onProgress?.(roundsDone + extra, totalRounds);
  for (const taskCfg of cfg.tasks) {
    const task = taskLabel(taskCfg);
    const fixedData = cfg.resample ? undefined : loadTask(taskCfg, K, dataStreams(streams, task, 0, false), hfTok);
    for (let trial = 0; trial < cfg.trials; trial++) {
      // the base encoder, partition and test set: redrawn per trial (resample), else trial 0's for all
      const data = fixedData ?? loadTask(taskCfg, K, dataStreams(streams, task, trial, true), hfTok);
      const baseSeed = cfg.resample && trial > 0 ? streams.stream('split-base', trial).seed32() : model.initSeed;
      let base: PretrainedModel;
      if (ckpt !== undefined) {
        // the pre-trained encoder is the same in every trial; a head the folder lacks is drawn from baseSeed
        base = loadHfModel(ckpt, { task: 'classifier', numLabels: data.classes.length, seed: baseSeed });
        if (taskCfg.seqLen > base.config.maxPositions) {
          disposeWeights(base.weights);
          throw new UserInputError(`split.tasks[].seq_len: ${taskCfg.seqLen} exceeds the checkpoint's max_position_embeddings ${base.config.maxPositions}`, 'split.tasks.seq_len');
        }
      } else {
        const config = preset(model.preset, {
          ...model.overrides, vocabSize: data.vocabSize,
          maxPositions: Math.max(taskCfg.seqLen, model.overrides.maxPositions ?? 0), numLabels: data.classes.length,
        }) as BertConfig;
        if (config.arch !== 'bert') throw new UserInputError(`model.preset: split learning needs a bert preset, got '${model.preset}'`, 'model.preset');
        base = initModel(config, baseSeed);
        applyBaseInit(base, model.baseInit);
      }
      const config = base.config as BertConfig;
      const probe = new SplitLoraModel(base, { lora: cfg.lora, seed });
      const pay = payloadFor(probe, data.data, cfg.batchSize, cfg.gradient);
      const flops = roundFlops({
        batch: cfg.batchSize, seqLen: taskCfg.seqLen, hidden: config.hidden, layers: config.layers, intermediate: config.intermediate,
        rank: cfg.lora.r, classes: data.classes.length, encoderLoraModules: probe.encoder.length,
      });
      if (trial === 0) {
        payloadInfo[task] = {
          ...pay, perDevicePerRound: true, bitsPerValue: 32, counts: probe.counts(), uplink: cfg.uplink, gradient: cfg.gradient,
          shape: { batch: cfg.batchSize, seqLen: taskCfg.seqLen, hidden: config.hidden, rank: cfg.lora.r, classes: data.classes.length },
          savings: {
            lowRankVsClsFullWidth: pay.clsFullWidthGradientBits / pay.upGradientBits,
            lowRankVsPerTokenHidden: pay.fullHiddenGradientBits / pay.upGradientBits,
            unsplitVsGradientsOnly: pay.unsplitUploadBits / pay.upGradientBits,
            unsplitVsPerRoundEmbeddings: pay.unsplitUploadBits / pay.uplinkBits,
            downEncoderVsUplink: pay.downEncoderBits / pay.uplinkBits,
          },
          flopsPerDeviceBatch: flops, encoder,
        };
      }
      probe.dispose();
      const timingModel: TimingModel = {
        deviceComputeS: cfg.compute.deviceGflops > 0 ? flops.device / (cfg.compute.deviceGflops * 1e9) : 0,
        serverPerDeviceS: cfg.compute.serverGflops > 0 ? flops.server / (cfg.compute.serverGflops * 1e9) : 0,
        downlink: cfg.serverTxPowerDbm !== null,
        downSnrPerUplinkDensity: cfg.serverTxPowerDbm !== null ? dbmToWatts(cfg.serverTxPowerDbm) / dbmToWatts(radio.txPowerDbm) / radio.bandwidthHz : 0,
      };
      const loads = new SplitLoads({
        devices: K, payload: pay, mode: cfg.uplink, timing: timingModel,
        rows: (t, k) => rowKeys(data.data.clients[k]!.sampleBatch(streams.stream('split-batch', trial, t, k), cfg.batchSize)),
      });
      const channel = new SplitChannel(streams, trial, radio);
      const budgetS = 'seconds' in cfg.budget ? cfg.budget.seconds
        : cfg.budget.allInFraction * simulateDelays(new AllInScheduler(), channel, cfg.rounds, 1, loads).at(-1)!.averageDelayS;
      const common = { encoder, uplink: cfg.uplink, gradient: cfg.gradient, budget_s: budgetS, bandwidth_hz: radio.bandwidthHz, V: ly.V, devices_total: K };
      log(`split ${task} trial ${trial}: ${K} devices, τ̄ ${budgetS.toPrecision(3)} s, uplink ${cfg.uplink}: gradients ${(pay.upGradientBits / 1e6).toFixed(4)} Mbit, embeddings ${(pay.upEmbeddingsBits / 1e6).toFixed(4)} Mbit per device batch; compute ${(timingModel.deviceComputeS * 1e3).toFixed(3)} ms device, ${(timingModel.serverPerDeviceS * 1e3).toFixed(3)} ms server per device`);

      if (cfg.reference) {
        const bow = new BowLogistic({ classes: data.classes.length, vocab: data.vocabSize }).fit(data.pooledTrain);
        const ev = bow.evaluate(stackBatches(data.data.clients.map((c) => c.evalBatch())));
        const [lo, hi] = wilson(ev.correct, ev.n);
        reference.push({ task, trial, model: 'bag-of-words logistic regression (centralised, same tokens)', train_examples: data.pooledTrain.size, test_accuracy: ev.accuracy, test_acc_ci_low: lo, test_acc_ci_high: hi, test_examples: ev.n });
        folder.writeCsv('reference.csv', reference);
      }

      const fixed = (kind: string, size: SizeSchedule): Scheduler =>
        kind === 'random' ? new RandomScheduler(size, streams, trial, bwRule(kind))
          : kind === 'best-channel' ? new BestChannelScheduler(size, bwRule(kind))
            : new RoundRobinScheduler(size, bwRule(kind));
      const make = (kind: string): { sched: Scheduler; n: number | null; p: number | null } => {
        if (kind === 'lyapunov') return { sched: new LyapunovScheduler({
          V: ly.V, decay: ly.decay, penalty: ly.penalty, minDevices: ly.minDevices,
          drift: ly.drift, capS: ly.delayCap > 0 ? ly.delayCap * budgetS : Infinity,
        }), n: null, p: null };
        if (kind === 'all-in') return { sched: new AllInScheduler(), n: K, p: 0 };
        if (cfg.baselineDevices !== 'match-budget') {
          const n = Math.min(cfg.baselineDevices, K);
          return { sched: fixed(kind, mixedSize(n)), n, p: 0 };
        }
        const m = matchBudget((size) => fixed(kind, size), channel, cfg.rounds, budgetS, loads);
        if (m.overBudget) log(`split ${task} trial ${trial}: ${kind} is over budget even with one device per round (${(m.achievedS / budgetS).toFixed(3)} τ̄)`);
        return { sched: fixed(kind, mixedSize(m.n, m.p)), n: m.n, p: m.p };
      };

      for (const kind of cfg.schedulers) {
        const kept = journal.get(task, trial, kind);
        if (kept) {
          // finished before the kill: its rows as they were (the same bytes; its adapter is on disk)
          log(`split ${task} trial ${trial}: ${kind} kept from the journal`);
          metrics.push(...kept.metrics);
          summary.push(kept.summary);
          timing.push(kept.timing);
          delayRows.push(...kept.delay);
          continue;
        }
        const { sched, n, p } = make(kind);
        log(`split ${task} trial ${trial}: ${kind}${n !== null ? ` (${n}${p ? ` or ${n + 1} (${(100 * p).toFixed(1)}% of rounds)` : ''} devices per round)` : ''}`);
        const recs = trainSplit({
          base, data: data.data, scheduler: sched, channel, streams, seed, loads,
          cfg: { rounds: cfg.rounds, batchSize: cfg.batchSize, lr: cfg.lr, evalEvery: cfg.evalEvery, lora: cfg.lora, trial, budgetS, gradient: cfg.gradient },
          onRound: (r) => {
            if ((r.round + 1) % cfg.evalEvery === 0) log(`  ${kind} round ${r.round + 1}: loss ${r.train_loss.toFixed(3)} acc ${r.test_accuracy ?? '-'} avg delay ${r.avg_delay_s.toFixed(4)} s`);
            progress(r.round + 1);
          },
          // a pre-trained base: the adapter is worth keeping (PEFT format, loadable on the same folder)
          ...(ckpt !== undefined && trial === 0 ? { onTrained: (m: SplitLoraModel) => writeSplitAdapter(join(folder.dir, 'adapters', task, kind), m, ckpt) } : {}),
        });
        const sizes = { devices_per_round: n, devices_mix_p: p };
        // wall time goes to timing.csv only, so metrics.csv and summary.csv are the same bytes for the same seed
        const unitMetrics: CsvRow[] = recs.map(({ wall_ms: _w, ...r }) => ({ task, trial, scheduler: kind, ...common, ...sizes, ...r }));
        metrics.push(...unitMetrics);
        const row: CsvRow = { task, trial, scheduler: kind, ...common, ...sizes, ...summarise(recs, { targetAccuracy: cfg.targetAccuracy, budgetS }, K, channel) };
        if (row['over_budget']) log(`split ${task} trial ${trial}: ${kind} ran over budget: average delay ${Number(row['avg_delay_over_budget']).toFixed(3)} τ̄`);
        summary.push(row);
        const timingRow: CsvRow = { task, trial, scheduler: kind, rounds: recs.length, wall_ms_per_round: recs.reduce((a, r) => a + r.wall_ms, 0) / recs.length };
        timing.push(timingRow);
        folder.writeCsv('metrics.csv', metrics);
        folder.writeCsv('summary.csv', summary);
        folder.writeCsv('timing.csv', timing);

        const unitDelay: CsvRow[] = [];
        if (cfg.delayRounds > 0) {
          const { sched: fresh } = make(kind);
          const long = simulateDelays(fresh, channel, cfg.delayRounds, budgetS, loads, cfg.rounds);
          for (const d of long) {
            unitDelay.push({ task, trial, scheduler: kind, ...common, round: d.round, scheduled: d.scheduled.length, round_delay_s: d.roundDelayS, queue_s: d.queue, avg_delay_s: d.averageDelayS });
          }
          delayRows.push(...unitDelay);
          folder.writeCsv('delay.csv', delayRows);
        }
        // last: a unit is kept on resume only once all its rows are in the journal
        journal.record({ task, trial, scheduler: kind, metrics: unitMetrics, summary: row, timing: timingRow, delay: unitDelay });
        roundsDone += cfg.rounds;
        // a turn of the event loop after every scheduler: training is synchronous, and without it the
        // lifecycle's SIGINT/SIGTERM handler only ran once the whole run had finished
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      disposeWeights(base.weights);
    }
  }
  // again at the end: a resumed run whose last units were all kept has not rewritten them yet
  folder.writeCsv('metrics.csv', metrics);
  folder.writeCsv('summary.csv', summary);
  folder.writeCsv('timing.csv', timing);
  if (cfg.delayRounds > 0) folder.writeCsv('delay.csv', delayRows);
  folder.writeJson('payload.json', payloadInfo);
  if (cfg.trials > 1) {
    folder.writeCsv('summary_trials.csv', acrossTrials(summary));
    folder.writeCsv('paired.csv', pairedDifferences(summary));
  }
  journal.remove();
  return { summary };
}

/** The task's name in results files ('spam', 'brown-news-fiction', a local folder's name, ...). */
export function taskLabel(t: TaskConfig): string {
  const base = t.name === 'brown-genre' ? `brown-${(t.genres ?? ['news', 'fiction']).join('-')}`
    : t.name === 'local' ? `local-${basename(t.local?.path ?? 'data').replace(/\.[^.]*$/, '')}` : t.name;
  const p = t.partition;
  return p.kind === 'iid' ? base : p.kind === 'dirichlet' ? `${base}-dirichlet-${p.alpha}` : `${base}-one-label`;
}

/**
 * Per-run summary: final accuracy (95% Wilson CI over test examples), delays against the budget (and
 * whether the run ended over it), target crossing, bits of every uplink reading beside unsplit
 * federated LoRA, and how often each device took part (the nearest and the farthest device: the
 * scheduler's bias matters when devices hold different labels).
 */
export function summarise(
  recs: SplitRoundRecord[], cfg: { targetAccuracy: number; budgetS: number }, devices?: number, channel?: { largeScale: Float64Array },
): CsvRow {
  const last = recs[recs.length - 1]!;
  const evals = recs.filter((r) => r.test_accuracy !== null);
  const acc = last.test_accuracy ?? NaN;
  const n = last.test_examples ?? 0;
  const [lo, hi] = wilson(Math.round(acc * n), n);
  const hit = evals.find((r) => r.test_accuracy! >= cfg.targetAccuracy);
  const mean = (f: (r: SplitRoundRecord) => number) => recs.reduce((a, r) => a + f(r), 0) / recs.length;
  const total = (f: (r: SplitRoundRecord) => number) => recs.reduce((a, r) => a + f(r), 0);
  const row: CsvRow = {
    rounds: recs.length,
    final_test_accuracy: acc,
    final_acc_ci_low: lo,
    final_acc_ci_high: hi,
    test_examples: n,
    best_test_accuracy: Math.max(...evals.map((r) => r.test_accuracy!)),
    last4_test_accuracy: evals.slice(-4).reduce((a, r) => a + r.test_accuracy!, 0) / Math.min(4, evals.length),
    final_train_loss_avg5: recs.slice(-5).reduce((a, r) => a + r.train_loss, 0) / Math.min(5, recs.length),
    mean_scheduled: mean((r) => r.scheduled),
    avg_delay_s: last.avg_delay_s,
    avg_delay_over_budget: last.avg_delay_s / cfg.budgetS,
    // 1e-9: a run that meets the budget exactly is not flagged for rounding
    over_budget: last.avg_delay_s > cfg.budgetS * (1 + 1e-9) ? 1 : 0,
    total_delay_s: last.cum_delay_s,
    final_queue_s: last.queue_s,
    target_accuracy: cfg.targetAccuracy,
    rounds_to_target: hit ? hit.round + 1 : null,
    delay_to_target_s: hit ? hit.cum_delay_s : null,
    up_bits_total: total((r) => r.up_bits),
    up_bits_total_per_round_embeddings: total((r) => r.up_bits_per_round_embeddings),
    up_bits_total_cached_embeddings: total((r) => r.up_bits_cached_embeddings),
    up_bits_total_gradients_only: total((r) => r.up_bits_gradients_only),
    unsplit_upload_bits_total: total((r) => r.unsplit_upload_bits),
    down_bits_total: total((r) => r.down_bits),
    cls_full_width_gradient_bits_total: total((r) => r.cls_full_width_gradient_bits),
    full_hidden_gradient_bits_total: total((r) => r.full_hidden_gradient_bits),
    mean_grad_rel_error: recs[0]!.grad_rel_error === null ? null : mean((r) => r.grad_rel_error ?? 0),
  };
  if (devices !== undefined && channel) {
    const count = new Float64Array(devices);
    for (const r of recs) for (const k of r.devices.split(' ')) if (k !== '') count[Number(k)]++;
    const byGain = Array.from({ length: devices }, (_, k) => k).sort((a, b) => channel.largeScale[b]! - channel.largeScale[a]!);
    row['participation_min'] = Math.min(...count) / recs.length;
    row['participation_max'] = Math.max(...count) / recs.length;
    row['participation_nearest'] = count[byGain[0]!]! / recs.length;
    row['participation_farthest'] = count[byGain[devices - 1]!]! / recs.length;
  }
  return row;
}

const TRIAL_COLUMNS = ['final_test_accuracy', 'last4_test_accuracy', 'rounds_to_target', 'delay_to_target_s', 'avg_delay_s', 'avg_delay_over_budget', 'total_delay_s', 'mean_scheduled', 'final_train_loss_avg5', 'participation_farthest', 'participation_nearest'];
/** TRIAL_COLUMNS that are fractions in [0, 1] (the others are ≥ 0: rounds, seconds, devices, nats). */
const UNIT_COLUMNS = new Set(['final_test_accuracy', 'last4_test_accuracy', 'participation_farthest', 'participation_nearest']);
/** Columns compared between schedulers trial by trial (paired.csv). */
const PAIRED_COLUMNS = ['last4_test_accuracy', 'final_test_accuracy', 'avg_delay_s', 'total_delay_s'];

/**
 * Mean and 95% t-interval over trials of each summary column, per task × scheduler. A run that never
 * reaches the target counts as rounds + 1 rounds in rounds_to_target (a lower bound, so the mean is
 * too) and is left out of delay_to_target_s; `reached` says how many trials got there.
 */
export function acrossTrials(rows: CsvRow[]): CsvRow[] {
  const groups = new Map<string, CsvRow[]>();
  for (const r of rows) {
    const k = `${r['task']}\u0000${r['scheduler']}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const out: CsvRow[] = [];
  for (const g of groups.values()) {
    const row: CsvRow = { task: g[0]!['task'], scheduler: g[0]!['scheduler'], budget_s: g[0]!['budget_s'], bandwidth_hz: g[0]!['bandwidth_hz'], V: g[0]!['V'], trials: g.length };
    row['reached'] = g.filter((r) => r['rounds_to_target'] !== null).length;
    row['over_budget_trials'] = g.filter((r) => r['over_budget'] === 1).length;
    for (const c of TRIAL_COLUMNS) {
      const vals = g.map((r) => (c === 'rounds_to_target' && r[c] === null ? Number(r['rounds']) + 1 : r[c]))
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      const sm = summarize(vals);
      // no trial with a value (e.g. none reached the target), or one trial: empty cells, never NaN
      const cell = (v: number) => (Number.isFinite(v) ? v : null);
      row[c] = cell(sm.mean);
      // cut to the quantity's range (every column is ≥ 0; fractions ≤ 1): the true value lies in it,
      // so the cut keeps the coverage (a participation near 1 or a few delays gave 1.001 and −0.02)
      const cut = (v: number) => (Number.isFinite(v) ? Math.min(UNIT_COLUMNS.has(c) ? 1 : Infinity, Math.max(0, v)) : v);
      row[`${c}_ci_low`] = cell(cut(sm.ciLow));
      row[`${c}_ci_high`] = cell(cut(sm.ciHigh));
    }
    out.push(row);
  }
  return out;
}

/**
 * Paired differences between schedulers, trial by trial (every scheduler of a trial ran on the same
 * channel, data, base encoder and initialisation): for each task, each pair (a, b) and each column,
 * the mean of a − b over trials with its 95% paired t-interval, and whether that interval excludes 0.
 * Only an interval that excludes 0 supports "a differs from b".
 */
export function pairedDifferences(rows: CsvRow[]): CsvRow[] {
  const tasks = [...new Set(rows.map((r) => String(r['task'])))];
  const out: CsvRow[] = [];
  for (const task of tasks) {
    const mine = rows.filter((r) => r['task'] === task);
    const scheds = [...new Set(mine.map((r) => String(r['scheduler'])))];
    const at = (s: string, t: unknown) => mine.find((r) => r['scheduler'] === s && r['trial'] === t);
    for (let i = 0; i < scheds.length; i++) {
      for (let j = i + 1; j < scheds.length; j++) {
        const a = scheds[i]!;
        const b = scheds[j]!;
        for (const c of PAIRED_COLUMNS) {
          const d: number[] = [];
          for (const ra of mine.filter((r) => r['scheduler'] === a)) {
            const rb = at(b, ra['trial']);
            if (rb && typeof ra[c] === 'number' && typeof rb[c] === 'number') d.push((ra[c] as number) - (rb[c] as number));
          }
          const sm = summarize(d);
          const fin = (v: number) => (Number.isFinite(v) ? v : null);
          out.push({
            task, a, b, column: c, trials: d.length, mean_diff: fin(sm.mean), ci_low: fin(sm.ciLow), ci_high: fin(sm.ciHigh),
            excludes_zero: d.length > 1 && (sm.ciLow > 0 || sm.ciHigh < 0) ? 1 : 0,
          });
        }
      }
    }
  }
  return out;
}
