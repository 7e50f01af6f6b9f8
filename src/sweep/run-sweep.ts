/**
 * Run a sweep: expand the grid, run the unfinished jobs (serially in-process for --jobs 1, else on
 * worker threads), merge, mark complete. Killed midway and rerun with `resume`, finished jobs are
 * kept and the merged result equals an uninterrupted run (each job depends only on its scenario).
 */
import { availableParallelism } from 'node:os';
import { UserInputError } from '../errors.js';
import { canonicalJson } from '../results/canonical.js';
import { RunFolder } from '../results/run-folder.js';
import { FolderLock } from '../results/lock.js';
import { formatDuration as eta } from '../runs/duration.js';
import { executeJob, isJobDone } from './execute.js';
import { expandSweep, type SweepJob, type SweepPlan } from './grid.js';
import { mergeSweep, type MergeResult } from './merge.js';
import { runOnWorkers } from './pool.js';
import { runnerKindOf, runnerModuleRefs, workerLoadable } from '../runs/registry.js';

export interface SweepOptions {
  /** The resolved scenario, including its `sweep:` section. */
  scenario: Record<string, unknown>;
  out?: string;
  root?: string;
  name?: string;
  /** An earlier (killed) sweep folder of the same scenario to finish. */
  resume?: string;
  /** Worker threads (default: the core count); 1 runs in this thread. */
  jobs?: number;
  strictPaths?: boolean;
  /** Grid paths are checked against this (the resolved scenario); default: `scenario` itself. */
  reference?: Record<string, unknown>;
  /** Called on every job scenario before anything runs (e.g. schema validation); throw to refuse. */
  validate?: (job: SweepJob) => void | Promise<void>;
  log?: (msg: string) => void;
}

export interface SweepResult {
  folder: RunFolder;
  plan: SweepPlan;
  ran: number;
  skipped: number;
  merged: MergeResult;
}

export const JOBS_FILE = 'jobs.json';

/** Create (or reopen) the sweep folder with its manifest and job list, without running anything. */
export async function prepareSweepFolder(opts: Omit<SweepOptions, 'jobs' | 'log'>): Promise<{ folder: RunFolder; plan: SweepPlan }> {
  const plan = expandSweep(opts.scenario, { strictPaths: opts.strictPaths, reference: opts.reference });
  if (opts.validate) for (const j of plan.jobs) await opts.validate(j);
  if (plan.jobs.length === 0) throw new UserInputError('sweep: the grid has no points', 'sweep.grid');
  const kind = runnerKindOf(plan.jobs[0]!.scenario);
  let folder: RunFolder;
  if (opts.resume !== undefined) {
    folder = RunFolder.open(opts.resume);
    const m = folder.manifest();
    if (m.kind !== 'sweep' || canonicalJson(m.scenario) !== canonicalJson(opts.scenario)) {
      throw new UserInputError(`--resume: '${opts.resume}' is not a sweep of this scenario (the scenario file changed, or it is another run); start a new sweep instead`, 'resume');
    }
  } else {
    folder = RunFolder.create({ out: opts.out, name: opts.name ?? 'sweep', root: opts.root, scenario: opts.scenario });
  }
  if (!folder.hasManifest()) {
    folder.writeManifest({
      kind: 'sweep', scenario: opts.scenario, seed: typeof opts.scenario.seed === 'number' ? opts.scenario.seed : 0,
      extra: { runner: kind, jobs: plan.jobs.length, trials: plan.sweep.trials, grid: plan.sweep.grid, columns: Object.values(plan.columns) },
    });
    folder.writeJson(JOBS_FILE, plan.jobs.map(({ scenario: _s, ...j }) => j));
  }
  return { folder, plan };
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const log = opts.log ?? (() => {});
  const { folder, plan } = await prepareSweepFolder(opts);
  const lock = FolderLock.acquire(folder.dir); // one sweep process per folder
  try {
    return await runPrepared(folder, plan, opts, log);
  } finally {
    lock.release();
  }
}

async function runPrepared(folder: RunFolder, plan: SweepPlan, opts: SweepOptions, log: (msg: string) => void): Promise<SweepResult> {
  const pending: SweepJob[] = plan.jobs.filter((j) => !isJobDone(folder.dir, j));
  const skipped = plan.jobs.length - pending.length;
  if (skipped) log(`resuming: ${skipped} of ${plan.jobs.length} jobs already finished`);
  const threads = Math.max(1, Math.floor(opts.jobs ?? availableParallelism()));
  let done = skipped;
  const t0 = Date.now();
  const onDone = (j: SweepJob) => {
    done++;
    // jobs done this session set the pace; the ETA is for the jobs still to run
    const ran = done - skipped, el = (Date.now() - t0) / 1000, left = plan.jobs.length - done;
    log(`[${done}/${plan.jobs.length}] ${j.id} done; ${left} to go${ran > 0 && left > 0 ? `, eta ${eta((el / ran) * left)}` : ''} (elapsed ${eta(el)})`);
  };
  try {
    if (threads === 1 || pending.length <= 1) {
      for (const j of pending) { await executeJob(folder.dir, j, log); onDone(j); }
    } else {
      const kind = runnerKindOf(plan.jobs[0]!.scenario);
      if (!workerLoadable(kind)) {
        throw new Error(`runner '${kind}' was registered without a module URL, so worker threads cannot load it; use registerRunnerModule, or --jobs 1`);
      }
      await runOnWorkers(folder.dir, pending, threads, runnerModuleRefs(), onDone);
    }
  } catch (e) {
    folder.fail(e);
    throw e;
  }
  const merged = mergeSweep(folder, plan);
  folder.complete({ ran: pending.length, skipped });
  return { folder, plan, ran: pending.length, skipped, merged };
}
