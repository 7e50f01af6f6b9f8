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
import { flagSets } from './flags.js';

export function describePoint(j: SweepJob): string {
  return [...Object.entries(j.point).map(([k, v]) => `${k}=${JSON.stringify(v)}`), `trial ${j.trial}`].join(', ');
}
import { runSweepJob } from '../../sweep/shards.js';
import { checkSlurmOptions, emitSlurm, type SlurmOptions } from '../../sweep/slurm.js';
import { registerStatus } from './sweep-status.js';
import { registerTask } from './sweep-task.js';

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

const collect = (v: string, prev: string[]) => [...prev, v];

/** The --emit slurm flags as SlurmOptions (checked there; numbers here). */
function slurmOptionsOf(o: Record<string, unknown>): SlurmOptions {
  const str = (k: string) => o[k] as string | undefined;
  const int = (k: string, flag: string) => (str(k) === undefined ? undefined : parsePositiveInt(str(k)!, flag));
  return {
    command: str('command') ?? str('slurmCommand'), partition: str('partition'), account: str('account'),
    time: str('time'), mergeTime: str('mergeTime'), cpusPerTask: int('cpusPerTask', '--cpus-per-task'), memory: str('mem'),
    maxConcurrent: int('arrayThrottle', '--array-throttle'), jobsPerTask: int('jobsPerTask', '--jobs-per-task'),
    moduleLoad: o.moduleLoad as string[], setup: o.setup as string[], extra: o.sbatch as string[], workdir: process.cwd(),
  };
}

export function register(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('run a scenario\'s sweep: grid section expanded into jobs, run on worker threads, merged into one results folder')
    .argument('<file>', 'scenario YAML with a sweep: section')
    .option('-j, --jobs <n>', `worker threads (default: core count, ${availableParallelism()})`)
    .option('-o, --out <dir>', 'results folder (default runs/<name>-<UTC time>)')
    .option('--resume <dir>', 'finish a killed sweep of the same scenario in this folder')
    .option('--emit <target>', "write scripts instead of running: 'slurm'")
    .option('--slurm-dir <dir>', 'sweep folder for --emit slurm (same as the positional DIR form)')
    .option('--command <cmd>', 'with --emit slurm: how the cluster runs the CLI (default: npx airlora)')
    .option('--slurm-command <cmd>', 'same as --command')
    .option('--partition <p>', 'with --emit slurm: Slurm partition')
    .option('--account <a>', 'with --emit slurm: Slurm account to charge')
    .option('--time <t>', 'with --emit slurm: time limit of one array task', '01:00:00')
    .option('--merge-time <t>', 'with --emit slurm: time limit of the merge job', '00:30:00')
    .option('--cpus-per-task <n>', 'with --emit slurm: CPUs per array task', '1')
    .option('--mem <size>', 'with --emit slurm: memory per task, e.g. 4G')
    .option('--array-throttle <n>', 'with --emit slurm: most array tasks running at once (--array=0-N%n)')
    .option('--jobs-per-task <n>', 'with --emit slurm: sweep jobs per array task (1 per training run; many cheap PHY points per task)', '1')
    .option('--module-load <module>', 'with --emit slurm: `module load` this before running (repeatable)', collect, [])
    .option('--setup <line>', 'with --emit slurm: shell line run before the CLI, e.g. \'source ~/env.sh\' (repeatable)', collect, [])
    .option('--sbatch <option>', 'with --emit slurm: extra #SBATCH option, e.g. --sbatch=--qos=short (repeatable)', collect, [])
    .option('--no-figures', 'skip drawing figures')
    .argument('[emitDir]', 'with --emit slurm: the sweep folder to prepare')
    .option('--rounds <n>', 'override the rounds of every job (fl.rounds or split.rounds)')
    .option('--trials <n>', 'override the trials of every job (PHY Monte-Carlo trials, split.trials)')
    .option('--seed <s>', 'override the scenario seed (trial t of the sweep uses seed + t)')
    .option('--set <path=value>', 'override a scenario key (YAML value; repeatable)', (v: string, p: string[] = []) => [...p, v], [])
    .action(async (file: string, emitDir: string | undefined, o: Record<string, string | boolean | undefined>) => {
      const log = (m: string) => process.stderr.write(m + '\n');
      const sets = (o.set as unknown as string[] | undefined) ?? [];
      const first = await loadScenarioFile(file, sets);
      const flagged = await flagSets(first.raw, o as { rounds?: string; trials?: string; seed?: string });
      const { raw: scenario, resolved } = flagged.length ? await loadScenarioFile(file, [...sets, ...flagged]) : first;
      const validate = async (j: SweepJob) => { await resolveJobScenario(j.scenario, `${file}: sweep job ${j.id} (${describePoint(j)})`); };
      if (scenario.sweep === undefined) throw new UserInputError(`${file}: has no sweep: section (use 'airlora run' for a single run)`, 'sweep');
      const name = file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/i, '');
      if (o.emit !== undefined) {
        if (o.emit !== 'slurm') throw new UserInputError(`--emit: '${o.emit}' is not supported; allowed: slurm`, 'emit');
        const dir = (o.slurmDir as string | undefined) ?? emitDir ?? (o.out as string | undefined);
        if (!dir) throw new UserInputError('--emit slurm: give the sweep folder, e.g. airlora sweep FILE --emit slurm DIR', 'emit');
        const slurm = slurmOptionsOf(o);
        checkSlurmOptions(slurm);
        const { folder, plan } = await prepareSweepFolder({ scenario, reference: resolved, validate, out: dir, name });
        const files = emitSlurm(folder, plan, slurm);
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
  registerStatus(sweep);
  registerTask(sweep);

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
