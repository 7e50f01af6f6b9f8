/**
 * `airlora sweep FILE [--jobs N] [--out DIR] [--resume DIR] [--emit slurm DIR]` and
 * `airlora sweep-job DIR --index I` (one job of a prepared sweep; what a Slurm array task runs).
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { drawFigures } from '../../report/draw.js';
import type { RunFolder } from '../../results/run-folder.js';
import { prepareSweepFolder, runSweep } from '../../sweep/run-sweep.js';
import { loadScenarioFile, resolveJobScenario } from '../../sweep/scenario-file.js';
import type { SweepJob } from '../../sweep/grid.js';

export function describePoint(j: SweepJob): string {
  return [...Object.entries(j.point).map(([k, v]) => `${k}=${JSON.stringify(v)}`), `trial ${j.trial}`].join(', ');
}
import { runSweepJob } from '../../sweep/shards.js';
import { emitSlurm } from '../../sweep/slurm.js';

export function parsePositiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < 1) {
    throw new UserInputError(`${flag}: '${v}' is not a positive integer`, flag);
  }
  return n;
}

/** Draw a folder's figures, reporting but not failing on an automatic (unrequested) figure set. */
export async function drawAfterRun(folder: RunFolder, log: (m: string) => void): Promise<void> {
  const drawn = await drawFigures(folder);
  for (const d of drawn) {
    log(`figure ${d.name}: ${d.points} points${d.dropped ? `, ${d.dropped} non-finite values not plotted` : ''}`);
  }
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description('run a scenario\'s sweep: grid section expanded into jobs, run on worker threads, merged into one results folder')
    .argument('<file>', 'scenario YAML with a sweep: section')
    .option('-j, --jobs <n>', `worker threads (default: core count, ${availableParallelism()})`)
    .option('-o, --out <dir>', 'results folder (default runs/<name>-<UTC time>)')
    .option('--resume <dir>', 'finish a killed sweep of the same scenario in this folder')
    .option('--emit <target>', "write scripts instead of running: 'slurm'")
    .option('--slurm-dir <dir>', 'sweep folder for --emit slurm (same as the positional DIR form)')
    .option('--slurm-command <cmd>', 'how array tasks call the CLI on the cluster', 'npx airlora')
    .option('--partition <p>', 'Slurm partition')
    .option('--time <t>', 'Slurm time limit per job', '01:00:00')
    .option('--no-figures', 'skip drawing figures')
    .argument('[emitDir]', 'with --emit slurm: the sweep folder to prepare')
    .action(async (file: string, emitDir: string | undefined, o: Record<string, string | boolean | undefined>) => {
      const log = (m: string) => process.stderr.write(m + '\n');
      const { raw: scenario, resolved } = await loadScenarioFile(file);
      const validate = async (j: SweepJob) => { await resolveJobScenario(j.scenario, `${file}: sweep job ${j.id} (${describePoint(j)})`); };
      if (scenario.sweep === undefined) throw new UserInputError(`${file}: has no sweep: section (use 'airlora run' for a single run)`, 'sweep');
      const name = file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, '');
      if (o.emit !== undefined) {
        if (o.emit !== 'slurm') throw new UserInputError(`--emit: '${o.emit}' is not supported; allowed: slurm`, 'emit');
        const dir = (o.slurmDir as string | undefined) ?? emitDir ?? (o.out as string | undefined);
        if (!dir) throw new UserInputError('--emit slurm: give the sweep folder, e.g. airlora sweep FILE --emit slurm DIR', 'emit');
        const { folder, plan } = await prepareSweepFolder({ scenario, reference: resolved, validate, out: dir, name });
        const files = emitSlurm(folder, plan, { command: o.slurmCommand as string, partition: o.partition as string | undefined, time: o.time as string });
        process.stdout.write(`${folder.dir}\n`);
        log(`${plan.jobs.length} jobs; wrote ${files.join(', ')}; submit with: bash ${folder.dir}/slurm/submit.sh`);
        return;
      }
      if (emitDir !== undefined) throw new UserInputError(`unexpected argument '${emitDir}' (only --emit slurm takes a folder)`, 'args');
      if (o.resume !== undefined && o.out !== undefined) throw new UserInputError('--resume and --out: give one (a resumed sweep writes into the folder it continues)', 'out');
      const jobs = o.jobs !== undefined ? parsePositiveInt(o.jobs as string, '--jobs') : undefined;
      const t0 = performance.now();
      const res = await runSweep({ scenario, reference: resolved, validate, out: o.out as string | undefined, resume: o.resume as string | undefined, name, jobs, log });
      log(`${res.plan.jobs.length} jobs (${res.ran} run, ${res.skipped} kept) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (o.figures !== false) await drawAfterRun(res.folder, log);
      process.stdout.write(`${res.folder.dir}\n`);
    });

  program
    .command('sweep-job')
    .description('run one job of a prepared sweep folder (what each Slurm array task runs)')
    .argument('<dir>', 'sweep folder written by sweep --emit slurm')
    .requiredOption('--index <i>', 'job index (0-based; $SLURM_ARRAY_TASK_ID)')
    .action(async (dir: string, o: { index: string }) => {
      if (!/^\d+$/.test(o.index.trim())) throw new UserInputError(`--index: '${o.index}' is not a non-negative integer`, 'index');
      const r = await runSweepJob(dir, Number(o.index), (m) => process.stderr.write(m + '\n'));
      process.stderr.write(`${r.id} ${r.skipped ? 'already finished' : 'done'}\n`);
    });
}
