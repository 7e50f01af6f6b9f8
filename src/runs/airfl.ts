/**
 * AirFL-LoRA runs: a scenario (sections `fl`, `data`, `lora`, `phy`, `aggregation`, `airfl`): train once per
 * aggregation scheme and LoRA rank on one preparation (identical data, client and channel draws), and,
 * with `airfl.joint`, choose a rank with the design loop first.
 *
 * Folder layout:
 *   runs/r<rank>-<label>/   one training run each (manifest, metrics.csv, rounds.jsonl, checkpoint.json):
 *                           `--resume` continues unfinished ones and keeps finished ones
 *   metrics.csv             all runs, one row per scheme × rank × round (tidy; `scheme`, `rank` first)
 *   final.csv               one row per scheme × rank: final loss / perplexity / accuracy, mean NMSE,
 *                           total air-time and energy
 *   design.json             (joint) constants, every rank tried with its bound, the chosen rank, and
 *                           the bound against the measured gap for the trained ranks
 */
import { join } from 'node:path';
import { RunFolder } from '../results/run-folder.js';
import type { CsvRow } from '../results/csv.js';
import { prepareTraining, savePeftAdapter, type PreparedTraining, type TrainingConfig } from '../fl/prepare.js';
import { runFederated } from '../fl/trainer.js';
import { createAggregator, type AggregationSpec } from '../fl/aggregators/index.js';
import { loraAtRank } from '../lora/config.js';
import type { RadioConfig } from '../phy/radio.js';
import { boundAt, runDesignLoop, type BoundCheck, type DesignReport, type DesignSettings } from '../design/loop.js';
import { linkBudget } from '../design/budget.js';
import { resolveScenario } from '../scenario/load.js';
import { radioFromScenario } from '../scenario/resolve/radio.js';
import { aggregationSpecs, resolveTraining } from '../scenario/resolve/train.js';
import { UserInputError } from '../errors.js';
import type { Runner, RunContext } from './runner.js';
import { airflSummary, formatAirflSummary } from './summary.js';

/** One entry of the comparison: its aggregation spec and the radio with its streams. */
export interface AirflEntry {
  spec: AggregationSpec;
  S: number;
  radio: RadioConfig;
}

export interface AirflRunConfig {
  training: TrainingConfig;
  entries: AirflEntry[];
  /** fixed ranks to train (each with every entry) */
  ranks: number[];
  /** also train at the rank the design loop chooses */
  joint: boolean;
  design: DesignSettings;
  /** the run's radio with S = phy.streams (the design loop's) */
  radio: RadioConfig;
  /** the validated scenario, recorded in each sub-run's manifest */
  scenario: unknown;
}

/** Scenario → AirFL run configuration (every start-up check: radio of every entry, design scheme). */
export function resolveAirfl(raw: Record<string, unknown>, source: string): AirflRunConfig {
  const s = resolveScenario(raw, source);
  if (!s.airfl) throw new UserInputError('airfl: section missing', 'airfl');
  const training = resolveTraining(s);
  const a = s.airfl;
  const entries = aggregationSpecs(s).map((spec) => {
    const S = spec.streams ?? s.phy.streams;
    return { spec, S, radio: radioFromScenario(s, S) };
  });
  const radio = radioFromScenario(s);
  // The loop's scheme is the scenario's own entry of that kind when it has one (same options).
  const own = entries.find((e) => e.spec.scheme === a.design.scheme && e.S === radio.S);
  const streams = [...new Set(a.design.streams ?? [radio.S])];
  const { Nr, Nt } = radio.channel;
  for (const S of streams) {
    // the alternation designs zero-forcing precoders on an S-dimensional receive subspace
    if (S > Math.min(Nr, Nt)) {
      throw new UserInputError(`airfl.design.streams: ${S} is not allowed; expected integers ≤ min(N_r, N_t) = ${Math.min(Nr, Nt)}`, 'airfl.design.streams');
    }
  }
  const grid = a.design.ranks;
  if (a.design.reference_rank !== undefined && grid.includes(a.design.reference_rank)) {
    throw new UserInputError(`airfl.design.reference_rank: ${a.design.reference_rank} is not allowed; expected a rank that is not on the grid [${grid.join(', ')}]`, 'airfl.design.reference_rank');
  }
  return {
    training, entries, radio, scenario: s,
    ranks: [...(a.ranks ?? [training.lora.r])],
    joint: a.joint,
    design: {
      ranks: grid,
      scheme: own?.spec ?? { scheme: a.design.scheme, label: a.design.scheme, streams: undefined, options: {} },
      streams,
      budgets: {
        ...(a.design.energy_budget_j !== undefined ? { energyJ: a.design.energy_budget_j } : {}),
        ...(a.design.latency_budget_s !== undefined ? { latencyS: a.design.latency_budget_s } : {}),
      },
      ...(a.design.reference_rank !== undefined ? { referenceRank: a.design.reference_rank } : {}),
      estimateRounds: a.design.estimate_rounds, channelDraws: a.design.channel_draws,
      tolerance: a.design.tolerance, maxAlternations: a.design.max_alternations,
      ...(a.design.start !== undefined ? { start: a.design.start } : {}),
    },
  };
}

