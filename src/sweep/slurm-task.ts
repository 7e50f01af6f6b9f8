/**
 * One array task of an emitted sweep: task t runs jobs K·t … K·t+K−1 (K = jobs per task, from
 * slurm/slurm.json) one after another in this process, through the same entry as
 * `airlora sweep-job` (runSweepJob), so many cheap PHY points pay one process start, not K.
 * Finished jobs are kept; the first failing job stops the task (the array script marks it failed).
 */
import { UserInputError } from '../errors.js';
import { RunFolder } from '../results/run-folder.js';
import { runSweepJob } from './shards.js';
import { SLURM_LAYOUT_FILE, type SlurmLayout } from './slurm.js';

/** Job indices of array task `task`. */
export function taskJobIndices(layout: Pick<SlurmLayout, 'jobs' | 'jobsPerTask'>, task: number): number[] {
  const first = task * layout.jobsPerTask;
  const last = Math.min(first + layout.jobsPerTask, layout.jobs) - 1;
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

export async function runSlurmTask(dir: string, task: number, log: (m: string) => void = () => {}): Promise<{ ran: string[]; kept: string[] }> {
  const folder = RunFolder.open(dir);
  if (!folder.exists(SLURM_LAYOUT_FILE)) {
    throw new UserInputError(`'${folder.dir}' has no ${SLURM_LAYOUT_FILE} (not emitted with sweep --emit slurm); run single jobs with airlora sweep-job`, 'dir');
  }
  const layout = folder.readJson<SlurmLayout>(SLURM_LAYOUT_FILE);
  if (!Number.isInteger(task) || task < 0 || task >= layout.tasks) {
    throw new UserInputError(`--task: ${task} is out of range; this sweep has array tasks 0..${layout.tasks - 1}`, 'task');
  }
  const ran: string[] = [], kept: string[] = [];
  for (const i of taskJobIndices(layout, task)) {
    const r = await runSweepJob(folder.dir, i, log);
    (r.skipped ? kept : ran).push(r.id);
    log(`${r.id} ${r.skipped ? 'already finished' : 'done'}`);
  }
  return { ran, kept };
}
