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
import { prepareTraining, type PreparedTraining, type TrainingConfig } from '../fl/prepare.js';
import { runFederated } from '../fl/trainer.js';
import { createAggregator, type AggregationSpec } from '../fl/aggregators/index.js';
import { loraAtRank } from '../lora/config.js';
import type { RadioConfig } from '../phy/radio.js';
import { runDesignLoop, type DesignReport, type DesignSettings } from '../design/loop.js';
import { optimalityGap } from '../design/bound.js';
import { resolveScenario } from '../scenario/load.js';
import { radioFromScenario } from '../scenario/resolve/radio.js';
import { aggregationSpecs, resolveTraining } from '../scenario/resolve/train.js';
import { UserInputError } from '../errors.js';
import type { Runner, RunContext } from './runner.js';

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
  return {
    training, entries, radio, scenario: s,
    ranks: [...(a.ranks ?? [training.lora.r])],
    joint: a.joint,
    design: {
      ranks: a.design.ranks,
      scheme: own?.spec ?? { scheme: a.design.scheme, label: a.design.scheme, streams: undefined, options: {} },
      estimateRounds: a.design.estimate_rounds, channelDraws: a.design.channel_draws,
      ...(a.design.latency_budget_s !== undefined ? { latencyBudgetS: a.design.latency_budget_s } : {}),
      ...(a.design.start !== undefined ? { start: a.design.start } : {}),
    },
  };
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
export async function designFor(c: AirflRunConfig, prep: PreparedTraining, log?: (l: string) => void): Promise<DesignReport> {
  return runDesignLoop({
    training: c.training, prep, design: c.design, radio: c.radio,
    schemes: c.entries.map((e) => ({ spec: e.spec, S: e.S })),
  }, log ? { log } : {});
}

export async function runAirfl(c: AirflRunConfig, ctx: RunContext): Promise<{ final: CsvRow[]; design?: DesignReport }> {
  const log = ctx.log;
  const prep = prepareTraining(c.training, ctx.folder);
  try {
    let design: DesignReport | undefined;
    const ranks = [...c.ranks];
    if (c.joint) {
      design = ctx.resume && ctx.folder.exists('design.json')
        ? (JSON.parse(ctx.folder.readText('design.json')) as DesignReport)
        : await designFor(c, prep, log);
      ctx.folder.writeJson('design.json', design);
      ctx.folder.writeCsv('design.csv', design.convergence);
      ctx.folder.writeCsv('bound.csv', design.candidates.map((d) => ({
        rank: d.r, entries: d.entries, latency_s: d.latencyS, mse_mean: d.mseMean, feasible: d.feasible ? 1 : 0,
        bound: d.bound.total, initial: d.bound.initial, aggregation: d.bound.aggregation, truncation: d.bound.truncation,
      })));
      if (!ranks.includes(design.chosen)) ranks.push(design.chosen);
      log(`design loop chose rank ${design.chosen} (tried ${design.candidates.map((d) => d.r).join(', ')})`);
    }
    const all: CsvRow[] = [];
    const final: CsvRow[] = [];
    for (const r of ranks) {
      for (const entry of c.entries) {
        const rows = await trainOne(c, prep, r, entry, ctx);
        // wall_s stays in each run's timing.csv: metrics.csv depends only on the scenario and seed
        const tagged = rows.map(({ scheme: _aggregatorName, wall_s: _wall, ...row }) => ({ scheme: entry.spec.label, rank: r, joint: design?.chosen === r ? 1 : 0, ...row }));
        all.push(...tagged);
        final.push(finalRow(entry.spec.label, r, tagged));
      }
    }
    ctx.folder.writeCsv('metrics.csv', all);
    ctx.folder.writeCsv('final.csv', final);
    if (design) {
      design.check = checkBound(design, final);
      ctx.folder.writeJson('design.json', design);
    }
    return design ? { final, design } : { final };
  } finally {
    prep.dispose();
  }
}

/** One training run of the comparison (scheme × rank) in runs/r<rank>-<label>/ (resumable on its own). */
async function trainOne(c: AirflRunConfig, prep: PreparedTraining, r: number, entry: AirflEntry, ctx: RunContext): Promise<CsvRow[]> {
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
  const aggregator = createAggregator(entry.spec, { radio: entry.radio, seed: ts.seed });
  ctx.log(`${name}: training (${aggregator.name})`);
  try {
    const res = await runFederated({
      config: ts.fl, data: prep.data, streams: prep.streams, folder: sub, resume: sub.resumed,
      aggregator, makeModel: prep.makeModel(loraAtRank(ts.lora, r)),
      log: (line) => ctx.log(`${name}: ${line}`),
    });
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

/**
 * Bound vs measured gap (final eval loss − F*) for every trained rank, each scheme with its own
 * transceivers' MSE in the bound (schemes without an AirComp MSE, i.e. digital, are skipped).
 */
function checkBound(design: DesignReport, final: CsvRow[]): DesignReport['check'] {
  const out: NonNullable<DesignReport['check']> = [];
  for (const row of final) {
    const r = Number(row['rank']);
    const entries = design.entriesByRank?.[String(r)];
    const mse = design.schemeMse?.[String(row['scheme'])];
    if (entries === undefined || mse === undefined) continue;
    const bound = optimalityGap(design.constants, { r, rounds: design.rounds, entries, mseMean: mse, S: design.S }).total;
    const measured = num(row['eval_loss']) - design.constants.fstar;
    out.push({ scheme: String(row['scheme']), r, mseMean: mse, bound, measured, boundAbove: bound >= measured });
  }
  return out;
}
