/**
 * `airlora sweep status DIR`: where a sweep stands on the cluster. Finished jobs are read from the
 * job folders (the only source that cannot lie: a job is done when its manifest is complete for its
 * own scenario); what is queued, running or recently ended comes from squeue (slurm-queue.ts); what
 * failed comes from the markers the array script leaves (slurm/tasks/<t>.failed) and from squeue.
 * The report ends with the exact line that resubmits only the failed and missing tasks, with the
 * merge depending on them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunFolder } from '../results/run-folder.js';
import { isJobDone } from './execute.js';
import { planOf } from './shards.js';
import { SLURM_LAYOUT_FILE, type SlurmLayout } from './slurm.js';
import { ACTIVE_STATES, querySqueue, type QueueEntry, type QueueSnapshot } from './slurm-queue.js';

export type TaskState = 'done' | 'running' | 'pending' | 'failed' | 'missing' | 'unknown';
export type MergeState = 'merged' | 'waiting' | 'pending' | 'running' | 'cancelled' | 'failed' | 'not submitted' | 'unknown';

export interface TaskStatus {
  task: number;
  /** Ids of the sweep jobs this array task runs. */
  jobs: string[];
  state: TaskState;
  /** Why (failed), or the Slurm job (running/pending). */
  detail?: string;
  /** Slurm log of the last attempt, when known. */
  log?: string;
}

