/**
 * Slurm export: `airlora sweep FILE --emit slurm DIR` prepares DIR as the sweep folder (manifest,
 * jobs.json) and writes DIR/slurm/: an array script (task t runs sweep job t with
 * `airlora sweep-job DIR --index t`, or, with K jobs per task, jobs t·K … t·K+K−1 in one process with
 * `airlora sweep task DIR --task t`), a merge script (`airlora merge DIR`),
 * submit.sh, which submits the array and the merge with an afterok dependency, and slurm.json
 * (the layout `airlora sweep status` reads). Tasks write only their own jobs/<id>/ folders, so they
 * need no coordination; a failed task leaves slurm/tasks/<t>.failed and can be resubmitted alone
 * (`bash submit.sh --array=7`).
 */
import { chmodSync } from 'node:fs';
import { UserInputError } from '../errors.js';
import type { RunFolder } from '../results/run-folder.js';
import type { SweepPlan } from './grid.js';

export interface SlurmOptions {
  /** Command that runs the CLI on the cluster (default `npx airlora`). */
  command?: string;
  /** Job name (default airlora-<folder name>). */
  jobName?: string;
  partition?: string;
  account?: string;
  /** Time limit of one array task (default 01:00:00). */
  time?: string;
  /** Time limit of the merge job (default 00:30:00). */
  mergeTime?: string;
  cpusPerTask?: number;
  memory?: string;
  /** Most array tasks running at once (`--array=…%N`). */
  maxConcurrent?: number;
  /** Sweep jobs run one after another by each array task (default 1). */
  jobsPerTask?: number;
  /** `module load X` lines run before the CLI (e.g. 'nodejs/20'). */
  moduleLoad?: string[];
  /** Shell lines run before the CLI (e.g. 'source ~/airlora/env.sh'). */
  setup?: string[];
  /** Working directory of the jobs (`--chdir`; default: where the scripts were emitted). */
  workdir?: string;
  /** Extra `#SBATCH` lines, without the prefix, e.g. ['--qos=short']. */
  extra?: string[];
}

/** What `airlora sweep status` needs to know about the emitted array (slurm/slurm.json). */
export interface SlurmLayout {
  jobs: number;
  jobsPerTask: number;
  tasks: number;
  jobName: string;
  maxConcurrent?: number;
  /** Absolute paths of the scripts, as squeue reports them (its %o field). */
  arrayScript: string;
  mergeScript: string;
}

export const SLURM_LAYOUT_FILE = 'slurm/slurm.json';

/** Slurm's default MaxArraySize is 1001 (indices 0…1000); larger arrays need --jobs-per-task. */
export const SLURM_DEFAULT_MAX_ARRAY_INDEX = 1000;

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Refuse values that would break an `#SBATCH` line (a newline would inject directives or commands). */
function checkLine(v: string | undefined, flag: string): void {
  if (v !== undefined && (/[\r\n]/.test(v) || v.trim() === '')) {
    throw new UserInputError(`${flag}: '${v}' must be one non-empty line`, flag);
  }
}

