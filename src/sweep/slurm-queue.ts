/**
 * What the Slurm controller knows about a sweep's jobs: one `squeue` call listing every array task
 * and merge job (pending, running, and those finished within the controller's MinJobAge), matched
 * to the sweep by script path. `sacct` is not used: it needs an accounting database (slurmdbd),
 * which many test clusters lack; what outlives MinJobAge is read from the sweep's own markers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';

export interface QueueEntry {
  /** Slurm job id (the array job id for array tasks). */
  jobId: number;
  /** Array task index, or undefined for a plain job (the merge). */
  task?: number;
  /** Slurm state: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, ... */
  state: string;
  /** Reason (pending) or how it ended, e.g. Dependency, DependencyNeverSatisfied, NonZeroExitCode. */
  reason: string;
  /** Absolute path of the batch script. */
  script: string;
}

export interface QueueSnapshot {
  /** Whether squeue answered; when false, `note` says why and the report relies on markers alone. */
  available: boolean;
  entries: QueueEntry[];
  note?: string;
}

/** States in which a job still holds or waits for resources. */
export const ACTIVE_STATES = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD']);

export const SQUEUE_FORMAT = '%F|%K|%T|%r|%o';

/** Parse `squeue --noheader --array --format '%F|%K|%T|%r|%o'` output. */
export function parseSqueue(text: string): QueueEntry[] {
  const out: QueueEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split('|');
    if (f.length < 5 || !/^\d+$/.test(f[0]!)) continue;
    out.push({
      jobId: Number(f[0]), task: /^\d+$/.test(f[1]!) ? Number(f[1]) : undefined,
      state: f[2]!.replace(/\+$/, ''), reason: f[3]!, script: f.slice(4).join('|'),
    });
  }
  return out;
}

/** The current user's jobs whose batch script is one of `scripts`. */
export function querySqueue(scripts: string[], bin = process.env.AIRLORA_SQUEUE ?? 'squeue'): QueueSnapshot {
  const conf = process.env.SLURM_CONF;
  // Slurm's clients retry a missing config file for a minute before failing: say so at once.
  if (conf && !existsSync(conf)) return { available: false, entries: [], note: `SLURM_CONF=${conf} does not exist: queued and running tasks are unknown` };
  const args = ['--noheader', '--array', '--states=all', `--format=${SQUEUE_FORMAT}`];
  const call = (who: string[]) => execFileSync(bin, [...who, ...args], { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] });
  let text: string;
  try {
    try {
      text = call(['--me']);
    } catch (e) {
      // --me came with Slurm 20.11; older clients take the user name
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || !/unrecognized option|invalid option/i.test(String((e as { stderr?: string }).stderr))) throw e;
      text = call([`--user=${userInfo().username}`]);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') return { available: false, entries: [], note: `'${bin}' not found: run this on the cluster (login node) to see queued and running tasks` };
    const msg = String(err.stderr ?? err.message).trim().split('\n')[0] ?? '';
    return { available: false, entries: [], note: `squeue failed (${msg}): queued and running tasks are unknown` };
  }
  const wanted = new Set(scripts);
  return { available: true, entries: parseSqueue(text).filter((e) => wanted.has(e.script)) };
}
