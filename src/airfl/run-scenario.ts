/**
 * An AirFL-LoRA scenario (sections `fl`, `data`, `lora`, `phy`, `aggregation`, `airfl`): train once per
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
import { UserInputError } from '../errors.js';
import type { Scenario } from '../scenario/schema.js';
import type { AirflSection } from '../scenario/sections/airfl.js';
import { radioFromScenario } from '../scenario/airfl-radio.js';
import { RunFolder } from '../results/run-folder.js';
import type { CsvRow } from '../results/csv.js';
import { flConfigFrom, prepareTraining, type PreparedTraining, type TrainingScenario } from '../fl/run-scenario.js';
import { runFederated } from '../fl/trainer.js';
import { IdealAggregator } from '../fl/ideal.js';
import type { Aggregator } from '../fl/aggregator.js';
import { createScheme } from '../phy/aircomp/index.js';
import { lora as loraSection } from '../scenario/sections/lora.js';
import { AirCompAggregator } from './aircomp-aggregator.js';
import { DigitalAggregator } from './digital-aggregator.js';
import { runDesignLoop, type DesignReport } from './design-loop.js';
import { optimalityGap } from '../design/bound.js';

export interface AirflRunOptions {
  folder: RunFolder;
  resume: boolean;
  log?: (line: string) => void;
  backend?: string;
}

export function trainingScenarioOf(s: Scenario): TrainingScenario {
  const r = s as unknown as Record<string, unknown>;
  if (r['fl'] === undefined) throw new UserInputError('airfl: needs an fl: section', 'fl');
  if (r['data'] === undefined) throw new UserInputError('airfl: needs a data: section (dataset, partition, seq_len, ...)', 'data');
  return {
    name: s.name, seed: s.seed,
    fl: r['fl'] as TrainingScenario['fl'],
    data: r['data'] as TrainingScenario['data'],
    model: r['model'] as TrainingScenario['model'],
    lora: (r['lora'] as TrainingScenario['lora'] | undefined) ?? loraSection.parse({})!,
  };
}

/**
 * The LoRA configuration of a run at rank r. `lora_alpha` scales with the rank so that the update
 * scale α/r stays at the lora section's value: a rank comparison then changes capacity and payload,
 * not the effective learning rate (with a fixed α, rank 1 would train 8× hotter than rank 8).
 */
export function loraAtRank(lora: TrainingScenario['lora'], r: number): TrainingScenario['lora'] {
  return { ...lora, r, lora_alpha: (lora.lora_alpha * r) / lora.r };
}

export function airflOf(s: Scenario): AirflSection {
  const a = (s as unknown as { airfl?: AirflSection }).airfl;
  if (!a) throw new UserInputError('airfl: section missing', 'airfl');
  return a;
}

/** The aggregator of one `aggregation` entry. */
export function aggregatorFor(s: Scenario, entry: Scenario['aggregation'][number]): Aggregator {
  if (entry.scheme === 'ideal') return new IdealAggregator();
  const radio = radioFromScenario(s, entry.streams ?? s.phy.streams);
  if (entry.scheme === 'digital') return new DigitalAggregator(radio, Number(entry.options['bits'] ?? 8), s.seed, entry.label);
  return new AirCompAggregator(radio, createScheme(entry.scheme, entry.options), s.seed, entry.label);
}

export async function runAirflScenario(s: Scenario, opts: AirflRunOptions): Promise<{ final: CsvRow[]; design?: DesignReport }> {
  const ts = trainingScenarioOf(s);
  const a = airflOf(s);
  const log = opts.log ?? (() => {});
  for (const e of s.aggregation) radioFromScenario(s, e.streams ?? s.phy.streams); // validate early
  const prep = prepareTraining(ts, opts.folder);
  try {
    let design: DesignReport | undefined;
    const ranks = [...(a.ranks ?? [ts.lora.r])];
    if (a.joint) {
      design = opts.resume && opts.folder.exists('design.json')
        ? (JSON.parse(opts.folder.readText('design.json')) as DesignReport)
        : await runDesignLoop(s, ts, prep, { log });
      opts.folder.writeJson('design.json', design);
      opts.folder.writeCsv('design.csv', design.convergence);
      opts.folder.writeCsv('bound.csv', design.candidates.map((c) => ({
        rank: c.r, entries: c.entries, latency_s: c.latencyS, mse_mean: c.mseMean, feasible: c.feasible ? 1 : 0,
        bound: c.bound.total, initial: c.bound.initial, aggregation: c.bound.aggregation, truncation: c.bound.truncation,
      })));
      if (!ranks.includes(design.chosen)) ranks.push(design.chosen);
      log(`design loop chose rank ${design.chosen} (tried ${design.candidates.map((c) => c.r).join(', ')})`);
    }
    const all: CsvRow[] = [];
    const final: CsvRow[] = [];
    for (const r of ranks) {
      for (const entry of s.aggregation) {
        const rows = await trainOne(s, ts, prep, r, entry, opts);
        // wall_s stays in each run's timing.csv: metrics.csv depends only on the scenario and seed
        const tagged = rows.map(({ scheme: _aggregatorName, wall_s: _wall, ...row }) => ({ scheme: entry.label, rank: r, joint: design?.chosen === r ? 1 : 0, ...row }));
        all.push(...tagged);
        final.push(finalRow(entry.label, r, tagged));
      }
    }
    opts.folder.writeCsv('metrics.csv', all);
    opts.folder.writeCsv('final.csv', final);
    if (design) {
      design.check = checkBound(design, final);
      opts.folder.writeJson('design.json', design);
    }
    return design ? { final, design } : { final };
  } finally {
    prep.dispose();
  }
}

async function trainOne(
  s: Scenario, ts: TrainingScenario, prep: PreparedTraining, r: number, entry: Scenario['aggregation'][number], opts: AirflRunOptions,
): Promise<CsvRow[]> {
  const name = `r${r}-${entry.label}`;
  const subDir = join(opts.folder.dir, 'runs', name);
  const sub = opts.folder.exists(join('runs', name, 'manifest.json'))
    ? RunFolder.open(subDir)
    : RunFolder.create({ out: subDir, name, scenario: { scenario: s, rank: r, scheme: entry.label } });
  if (sub.isComplete()) {
    opts.log?.(`${name}: complete, kept`);
    return sub.readCsv('metrics.csv') as unknown as CsvRow[];
  }
  if (!sub.hasManifest()) {
    sub.writeManifest({ kind: 'train', scenario: { ...s, lora: loraAtRank(ts.lora, r) }, seed: s.seed, ...(opts.backend ? { backend: opts.backend } : {}), extra: { scheme: entry.label, rank: r } });
  }
  const aggregator = aggregatorFor(s, entry);
  opts.log?.(`${name}: training (${aggregator.name})`);
  try {
    const res = await runFederated({
      config: flConfigFrom(ts.fl), data: prep.data, streams: prep.streams, folder: sub, resume: sub.resumed,
      aggregator, makeModel: prep.makeModel(loraAtRank(ts.lora, r)),
      log: (line) => opts.log?.(`${name}: ${line}`),
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
