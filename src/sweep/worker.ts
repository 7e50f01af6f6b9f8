/**
 * Worker-thread entry for parallel sweeps: receives jobs one at a time, runs them into the sweep
 * folder, and reports back. Errors travel as {name, message, field} and are rebuilt as the same
 * error types in the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { executeJob, replayModuleRefs, type ModuleRef } from './execute.js';
import type { SweepJob } from './grid.js';

const { refs } = workerData as { refs: ModuleRef[] };
replayModuleRefs(refs);

parentPort!.on('message', (msg: { dir: string; job: SweepJob } | null) => {
  if (msg === null) { process.exit(0); }
  const { dir, job } = msg;
  executeJob(dir, job).then(
    () => parentPort!.postMessage({ id: job.id, ok: true }),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      parentPort!.postMessage({
        id: job.id, ok: false,
        error: { name: err.name, message: err.message, stack: err.stack, field: (err as { field?: string }).field, context: (err as { context?: unknown }).context },
      });
    },
  );
});
