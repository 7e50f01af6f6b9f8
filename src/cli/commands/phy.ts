/**
 * `airlora phy FILE [--trials N] [--seed S] [--json] [--out DIR]`: Monte-Carlo of the PHY alone.
 * For every scheme × server-antenna count × SNR (or power) point: aggregate NMSE as mean and median,
 * in dB, with 95% CIs and the trial count. Terminal table by default, JSON with --json, and under
 * --out a results folder with a tidy per-trial CSV (phy-trials.csv), the summary (phy-summary.csv,
 * phy-summary.json) and the manifest.
 */
import type { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { UserInputError } from '../../errors.js';
import { runPhyExperiment, type PhySummaryRow } from '../../phy/experiment/montecarlo.js';
import { RunFolder } from '../../results/index.js';
import { loadScenario } from '../../scenario/load.js';
import { phyExperiment } from '../../scenario/phy-experiment.js';

interface PhyCliOptions {
  trials?: string;
  seed?: string;
  json?: boolean;
  out?: string;
  progress?: boolean;
}

export function parseIntFlag(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min) {
    throw new UserInputError(`${flag}: '${v}' is not allowed; expected an integer ≥ ${min}`, flag);
  }
  return n;
}

function db(x: number): string {
  if (x === -Infinity) return '-inf';
  if (!Number.isFinite(x)) return String(x);
  return x.toFixed(2);
}

export function formatPhyTable(summary: PhySummaryRow[]): string {
  const head = ['scheme', 'S', 'N_r', 'point', 'NMSE mean dB', '95% CI (dB)', 'median dB', '95% CI (dB)', 'analytic dB', 'trials'];
  const body = summary.map((r) => [
    r.scheme, String(r.streams), String(r.server_antennas), r.point, db(r.nmse_mean_db), `[${db(r.nmse_ci_low_db)}, ${db(r.nmse_ci_high_db)}]`,
    db(r.nmse_median_db), `[${db(r.nmse_median_low_db)}, ${db(r.nmse_median_high_db)}]`,
    db(r.nmse_analytic_db), String(r.trials),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 && i !== 1 && i !== 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('phy')
    .description('Monte-Carlo of the PHY alone: aggregate NMSE per scheme, SNR (or power) and server antenna count')
    .argument('<file>', 'scenario YAML file')
    .option('--trials <n>', 'override the scenario\'s trials')
    .option('--seed <s>', 'override the scenario\'s seed')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--out <dir>', 'write a results folder (tidy CSVs, summary JSON, manifest)')
    .option('--no-progress', 'no progress bar')
    .action((file: string, opts: PhyCliOptions) => {
      const scenario = loadScenario(file);
      const trials = parseIntFlag(opts.trials, '--trials', 1);
      const seed = parseIntFlag(opts.seed, '--seed', 0);
      const over: { trials?: number; seed?: number } = {};
      if (trials !== undefined) over.trials = trials;
      if (seed !== undefined) over.seed = seed;
      const exp = phyExperiment(scenario, over);
      const resolved = { ...scenario, trials: exp.trials, seed: exp.seed };
      const folder = opts.out !== undefined ? RunFolder.create({ out: opts.out, name: scenario.name, scenario: resolved }) : undefined;
      folder?.writeManifest({ kind: 'phy', scenario: resolved, seed: exp.seed, extra: { command: `phy ${file}` } });
      const total = exp.trials * exp.serverAntennas.length;
      const bar = opts.progress !== false && process.stderr.isTTY && total >= 10
        ? new SingleBar({ stream: process.stderr, format: 'phy [{bar}] {percentage}% | {value}/{total} trial blocks | eta {eta}s', hideCursor: true })
        : undefined;
      bar?.start(total, 0);
      let result;
      try {
        result = runPhyExperiment(exp, { onProgress: (done) => bar?.update(done) });
      } catch (e) {
        bar?.stop();
        folder?.fail(e);
        throw e;
      }
      bar?.stop();
      const { rows, summary } = result;
      if (folder) {
        folder.writeCsv('phy-trials.csv', rows);
        folder.writeCsv('phy-summary.csv', summary);
        folder.writeJson('phy-summary.json', { name: scenario.name, seed: exp.seed, trials: exp.trials, summary });
        folder.complete();
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify({ name: scenario.name, seed: exp.seed, trials: exp.trials, summary }, null, 2) + '\n');
      } else {
        process.stdout.write(`${scenario.name}: PHY Monte-Carlo, ${exp.trials} trials, seed ${exp.seed}; NMSE = ‖x̂ − Σφx‖²/‖Σφx‖², 95% CIs\n`);
        process.stdout.write(formatPhyTable(summary));
        if (folder) process.stdout.write(`results: ${folder.dir}\n`);
      }
    });
}
