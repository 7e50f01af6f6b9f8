/**
 * Run jobs on N worker threads (each pulls the next job when free). From source (tests, tsx) the
 * worker is the .ts file loaded through tsx; from dist it is the compiled .js.
 */
import { Worker } from 'node:worker_threads';
import { NumericalError, UserInputError } from '../errors.js';
import type { ModuleRef } from './execute.js';
import type { SweepJob } from './grid.js';

interface WorkerError { name: string; message: string; stack?: string; field?: string; context?: Record<string, unknown> }

function rebuild(e: WorkerError): Error {
  if (e.name === 'UserInputError') return new UserInputError(e.message, e.field);
  if (e.name === 'NumericalError') return new NumericalError(e.message, e.context);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

export function spawnSweepWorker(refs: ModuleRef[]): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  if (!fromSource) return new Worker(new URL('./worker.js', import.meta.url), { workerData: { refs }, execArgv: [] });
  // From source: `execArgv: ['--import', 'tsx']` does not reach a worker's own module loads on
  // Node 20 (measured: ERR_UNKNOWN_FILE_EXTENSION), so the entry is a tiny eval'd script that
  // registers tsx's hooks in the worker and then imports the .ts worker.
  const url = new URL('./worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(code, { eval: true, workerData: { refs } });
}

export async function runOnWorkers(
  dir: string, jobs: SweepJob[], threads: number, refs: ModuleRef[],
  onDone: (job: SweepJob) => void,
): Promise<void> {
  if (jobs.length === 0) return;
  const n = Math.max(1, Math.min(threads, jobs.length));
  const queue = [...jobs];
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const workers: Worker[] = [];
  let failure: Error | undefined;
  await new Promise<void>((resolveAll) => {
    let live = n;
    const retire = (state: { done: boolean }) => {
      if (state.done) return;
      state.done = true;
      live--;
      if (live === 0) resolveAll();
    };
    for (let i = 0; i < n; i++) {
      const w = spawnSweepWorker(refs);
      workers.push(w);
      const state = { done: false };
      let current: SweepJob | undefined;
      const next = () => {
        current = failure ? undefined : queue.shift();
        if (current) w.postMessage({ dir, job: current });
        else { w.postMessage(null); retire(state); }
      };
      w.on('message', (m: { id: string; ok: boolean; error?: WorkerError }) => {
        if (m.ok) onDone(byId.get(m.id)!);
        else failure ??= rebuild(m.error!);
        next();
      });
      w.on('error', (e) => { failure ??= e; retire(state); });
      // A worker that dies mid-job (process.exit in a runner, out of memory) fails the sweep.
      w.on('exit', (code) => {
        if (!state.done) failure ??= new Error(`sweep worker exited (code ${code}) while running ${current?.id ?? 'no job'}`);
        retire(state);
      });
      next();
    }
  });
  await Promise.all(workers.map((w) => w.terminate()));
  if (failure) throw failure;
}
