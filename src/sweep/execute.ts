/**
 * Execute one sweep job into <sweep>/jobs/<id>/ through the run lifecycle (src/runs): fresh folder,
 * manifest 'running', the job's runner, manifest 'complete'. A job folder is finished only if its
 * manifest is complete and its scenario is the job's; anything else is cleared and redone.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RunFolder } from '../results/run-folder.js';
import { canonicalJson } from '../results/canonical.js';
import { executeRun } from '../runs/lifecycle.js';
import { registerRunnerModule, runnerKinds } from '../runs/registry.js';
import type { SweepJob } from './grid.js';

export function jobDir(sweepDir: string, job: Pick<SweepJob, 'id'>): string {
  return join(sweepDir, 'jobs', job.id);
}

/** Finished: complete, and run from this job's scenario (recorded as written, beside the validated one). */
export function isJobDone(sweepDir: string, job: SweepJob): boolean {
  const dir = jobDir(sweepDir, job);
  if (!existsSync(join(dir, 'manifest.json'))) return false;
  try {
    const m = RunFolder.open(dir).manifest();
    const recorded = (m['job_scenario'] ?? m.scenario) as unknown;
    return m.status === 'complete' && canonicalJson(recorded) === canonicalJson(job.scenario);
  } catch {
    return false;
  }
}

export interface ModuleRef { kind: string; url: string; export: string }

/** Replay run-time runner registrations (module URL + export) inside a worker thread. */
export function replayModuleRefs(refs: ModuleRef[]): void {
  const known = runnerKinds();
  for (const r of refs) if (!known.includes(r.kind)) registerRunnerModule(r.kind, r.url, r.export);
}

export async function executeJob(sweepDir: string, job: SweepJob, log: (m: string) => void = () => {}): Promise<void> {
  const dir = jobDir(sweepDir, job);
  rmSync(dir, { recursive: true, force: true }); // partial output of a killed attempt
  const folder = RunFolder.create({ out: dir, name: job.id });
  await executeRun(job.scenario, {
    folder, source: `job ${job.id}`, quiet: true, figures: false, log,
    extra: { job: job.id, point: job.point, trial: job.trial, job_scenario: job.scenario },
  });
}
