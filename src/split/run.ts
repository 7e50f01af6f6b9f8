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
import { AllInScheduler, BestChannelScheduler, RandomScheduler, RoundRobinScheduler } from './schedulers/fixed-size.js';
import type { Scheduler } from './schedulers/types.js';
import { loadTask, type TaskConfig } from './tasks.js';
import { trainSplit, payloadFor, type SplitRoundRecord } from './trainer.js';
import { SplitLoraModel } from './model.js';
import { wilson } from './wilson.js';
import { summarize } from '../stats/summary.js';
import { applyBaseInit } from '../models/base-init.js';

export interface SplitRunOptions {
  log?: (line: string) => void;
}

export interface SplitRunResult {
  summary: CsvRow[];
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
  const payloadInfo: Record<string, unknown> = {};
  const common = { budget_s: cfg.budgetS, bandwidth_hz: radio.bandwidthHz, V: cfg.lyapunov.V, devices_total: K };

  for (const taskCfg of cfg.tasks) {
    const task = taskLabel(taskCfg);
    const data = loadTask(taskCfg, K, streams.child('task', task));
    const config = preset(model.preset, {
      ...model.overrides, vocabSize: data.tokenizer.vocabSize,
      maxPositions: Math.max(taskCfg.seqLen, model.overrides.maxPositions ?? 0), numLabels: data.classes.length,
    }) as BertConfig;
    if (config.arch !== 'bert') throw new UserInputError(`model.preset: split learning needs a bert preset, got '${model.preset}'`, 'model.preset');
    const base = initModel(config, model.initSeed);
    applyBaseInit(base, model.baseInit);
    const probe = new SplitLoraModel(base, { lora: cfg.lora, seed });
    const pay = payloadFor(probe, data.data, cfg.batchSize);
    payloadInfo[task] = { ...pay, perDevicePerRound: true, bitsPerValue: 32, counts: probe.counts(), shape: { batch: cfg.batchSize, seqLen: taskCfg.seqLen, hidden: config.hidden, rank: cfg.lora.r, classes: data.classes.length } };
    probe.dispose();
    const payloadBits = new Float64Array(K).fill(pay.uplinkBits);
    log(`split ${task}: ${K} devices, uplink ${(pay.uplinkBits / 1e6).toFixed(3)} Mbit per device per round`);

    for (let trial = 0; trial < cfg.trials; trial++) {
      const channel = new SplitChannel(streams, trial, radio);
      const fixed = (kind: string, n: number): Scheduler =>
        kind === 'random' ? new RandomScheduler(n, streams, trial)
          : kind === 'best-channel' ? new BestChannelScheduler(n)
            : new RoundRobinScheduler(n);
      const make = (kind: string): { sched: Scheduler; n: number | null } => {
        const ly = cfg.lyapunov;
        if (kind === 'lyapunov') return { sched: new LyapunovScheduler({
          V: ly.V, decay: ly.decay, penalty: ly.penalty, minDevices: ly.minDevices,
          drift: ly.drift, capS: ly.delayCap > 0 ? ly.delayCap * cfg.budgetS : Infinity,
        }), n: null };
        if (kind === 'all-in') return { sched: new AllInScheduler(), n: K };
        const n = cfg.baselineDevices === 'match-budget'
          ? matchBudget((m) => fixed(kind, m), channel, cfg.rounds, cfg.budgetS, payloadBits)
          : Math.min(cfg.baselineDevices, K);
        return { sched: fixed(kind, n), n };
      };

      for (const kind of cfg.schedulers) {
        const { sched, n } = make(kind);
        log(`split ${task}: ${kind}${n !== null ? ` (${n} devices per round)` : ''}`);
        const recs = trainSplit({
          base, data: data.data, scheduler: sched, channel, streams, seed,
          cfg: { rounds: cfg.rounds, batchSize: cfg.batchSize, lr: cfg.lr, evalEvery: cfg.evalEvery, lora: cfg.lora, trial, budgetS: cfg.budgetS },
          onRound: (r) => { if ((r.round + 1) % cfg.evalEvery === 0) log(`  ${kind} round ${r.round + 1}: loss ${r.train_loss.toFixed(3)} acc ${r.test_accuracy ?? '-'} avg delay ${r.avg_delay_s.toFixed(4)} s`); },
        });
        // wall time goes to timing.csv only, so metrics.csv and summary.csv are the same bytes for the same seed
        for (const { wall_ms: _w, ...r } of recs) metrics.push({ task, trial, scheduler: kind, ...common, devices_per_round: n, ...r });
        summary.push({ task, trial, scheduler: kind, ...common, devices_per_round: n, ...summarise(recs, cfg) });
        timing.push({ task, trial, scheduler: kind, rounds: recs.length, wall_ms_per_round: recs.reduce((a, r) => a + r.wall_ms, 0) / recs.length });
        folder.writeCsv('metrics.csv', metrics);
        folder.writeCsv('summary.csv', summary);
        folder.writeCsv('timing.csv', timing);

        if (cfg.delayRounds > 0) {
          const { sched: fresh } = make(kind);
          const long = simulateDelays(fresh, channel, cfg.delayRounds, cfg.budgetS, payloadBits, cfg.rounds);
          for (const d of long) {
            delayRows.push({ task, trial, scheduler: kind, ...common, round: d.round, scheduled: d.scheduled.length, round_delay_s: d.roundDelayS, queue_s: d.queue, avg_delay_s: d.averageDelayS });
          }
          folder.writeCsv('delay.csv', delayRows);
        }
      }
    }
    disposeWeights(base.weights);
  }
  folder.writeJson('payload.json', payloadInfo);
  if (cfg.trials > 1) folder.writeCsv('summary_trials.csv', acrossTrials(summary));
  return { summary };
}