export interface SweepStatusReport {
  dir: string;
  /** Absent for a sweep folder that was not emitted for Slurm. */
  layout?: SlurmLayout;
  queue: { available: boolean; note?: string };
  jobs: { total: number; done: string[]; running: string[]; pending: string[]; failed: string[]; missing: string[]; unknown: string[] };
  tasks: TaskStatus[];
  merge: { state: MergeState; detail?: string };
  /** Merged and marked complete. */
  complete: boolean;
  /** The merged data files (*.csv, *.jsonl) in the sweep folder, once complete. */
  merged: string[];
  /** Something of this sweep is still queued or running. */
  active: boolean;
  /** Tasks to resubmit (failed and missing), with the exact commands; absent when there is nothing to do. */
  resubmit?: { tasks: number[]; array: string; sbatch: string; submit: string };
  /** Next step in words, when there is one. */
  hint?: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Slurm index list: [2, 5, 6, 7] → "2,5-7". */
export function compactIndices(xs: number[]): string {
  const s = [...new Set(xs)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j === i ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** `key=value key=value` marker line → object. */
function readMarker(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  const out: Record<string, string> = {};
  for (const kv of readFileSync(path, 'utf8').trim().split(/\s+/)) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** The telling line of a task's log: its last error line (airlora prints `error: …`), else its last line; shortened. */
function lastLine(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /^((internal |numerical )?error:|\w*Error\b)|slurmstepd(-\S+)?: error:/.test(l));
  const l = errors[errors.length - 1] ?? lines[lines.length - 1];
  return l === undefined ? undefined : l.length > 200 ? l.slice(0, 197) + '...' : l;
}

function latest(entries: QueueEntry[]): QueueEntry | undefined {
  return entries.reduce<QueueEntry | undefined>((a, e) => (a === undefined || e.jobId >= a.jobId ? e : a), undefined);
}

export interface StatusOptions {
  /** Queue snapshot to use instead of calling squeue (tests, or a caller that already has one). */
  queue?: QueueSnapshot;
}

export function sweepStatus(dir: string, opts: StatusOptions = {}): SweepStatusReport {
  const folder = RunFolder.open(dir);
  const plan = planOf(folder);
  const layout = folder.exists(SLURM_LAYOUT_FILE) ? folder.readJson<SlurmLayout>(SLURM_LAYOUT_FILE) : undefined;
  const complete = folder.isComplete();
  const done = new Set(plan.jobs.filter((j) => isJobDone(folder.dir, j)).map((j) => j.id));
  const snap: QueueSnapshot = opts.queue ?? (layout && !complete
    ? querySqueue([layout.arrayScript, layout.mergeScript])
    : { available: false, entries: [], note: layout ? undefined : 'not emitted for Slurm (no slurm/slurm.json)' });
  const k = layout?.jobsPerTask ?? 1;
  const nTasks = Math.ceil(plan.jobs.length / k);
  const logs = join(folder.dir, 'slurm', 'logs');
  const tasks: TaskStatus[] = [];
  for (let t = 0; t < nTasks; t++) {
    const jobs = plan.jobs.slice(t * k, t * k + k).map((j) => j.id);
    const ts: TaskStatus = { task: t, jobs, state: 'unknown' };
    tasks.push(ts);
    if (jobs.every((id) => done.has(id))) { ts.state = 'done'; continue; }
    if (!layout) { ts.state = 'missing'; continue; }
    const entry = latest(snap.entries.filter((e) => e.script === layout.arrayScript && e.task === t));
    const failed = readMarker(join(folder.dir, 'slurm', 'tasks', `${t}.failed`));
    const started = readMarker(join(folder.dir, 'slurm', 'tasks', `${t}.started`));
    if (entry && ACTIVE_STATES.has(entry.state)) {
      ts.state = entry.state === 'PENDING' ? 'pending' : 'running';
      ts.detail = `Slurm job ${entry.jobId}_${t} ${entry.state.toLowerCase()}${entry.state === 'PENDING' && entry.reason !== 'None' ? ` (${entry.reason})` : ''}`;
      continue;
    }
    if (failed) {
      ts.state = 'failed';
      ts.log = failed.job ? join(logs, `${failed.job}.out`) : undefined;
      const why = ts.log ? lastLine(ts.log) : undefined;
      ts.detail = `exit ${failed.exit ?? '?'} in Slurm job ${failed.job ?? '?'}${failed.host ? ` on ${failed.host}` : ''}${why ? `: ${why}` : ''}`;
      continue;
    }
    if (entry) {
      // ended without our marker: killed hard (node failure, OOM killer, cancelled) or finished oddly
      ts.state = 'failed';
      ts.log = join(logs, `${entry.jobId}_${t}.out`);
      ts.detail = entry.state === 'COMPLETED'
        ? `Slurm job ${entry.jobId}_${t} completed but jobs ${jobs.filter((id) => !done.has(id)).join(', ')} are not finished (was the sweep folder changed?)`
        : `Slurm job ${entry.jobId}_${t} ${entry.state}${entry.reason !== 'None' ? ` (${entry.reason})` : ''}`;
      continue;
    }
    if (started) {
      ts.state = snap.available ? 'failed' : 'unknown';
      ts.log = started.job ? join(logs, `${started.job}.out`) : undefined;
      ts.detail = snap.available
        ? `started as Slurm job ${started.job ?? '?'}${started.host ? ` on ${started.host}` : ''} at ${started.start ?? '?'} but is no longer queued and did not finish (killed?)`
        : `started as Slurm job ${started.job ?? '?'} at ${started.start ?? '?'}; running or killed (squeue unavailable)`;
      continue;
    }
    ts.state = snap.available ? 'missing' : 'unknown';
  }

  const jobs: SweepStatusReport['jobs'] = { total: plan.jobs.length, done: [], running: [], pending: [], failed: [], missing: [], unknown: [] };
  for (const ts of tasks) for (const id of ts.jobs) (done.has(id) ? jobs.done : jobs[ts.state === 'done' ? 'done' : ts.state]).push(id);

  let merge: SweepStatusReport['merge'];
  const mergeEntry = layout ? latest(snap.entries.filter((e) => e.script === layout.mergeScript)) : undefined;
  if (complete) merge = { state: 'merged' };
  else if (mergeEntry) {
    const id = mergeEntry.jobId;
    if (mergeEntry.state === 'PENDING') {
      merge = mergeEntry.reason === 'Dependency'
        ? { state: 'waiting', detail: `merge job ${id} waits for the array` }
        : { state: 'pending', detail: `merge job ${id} pending (${mergeEntry.reason})` };
    } else if (ACTIVE_STATES.has(mergeEntry.state) || mergeEntry.state === 'COMPLETED') {
      merge = { state: 'running', detail: `merge job ${id} ${mergeEntry.state.toLowerCase()}` };
    } else if (mergeEntry.reason === 'DependencyNeverSatisfied') {
      merge = { state: 'cancelled', detail: `a task failed, so Slurm dropped merge job ${id} (DependencyNeverSatisfied)` };
    } else {
      const log = join(logs, `merge_${id}.out`);
      const why = lastLine(log);
      merge = {
        state: mergeEntry.state === 'CANCELLED' ? 'cancelled' : 'failed',
        detail: `merge job ${id} ${mergeEntry.state}${why ? `: ${why}` : ''}${existsSync(log) ? ` (log: ${log})` : ''}`,
      };
    }
  } else {
    merge = { state: layout && existsSync(join(folder.dir, 'slurm', 'submissions.log')) ? 'unknown' : 'not submitted' };
  }

  const active = tasks.some((t) => t.state === 'running' || t.state === 'pending') || ['waiting', 'pending', 'running'].includes(merge.state);
  const merged = complete ? readdirSync(folder.dir).filter((f) => /\.(csv|jsonl)$/.test(f)).sort() : [];
  const report: SweepStatusReport = { dir: folder.dir, layout, queue: { available: snap.available, note: snap.note }, jobs, tasks, merge, complete, merged, active };
  const redo = tasks.filter((t) => t.state === 'failed' || t.state === 'missing').map((t) => t.task);
  if (complete) return report;
  if (!layout) {
    report.hint = `${jobs.done.length} of ${jobs.total} jobs finished; finish the rest with: airlora sweep FILE --resume ${q(folder.dir)}`;
    return report;
  }
  const submitted = existsSync(join(folder.dir, 'slurm', 'submissions.log')) || existsSync(join(folder.dir, 'slurm', 'tasks')) || snap.entries.length > 0;
  if (!submitted && jobs.done.length < jobs.total) {
    report.hint = `not submitted yet; submit with: bash ${q(join(folder.dir, 'slurm', 'submit.sh'))}`;
  } else if (redo.length && !tasks.some((t) => t.state === 'running' || t.state === 'pending')) {
    const array = compactIndices(redo) + (layout.maxConcurrent ? `%${layout.maxConcurrent}` : '');
    const slurmDir = join(folder.dir, 'slurm');
    report.resubmit = {
      tasks: redo, array,
      sbatch: `cd ${q(slurmDir)} && jid=$(sbatch --parsable --array=${array} array.sbatch) && sbatch --dependency=afterok:\${jid%%;*} merge.sbatch`,
      submit: `bash ${q(join(slurmDir, 'submit.sh'))} --array=${array}`,
    };
  } else if (redo.length) {
    report.hint = `${redo.length} task(s) to resubmit (${compactIndices(redo)}) once the running ones end (the merge needs every job); watch with: airlora sweep status ${q(folder.dir)} --watch`;
  } else if (jobs.done.length === jobs.total && !active) {
    report.hint = `every job is finished but the sweep is not merged; merge with: sbatch ${q(layout.mergeScript)} (or airlora merge ${q(folder.dir)})`;
  }
  return report;
}

function listIds(ids: string[], max = 10): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')}, ... (${ids.length - max} more)`;
}

/** The report as plain text (what `airlora sweep status` prints). */
export function formatStatus(r: SweepStatusReport): string {
  const L = r.layout;
  const out: string[] = [];
  out.push(`sweep ${r.dir}: ${r.jobs.total} jobs${L ? ` in ${L.tasks} Slurm array tasks (${L.jobsPerTask} job${L.jobsPerTask > 1 ? 's' : ''} per task)` : ''}`);
  const byState = (s: TaskState) => r.tasks.filter((t) => t.state === s);
  const row = (label: string, ids: string[], extra = '') => out.push(`  ${label.padEnd(8)} ${String(ids.length).padStart(5)}${ids.length ? `  ${listIds(ids)}` : ''}${extra}`);
  row('done', r.jobs.done);
  row('running', r.jobs.running);
  row('pending', r.jobs.pending);
  row('failed', r.jobs.failed);
  for (const t of byState('failed').slice(0, 10)) out.push(`             task ${t.task} (${t.jobs.join(', ')}): ${t.detail ?? 'failed'}${t.log && existsSync(t.log) ? `\n               log: ${t.log}` : ''}`);
  row('missing', r.jobs.missing, r.jobs.missing.length ? '  (not queued, never started)' : '');
  if (r.jobs.unknown.length) row('unknown', r.jobs.unknown, '  (not finished; the queue could not be read)');
  if (L) out.push(`  merge    ${r.merge.state}${r.merge.detail ? `: ${r.merge.detail}` : ''}`);
  if (r.queue.note && L) out.push(`  note: ${r.queue.note}`);
  if (r.complete) out.push(`status: complete (merged: ${r.merged.join(', ') || 'no data files'})`);
  else if (r.active) out.push(`status: in progress (${r.jobs.done.length}/${r.jobs.total} jobs done)`);
  else out.push('status: incomplete');
  if (r.resubmit) {
    const n = r.resubmit.tasks.length;
    out.push(`resubmit only the ${n} failed or missing task${n > 1 ? 's' : ''} (${compactIndices(r.resubmit.tasks)}), with the merge after ${n > 1 ? 'them' : 'it'}:`);
    out.push(`  ${r.resubmit.sbatch}`);
    out.push(`or, the same through submit.sh: ${r.resubmit.submit}`);
  }
  if (r.hint) out.push(r.hint);
  return out.join('\n') + '\n';
}