/**
 * The radio an entry trains with at rank r: under `airfl.design.energy_budget_j` the per-subcarrier
 * budget is what the energy leaves for that rank's T(r) OFDM symbols (design/budget.ts), so training
 * and the design see the same physics.
 */
export function radioAtRank(c: AirflRunConfig, entry: AirflEntry, r: number, entriesPerRank: number): RadioConfig {
  if (c.design.budgets.energyJ === undefined) return entry.radio;
  const lb = linkBudget(r * entriesPerRank, entry.radio.channel.M, entry.S, entry.radio.P, entry.radio.timing, c.design.budgets);
  return { ...entry.radio, P: lb.powerPerSubcarrier };
}

export const airflRunner: Runner<AirflRunConfig> = {
  kind: 'airfl',
  detect: (s) => s.fl !== undefined && s.airfl !== undefined,
  resolve(raw, source) {
    const c = resolveAirfl(raw, source);
    return { config: c, scenario: c.scenario, seed: c.training.seed, name: c.training.name };
  },
  overrides: { rounds: 'fl.rounds', seed: 'seed' },
  resumable: true,
  usesBackend: true,
  async run(c, ctx) {
    await runAirfl(c, ctx);
    return undefined;
  },
};

/** Run the design loop alone (`airlora design`) on a prepared training run. */
export async function designFor(c: AirflRunConfig, prep: PreparedTraining, log?: (l: string) => void, onProgress?: (done: number, total: number) => void): Promise<DesignReport> {
  return runDesignLoop({
    training: c.training, prep, design: c.design, radio: c.radio,
    schemes: c.entries.map((e) => ({ spec: e.spec, S: e.S })),
    extraRanks: c.ranks,
  }, { ...(log ? { log } : {}), ...(onProgress ? { onProgress } : {}) });
}

/** Uploaded entries per device at rank 1 (D(r) = r·D(1)), from a rank-1 model of the scenario. */
function entriesPerRank(c: AirflRunConfig, prep: PreparedTraining): number {
  const m = prep.makeModel(loraAtRank(c.training.lora, 1))(1);
  try {
    let D = 0;
    for (const b of m.adapterLayout()) if (c.training.fl.aggregateFactors.includes(b.factor)) D += b.shape.reduce((p, q) => p * q, 1);
    return D;
  } finally {
    m.dispose();
  }
}

export async function runAirfl(c: AirflRunConfig, ctx: RunContext): Promise<{ final: CsvRow[]; design?: DesignReport }> {
  const log = ctx.log;
  const prep = prepareTraining(c.training, ctx.folder);
  try {
    let design: DesignReport | undefined;
    const ranks = [...c.ranks];
    if (c.joint) {
      const kept = ctx.resume && ctx.folder.exists('design.json')
        ? (JSON.parse(ctx.folder.readText('design.json')) as Partial<DesignReport>)
        : undefined;
      // a design.json of an older format is recomputed
      design = kept?.format === 'airlora-design/2' ? (kept as DesignReport) : await designFor(c, prep, log);
      ctx.folder.writeJson('design.json', design);
      ctx.folder.writeCsv('design.csv', design.alternation.map((x) => ({ method: `r${x.rank} S=${x.streams}`, ...x })));
      ctx.folder.writeCsv('bound.csv', design.ranks.map((d) => ({
        rank: d.rank, evaluated: d.evaluated ? 1 : 0, streams: d.streams, entries: d.entries, ofdm_symbols: d.ofdm_symbols,
        latency_s: d.latency_s, energy_j: d.energy_j, mse_mean: d.mse, feasible: d.feasible ? 1 : 0, bound: d.bound,
        initial: d.terms.initial, aggregation: d.terms.aggregation, variance: d.terms.variance, truncation: d.terms.truncation,
        shrink: d.terms.shrink,
      })));
      if (!ranks.includes(design.chosen_rank)) ranks.push(design.chosen_rank);
      log(`design loop chose rank ${design.chosen_rank} (search evaluated ${design.search_order.join(', ')}; grid argmin ${design.exhaustive_rank})`);
    }
    const perRank = entriesPerRank(c, prep);
    const all: CsvRow[] = [];
    const final: CsvRow[] = [];
    const runsTotal = ranks.length * c.entries.length;
    let runsDone = 0;
    for (const r of ranks) {
      for (const entry of c.entries) {
        // progress over every (rank, scheme) run's rounds
        const onProgress = ctx.onProgress ? (done: number, total: number) => ctx.onProgress!(runsDone * total + done, runsTotal * total) : undefined;
        const rows = await trainOne(c, prep, r, entry, { ...ctx, ...(onProgress ? { onProgress } : {}) }, radioAtRank(c, entry, r, perRank));
        runsDone++;
        // wall_s stays in each run's timing.csv: metrics.csv depends only on the scenario and seed
        const tagged = rows.map(({ scheme: _aggregatorName, wall_s: _wall, ...row }) => ({ scheme: entry.spec.label, rank: r, joint: design?.chosen_rank === r ? 1 : 0, ...row }));
        all.push(...tagged);
        final.push(finalRow(entry.spec.label, r, tagged));
      }
    }
    ctx.folder.writeCsv('metrics.csv', all);
    ctx.folder.writeCsv('final.csv', final);
    const summary = airflSummary(ctx.folder, final);
    ctx.folder.writeCsv('summary.csv', summary);
    ctx.log(`summary (final round; Δ vs ideal paired over the clients' evaluation sets):\n${formatAirflSummary(summary)}`);
    if (design) {
      design.check = checkBound(design, final);
      ctx.folder.writeJson('design.json', design);
      ctx.folder.writeCsv('check.csv', checkRows(design.check));
    }
    return design ? { final, design } : { final };
  } finally {
    prep.dispose();
  }
}