/** The task's name in results files ('spam', 'brown-news-fiction', ...). */
export function taskLabel(t: TaskConfig): string {
  return t.name === 'brown-genre' ? `brown-${(t.genres ?? ['news', 'fiction']).join('-')}` : t.name;
}

/** Per-run summary: final accuracy (95% Wilson CI over test examples), delays, target crossing, bits. */
export function summarise(recs: SplitRoundRecord[], cfg: Pick<SplitConfig, 'targetAccuracy' | 'budgetS'>): CsvRow {
  const last = recs[recs.length - 1]!;
  const evals = recs.filter((r) => r.test_accuracy !== null);
  const acc = last.test_accuracy ?? NaN;
  const n = last.test_examples ?? 0;
  const [lo, hi] = wilson(Math.round(acc * n), n);
  const hit = evals.find((r) => r.test_accuracy! >= cfg.targetAccuracy);
  const mean = (f: (r: SplitRoundRecord) => number) => recs.reduce((a, r) => a + f(r), 0) / recs.length;
  return {
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
    final_queue_s: last.queue_s,
    target_accuracy: cfg.targetAccuracy,
    rounds_to_target: hit ? hit.round + 1 : null,
    delay_to_target_s: hit ? hit.cum_delay_s : null,
    up_bits_total: recs.reduce((a, r) => a + r.up_bits, 0),
    down_bits_total: recs.reduce((a, r) => a + r.down_bits, 0),
    full_hidden_gradient_bits_total: recs.reduce((a, r) => a + r.full_hidden_gradient_bits, 0),
  };
}

const TRIAL_COLUMNS = ['final_test_accuracy', 'last4_test_accuracy', 'rounds_to_target', 'delay_to_target_s', 'avg_delay_s', 'avg_delay_over_budget', 'mean_scheduled', 'final_train_loss_avg5'];

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
    for (const c of TRIAL_COLUMNS) {
      const vals = g.map((r) => (c === 'rounds_to_target' && r[c] === null ? Number(r['rounds']) + 1 : r[c]))
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      const sm = summarize(vals);
      // no trial with a value (e.g. none reached the target), or one trial: empty cells, never NaN
      const cell = (v: number) => (Number.isFinite(v) ? v : null);
      row[c] = cell(sm.mean);
      row[`${c}_ci_low`] = cell(sm.ciLow);
      row[`${c}_ci_high`] = cell(sm.ciHigh);
    }
    out.push(row);
  }
  return out;
}