/** Check the options (UserInputError naming the flag); emitSlurm checks too, this lets callers check before preparing a folder. */
export function checkSlurmOptions(o: SlurmOptions): void {
  checkLine(o.command, '--command');
  checkLine(o.jobName, '--job-name');
  checkLine(o.workdir, '--chdir');
  for (const [flag, v] of [['--partition', o.partition], ['--account', o.account], ['--time', o.time], ['--mem', o.memory]] as const) {
    checkLine(v, flag);
    if (v !== undefined && /\s/.test(v)) throw new UserInputError(`${flag}: '${v}' must not contain spaces`, flag);
  }
  checkLine(o.mergeTime, '--merge-time');
  if (o.time !== undefined && !/^((\d+-)?\d+(:\d{1,2}){0,2}|unlimited|infinite)$/i.test(o.time)) {
    throw new UserInputError(`--time: '${o.time}' is not a Slurm time; allowed: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS, UNLIMITED`, '--time');
  }
  if (o.memory !== undefined && !/^\d+[KMGT]?$/i.test(o.memory)) {
    throw new UserInputError(`--mem: '${o.memory}' is not a Slurm memory size; allowed: a number with an optional K, M, G or T suffix (e.g. 4G)`, '--mem');
  }
  for (const [flag, v] of [['--cpus-per-task', o.cpusPerTask], ['--array-throttle', o.maxConcurrent], ['--jobs-per-task', o.jobsPerTask]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UserInputError(`${flag}: ${v} is not a positive integer`, flag);
  }
  for (const m of o.moduleLoad ?? []) checkLine(m, '--module-load');
  for (const s of o.setup ?? []) checkLine(s, '--setup');
  for (const e of o.extra ?? []) {
    checkLine(e, '--sbatch');
    if (!e.startsWith('--')) throw new UserInputError(`--sbatch: '${e}' must be a long sbatch option such as --qos=short`, '--sbatch');
  }
}

export function slurmLayout(dir: string, plan: SweepPlan, o: SlurmOptions = {}): SlurmLayout {
  const k = o.jobsPerTask ?? 1;
  return {
    jobs: plan.jobs.length, jobsPerTask: k, tasks: Math.ceil(plan.jobs.length / k),
    jobName: o.jobName ?? `airlora-${dir.split('/').filter(Boolean).pop() ?? 'sweep'}`,
    ...(o.maxConcurrent ? { maxConcurrent: o.maxConcurrent } : {}),
    arrayScript: `${dir}/slurm/array.sbatch`, mergeScript: `${dir}/slurm/merge.sbatch`,
  };
}

export function slurmScripts(dir: string, plan: SweepPlan, o: SlurmOptions = {}): { array: string; merge: string; submit: string } {
  checkSlurmOptions(o);
  const cmd = o.command ?? 'npx airlora';
  const L = slurmLayout(dir, plan, o);
  if (L.tasks - 1 > SLURM_DEFAULT_MAX_ARRAY_INDEX) {
    throw new UserInputError(
      `--jobs-per-task: ${L.jobs} jobs at ${L.jobsPerTask} per task make ${L.tasks} array tasks, more than Slurm's default MaxArraySize (1001); use --jobs-per-task ${Math.ceil(L.jobs / (SLURM_DEFAULT_MAX_ARRAY_INDEX + 1))} or more`,
      '--jobs-per-task');
  }
  const common = [
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.account ? [`#SBATCH --account=${o.account}`] : []),
    ...(o.workdir ? [`#SBATCH --chdir=${o.workdir}`] : []),
    ...(o.extra ?? []).map((e) => `#SBATCH ${e}`),
  ];
  // Cluster environment (modules, virtualenvs) before the strict mode: module scripts often
  // read unset variables. A failing setup line still fails the task (set -e) and leaves its marker.
  const setup = [
    ...(o.moduleLoad ?? []).map((m) => `module load ${m}`),
    ...(o.setup ?? []),
  ];
  const tasksDir = `${dir}/slurm/tasks`;
  const run = L.jobsPerTask === 1
    ? [`${cmd} sweep-job ${q(dir)} --index "\${SLURM_ARRAY_TASK_ID}"`]
    : [`${cmd} sweep task ${q(dir)} --task "\${SLURM_ARRAY_TASK_ID}"`];
  const array = [
    '#!/usr/bin/env bash',
    `#SBATCH --job-name=${L.jobName}`,
    `#SBATCH --array=0-${L.tasks - 1}${o.maxConcurrent ? `%${o.maxConcurrent}` : ''}`,
    `#SBATCH --cpus-per-task=${o.cpusPerTask ?? 1}`,
    `#SBATCH --time=${o.time ?? '01:00:00'}`,
    ...(o.memory ? [`#SBATCH --mem=${o.memory}`] : []),
    `#SBATCH --output=${dir}/slurm/logs/%A_%a.out`,
    ...common,
    L.jobsPerTask === 1
      ? '# One array task per sweep job; each writes only jobs/<id>/ of the sweep folder.'
      : `# Array task t runs sweep jobs ${L.jobsPerTask}t … ${L.jobsPerTask}t+${L.jobsPerTask - 1} (of 0 … ${L.jobs - 1}) in one process; each writes only jobs/<id>/ of the sweep folder.`,
    '# A task that exits non-zero (or is stopped by a time limit) leaves slurm/tasks/<t>.failed,',
    '# which `airlora sweep status` reports; finished jobs are read from the job folders.',
    'set -eo pipefail',
    `tasks=${q(tasksDir)}`,
    'task=${SLURM_ARRAY_TASK_ID:?run this script with sbatch (submit.sh), not directly}',
    'mkdir -p "$tasks"',
    'rm -f "$tasks/$task.failed"',
    'echo "job=${SLURM_ARRAY_JOB_ID}_${task} host=$(hostname) start=$(date -u +%FT%TZ)" > "$tasks/$task.started"',
    'trap \'rc=$?; if [ "$rc" != 0 ]; then echo "exit=$rc job=${SLURM_ARRAY_JOB_ID}_${task} host=$(hostname) end=$(date -u +%FT%TZ)" > "$tasks/$task.failed"; fi\' EXIT',
    "trap 'exit 143' TERM",
    ...setup,
    'set -u',
    ...run,
    '',
  ].join('\n');
  const merge = [
    '#!/usr/bin/env bash',
    `#SBATCH --job-name=${L.jobName}-merge`,
    '#SBATCH --cpus-per-task=1',
    `#SBATCH --time=${o.mergeTime ?? '00:30:00'}`,
    ...(o.memory ? [`#SBATCH --mem=${o.memory}`] : []),
    `#SBATCH --output=${dir}/slurm/logs/merge_%j.out`,
    // a failed task makes the afterok dependency unsatisfiable: drop the merge instead of leaving it pending forever
    '#SBATCH --kill-on-invalid-dep=yes',
    ...common,
    '# Merge every job folder into metrics.csv, draw the figures, mark the sweep complete.',
    'set -eo pipefail',
    ...setup,
    'set -u',
    `${cmd} merge ${q(dir)}`,
    '',
  ].join('\n');
  const submit = [
    '#!/usr/bin/env bash',
    `# Submit the ${L.tasks}-task array (${L.jobs} sweep jobs), then the merge once every task has succeeded.`,
    '# `bash submit.sh --array=2,5-7` submits only those tasks (what `airlora sweep status` suggests after failures).',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    'unset SBATCH_ARRAY_INX',
    'if [ $# -gt 0 ]; then',
    '  case "$1" in',
    '    --array=?*) export SBATCH_ARRAY_INX="${1#--array=}" ;;',
    '    *) echo "usage: $0 [--array=INDICES]" >&2; exit 2 ;;',
    '  esac',
    'fi',
    `mkdir -p ${q(dir + '/slurm/logs')}`,
    'array_id=$(sbatch --parsable array.sbatch)',
    'array_id=${array_id%%;*}',
    'unset SBATCH_ARRAY_INX',
    'merge_id=$(sbatch --parsable --dependency=afterok:"${array_id}" merge.sbatch)',
    'merge_id=${merge_id%%;*}',
    'echo "$(date -u +%FT%TZ) array=${array_id} merge=${merge_id} tasks=${1:-all}" >> submissions.log',
    `echo "submitted array job \${array_id} and merge job \${merge_id}; progress: airlora sweep status ${q(dir)}"`,
    '',
  ].join('\n');
  return { array, merge, submit };
}

/** Write the scripts into `folder`/slurm/ (plus slurm.json for `sweep status`); returns the script paths. */
export function emitSlurm(folder: RunFolder, plan: SweepPlan, o: SlurmOptions = {}): string[] {
  const s = slurmScripts(folder.dir, plan, o);
  folder.writeText('slurm/array.sbatch', s.array);
  folder.writeText('slurm/merge.sbatch', s.merge);
  folder.writeText('slurm/submit.sh', s.submit);
  folder.writeJson(SLURM_LAYOUT_FILE, slurmLayout(folder.dir, plan, o));
  for (const f of ['array.sbatch', 'merge.sbatch', 'submit.sh']) chmodSync(folder.path(`slurm/${f}`), 0o755);
  return ['slurm/array.sbatch', 'slurm/merge.sbatch', 'slurm/submit.sh'];
}
