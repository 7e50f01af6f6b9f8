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
import { runPhyExperiment, type PhyExperiment, type PhySummaryRow } from '../../phy/experiment/montecarlo.js';
import { executeRun, resolveRun } from '../../runs/lifecycle.js';
import { phySummaryJson, type PhyRunConfig } from '../../runs/phy.js';
import { overridesFrom, resumeCommand } from './run.js';
import { collectSet, overridesRecord, scenarioWithSets } from './flags.js';

interface PhyCliOptions {
  trials?: string;
  seed?: string;
  json?: boolean;
  out?: string;
  progress?: boolean;
  set?: string[];
}

function db(x: number): string {
  if (x === -Infinity) return '-inf';
  if (!Number.isFinite(x)) return String(x);
  return x.toFixed(2);
}

export function formatPhyTable(summary: PhySummaryRow[]): string {
  // 'E[·|H]': expected NMSE given the channel (true H); 'on Ĥ': the design's own prediction on its
  // channel estimate (optimistic under CSI error); 'headline': median where the NMSE is heavy-tailed
  const head = ['scheme', 'S', 'N_r', 'point', 'NMSE mean dB', '95% CI (dB)', 'median dB', '95% CI (dB)', 'E[·|H] dB', 'on Ĥ dB', 'headline', 'trials'];
  const body = summary.map((r) => [
    r.scheme, String(r.streams), String(r.server_antennas), r.point, db(r.nmse_mean_db), `[${db(r.nmse_ci_low_db)}, ${db(r.nmse_ci_high_db)}]`,
    db(r.nmse_median_db), `[${db(r.nmse_median_low_db)}, ${db(r.nmse_median_high_db)}]`,
    db(r.nmse_conditional_db), db(r.nmse_analytic_on_estimate_db), r.heavy_tail ? 'median (heavy tail)' : r.headline, String(r.trials),
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
    .option('--set <path=value>', 'override a scenario key (YAML value; repeatable), e.g. --set phy.snr_db=[0,10]', collectSet, [])
    .action(async (file: string, opts: PhyCliOptions) => {
      const raw = scenarioWithSets(file, opts.set);
      const overrides = overridesFrom(opts);
      const { runner, resolved } = await resolveRun(raw, { overrides, source: file });
      if (runner.kind !== 'phy') throw new UserInputError(`${file}: a ${runner.kind} scenario, not a PHY Monte-Carlo; run it with 'airlora run ${file}'`, 'FILE');
      const { name, experiment: exp } = resolved.config as PhyRunConfig;
      const total = exp.trials * exp.serverAntennas.length;
      const bar = opts.progress !== false && process.stderr.isTTY && total >= 10
        ? new SingleBar({ stream: process.stderr, format: 'phy [{bar}] {percentage}% | {value}/{total} trial blocks | eta {eta}s', hideCursor: true })
        : undefined;
      bar?.start(total, 0);
      const onProgress = (done: number) => bar?.update(done);
      let summary: PhySummaryRow[];
      let dir: string | undefined;
      try {
        if (opts.out !== undefined) {
          const out = await executeRun(raw, { out: opts.out, overrides, source: file, figures: false, log: () => {}, onProgress, extra: { command: ['airlora', 'phy', file, ...process.argv.slice(4)], overrides: overridesRecord(opts) }, signals: { resumeCommand: resumeCommand('run', file, opts) } });
          dir = out.folder.dir;
          summary = (out.folder.readJson('phy-summary.json') as { summary: PhySummaryRow[] }).summary;
        } else {
          summary = runPhyExperiment(exp, { onProgress }).summary;
        }
      } finally {
        bar?.stop();
      }
      printSummary(name, exp, summary, opts.json === true, dir);
    });
}

function printSummary(name: string, exp: PhyExperiment, summary: PhySummaryRow[], json: boolean, dir: string | undefined): void {
  if (json) {
    process.stdout.write(JSON.stringify(phySummaryJson(name, exp, summary), null, 2) + '\n');
    return;
  }
  process.stdout.write(`${name}: PHY Monte-Carlo, ${exp.trials} trials, seed ${exp.seed}; NMSE = ‖x̂ − Σφx‖²/‖Σφx‖², 95% CIs\n`);
  process.stdout.write(formatPhyTable(summary));
  if (dir) process.stdout.write(`results: ${dir}\n`);
}