/** One training run of the comparison (scheme × rank) in runs/r<rank>-<label>/ (resumable on its own). */
async function trainOne(c: AirflRunConfig, prep: PreparedTraining, r: number, entry: AirflEntry, ctx: RunContext, radio: RadioConfig): Promise<CsvRow[]> {
  const ts = c.training;
  const label = entry.spec.label;
  const name = `r${r}-${label}`;
  const subDir = join(ctx.folder.dir, 'runs', name);
  const sub = ctx.folder.exists(join('runs', name, 'manifest.json'))
    ? RunFolder.open(subDir)
    : RunFolder.create({ out: subDir, name, scenario: { scenario: c.scenario, rank: r, scheme: label } });
  if (sub.isComplete()) {
    ctx.log(`${name}: complete, kept`);
    return sub.readCsv('metrics.csv') as unknown as CsvRow[];
  }
  if (!sub.hasManifest()) {
    sub.writeManifest({ kind: 'train', scenario: { ...(c.scenario as object), lora: loraAtRank(ts.lora, r) }, seed: ts.seed, ...(ctx.backend ? { backend: ctx.backend } : {}), extra: { scheme: label, rank: r } });
  }
  const aggregator = createAggregator(entry.spec, { radio, seed: ts.seed });
  ctx.log(`${name}: training (${aggregator.name})`);
  try {
    const res = await runFederated({
      config: ts.fl, data: prep.data, streams: prep.streams, folder: sub, resume: sub.resumed,
      aggregator, makeModel: prep.makeModel(loraAtRank(ts.lora, r)),
      log: (line) => ctx.log(`${name}: ${line}`), ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    });
    savePeftAdapter(ts, prep, loraAtRank(ts.lora, r), res.global, join(sub.dir, 'adapter'));
    sub.complete({ rounds: res.lastRound });
    return res.rows;
  } catch (e) {
    sub.fail(e);
    throw e;
  }
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : v === '' || v === null || v === undefined ? NaN : Number(v);
}

/** CSV cell: a number, or empty where it does not apply (NaN). */
function cell(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function finalRow(scheme: string, rank: number, rows: CsvRow[]): CsvRow {
  const last = rows[rows.length - 1] ?? {};
  let nm = 0, nn = 0, lat = 0, en = 0;
  for (const row of rows) {
    const n = num(row['nmse']);
    if (Number.isFinite(n) && num(row['round']) > 0) {
      nm += n;
      nn++;
    }
    const l = num(row['latency_s']);
    if (Number.isFinite(l)) lat += l;
    const e = num(row['energy_j']);
    if (Number.isFinite(e)) en += e;
  }
  return {
    scheme, rank, rounds: num(last['round']),
    eval_loss: cell(num(last['eval_loss'])), perplexity: cell(num(last['perplexity'])), accuracy: cell(num(last['accuracy'])),
    train_loss: cell(num(last['train_loss'])), nmse_mean: nn ? nm / nn : null, latency_total_s: lat, energy_total_j: en,
  };
}

/** check.csv: the bound check in long format (scheme, rank, curve = bound | measured, gap), for figures. */
export function checkRows(check: readonly BoundCheck[]): CsvRow[] {
  return check.flatMap((x) => [
    { scheme: x.scheme, rank: x.rank, curve: 'bound', gap: x.bound, mse_mean: x.mse, shrink: x.shrink },
    { scheme: x.scheme, rank: x.rank, curve: 'measured', gap: x.measured, mse_mean: x.mse, shrink: x.shrink },
  ]);
}

/**
 * Bound vs measured gap (final eval loss − F*) for every trained rank, each scheme with its own
 * transceivers' designed MSE at that rank's power (schemes without an AirComp MSE, i.e. digital, are
 * skipped).
 */
export function checkBound(design: DesignReport, final: CsvRow[]): BoundCheck[] {
  const out: BoundCheck[] = [];
  for (const row of final) {
    const r = Number(row['rank']);
    const b = boundAt(design, r, String(row['scheme']));
    if (!b) continue;
    const measured = num(row['eval_loss']) - design.constants.fstar;
    out.push({ scheme: String(row['scheme']), rank: r, mse: b.mse, shrink: b.shrink, bound: b.bound, measured, bound_above: b.bound >= measured });
  }
  return out;
}
