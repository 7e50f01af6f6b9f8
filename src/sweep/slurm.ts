/**
 * Slurm export: `airlora sweep FILE --emit slurm DIR` prepares DIR as the sweep folder (manifest,
 * jobs.json) and writes DIR/slurm/: an array script with one task per job (each runs
 * `airlora sweep-job DIR --index $SLURM_ARRAY_TASK_ID`), a merge script (`airlora merge DIR`),
 * and submit.sh, which submits the array and the merge with an afterok dependency. Tasks write
 * only their own jobs/<id>/ folder, so they need no coordination; a failed task can be resubmitted
 * alone (`sbatch --array=7 array.sbatch`).
 */
import { chmodSync } from 'node:fs';
import type { RunFolder } from '../results/run-folder.js';
import type { SweepPlan } from './grid.js';

export interface SlurmOptions {
  /** Command that runs the CLI on the cluster (default `npx airlora`). */
  command?: string;
  /** Job name (default airlora-<folder name>). */
  jobName?: string;
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  memory?: string;
  /** Most array tasks running at once (`%N`). */
  maxConcurrent?: number;
  /** Extra `#SBATCH` lines, without the prefix, e.g. ['--account=abc']. */
  extra?: string[];
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function slurmScripts(dir: string, plan: SweepPlan, o: SlurmOptions = {}): { array: string; merge: string; submit: string } {
  const cmd = o.command ?? 'npx airlora';
  const name = o.jobName ?? `airlora-${dir.split('/').filter(Boolean).pop() ?? 'sweep'}`;
  const n = plan.jobs.length;
  const common = [
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.extra ?? []).map((e) => `#SBATCH ${e}`),
  ];
  const array = [
    '#!/usr/bin/env bash',
    `#SBATCH --job-name=${name}`,
    `#SBATCH --array=0-${n - 1}${o.maxConcurrent ? `%${o.maxConcurrent}` : ''}`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask ?? 1}`,
    `#SBATCH --time=${o.time ?? '01:00:00'}`,
    ...(o.memory ? [`#SBATCH --mem=${o.memory}`] : []),
    `#SBATCH --output=${dir}/slurm/logs/%A_%a.out`,
    ...common,
    '# One array task per sweep job; each writes only jobs/<id>/ of the sweep folder.',
    'set -euo pipefail',
    `${cmd} sweep-job ${q(dir)} --index "\${SLURM_ARRAY_TASK_ID}"`,
    '',
  ].join('\n');
  const merge = [
    '#!/usr/bin/env bash',
    `#SBATCH --job-name=${name}-merge`,
    '#SBATCH --cpus-per-task=1',
    '#SBATCH --time=00:30:00',
    `#SBATCH --output=${dir}/slurm/logs/merge_%j.out`,
    ...common,
    '# Merge every job folder into metrics.csv, draw the figures, mark the sweep complete.',
    'set -euo pipefail',
    `${cmd} merge ${q(dir)}`,
    '',
  ].join('\n');
  const submit = [
    '#!/usr/bin/env bash',
    `# Submit the ${n}-task array, then the merge once every task has succeeded.`,
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    `mkdir -p ${q(dir + '/slurm/logs')}`,
    'array_id=$(sbatch --parsable array.sbatch)',
    'array_id=${array_id%%;*}',
    'sbatch --dependency=afterok:"${array_id}" merge.sbatch',
    '',
  ].join('\n');
  return { array, merge, submit };
}

export function emitSlurm(folder: RunFolder, plan: SweepPlan, o: SlurmOptions = {}): string[] {
  const s = slurmScripts(folder.dir, plan, o);
  folder.writeText('slurm/array.sbatch', s.array);
  folder.writeText('slurm/merge.sbatch', s.merge);
  folder.writeText('slurm/submit.sh', s.submit);
  for (const f of ['array.sbatch', 'merge.sbatch', 'submit.sh']) chmodSync(folder.path(`slurm/${f}`), 0o755);
  return ['slurm/array.sbatch', 'slurm/merge.sbatch', 'slurm/submit.sh'];
}
