/**
 * Run one job of a prepared sweep folder (a Slurm array task) and merge a sweep folder, optionally
 * gathering job folders from shard folders (sweeps of the same scenario run elsewhere).
 */
import { cpSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserInputError } from '../errors.js';
import { canonicalJson } from '../results/canonical.js';
import { RunFolder } from '../results/run-folder.js';
import { executeJob, isJobDone, jobDir } from './execute.js';
import { expandSweep, type SweepPlan } from './grid.js';
import { mergeSweep, type MergeResult } from './merge.js';

/** The plan of a sweep folder, rebuilt from its manifest (expansion is deterministic). */
export function planOf(folder: RunFolder): SweepPlan {
  const m = folder.manifest();
  if (m.kind !== 'sweep') throw new UserInputError(`'${folder.dir}' is not a sweep folder (manifest kind '${m.kind}')`, 'dir');
  return expandSweep(m.scenario as Record<string, unknown>, { strictPaths: false });
}

/** Run job number `index` of the sweep in `dir` (idempotent: a finished job is left as it is). */
export async function runSweepJob(dir: string, index: number, log: (m: string) => void = () => {}): Promise<{ id: string; skipped: boolean }> {
  const folder = RunFolder.open(dir);
  const plan = planOf(folder);
  if (!Number.isInteger(index) || index < 0 || index >= plan.jobs.length) {
    throw new UserInputError(`--index: ${index} is out of range; this sweep has jobs 0..${plan.jobs.length - 1}`, 'index');
  }
  const job = plan.jobs[index]!;
  if (isJobDone(folder.dir, job)) return { id: job.id, skipped: true };
  await executeJob(folder.dir, job, log);
  return { id: job.id, skipped: false };
}

/**
 * Merge a sweep folder. Shards (other folders of the same sweep scenario) contribute the finished
 * job folders this one lacks. Marks the sweep complete.
 */
export function mergeSweepFolder(dir: string, shards: string[] = []): { folder: RunFolder; plan: SweepPlan; merged: MergeResult; copied: number } {
  const folder = RunFolder.open(dir);
  const plan = planOf(folder);
  const scen = canonicalJson(folder.manifest().scenario);
  let copied = 0;
  for (const s of shards) {
    const shard = RunFolder.open(s);
    const sm = shard.manifest();
    if (sm.kind !== 'sweep' || canonicalJson(sm.scenario) !== scen) {
      throw new UserInputError(`merge: shard '${s}' is not a sweep of the same scenario as '${dir}'`, 'shards');
    }
    if (!existsSync(join(shard.dir, 'jobs'))) continue;
    const present = new Set(readdirSync(join(shard.dir, 'jobs')));
    for (const job of plan.jobs) {
      if (!present.has(job.id) || isJobDone(folder.dir, job) || !isJobDone(shard.dir, job)) continue;
      // copy beside, then rename: a killed merge never leaves a half-copied job that looks finished
      const tmp = join(folder.dir, 'jobs', `.${job.id}.tmp`);
      rmSync(tmp, { recursive: true, force: true });
      rmSync(jobDir(folder.dir, job), { recursive: true, force: true });
      cpSync(jobDir(shard.dir, job), tmp, { recursive: true });
      renameSync(tmp, jobDir(folder.dir, job));
      copied++;
    }
  }
  const merged = mergeSweep(folder, plan);
  folder.complete({ jobs: plan.jobs.length });
  return { folder, plan, merged, copied };
}
