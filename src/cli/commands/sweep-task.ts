/**
 * `airlora sweep task DIR --task T`: run array task T of a sweep emitted for Slurm (its jobs one
 * after another in one process); what the array script runs when --jobs-per-task is above 1.
 */
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { runSlurmTask } from '../../sweep/slurm-task.js';

export function registerTask(sweep: Command): void {
  sweep
    .command('task')
    .description('run one Slurm array task of an emitted sweep (its jobs, one after another)')
    .argument('<dir>', 'sweep folder written by sweep --emit slurm')
    .requiredOption('--task <t>', 'array task index (0-based; $SLURM_ARRAY_TASK_ID)')
    .action(async (dir: string, o: { task: string }) => {
      if (!/^\d+$/.test(o.task.trim())) throw new UserInputError(`--task: '${o.task}' is not a non-negative integer`, 'task');
      await runSlurmTask(dir, Number(o.task), (m) => process.stderr.write(m + '\n'));
    });
}
