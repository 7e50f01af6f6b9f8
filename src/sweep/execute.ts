/**
 * Execute one sweep job into <sweep>/jobs/<id>/: fresh folder, manifest 'running', runner,
 * manifest 'complete'. A job folder is finished only if its manifest is complete and its scenario
 * is the job's; anything else is cleared and redone.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RunFolder } from '../results/run-folder.js';
import { canonicalJson } from '../results/canonical.js';
import type { SweepJob } from './grid.js';
import { loadRunner, registerRunnerModule, runnerKindOf, runnerKinds } from './runners.js';

export function jobDir(sweepDir: string, job: Pick<SweepJob, 'id'>): string {
  return join(sweepDir, 'jobs', job.id);
}

export function isJobDone(sweepDir: string, job: SweepJob): boolean {
  const dir = jobDir(sweepDir, job);
  if (!existsSync(join(dir, 'manifest.json'))) return false;
  try {
    const m = RunFolder.open(dir).manifest();
    return m.status === 'complete' && canonicalJson(m.scenario) === canonicalJson(job.scenario);
  } catch {
    return false;
  }
}

export interface ModuleRef { kind: string; url: string; export: string }

export function replayModuleRefs(refs: ModuleRef[]): void {
  const known = runnerKinds();
  for (const r of refs) if (!known.includes(r.kind)) registerRunnerModule(r.kind, r.url, r.export);
}

export async function executeJob(sweepDir: string, job: SweepJob, log: (m: string) => void = () => {}): Promise<void> {
  const dir = jobDir(sweepDir, job);
  rmSync(dir, { recursive: true, force: true }); // partial output of a killed attempt
  const folder = RunFolder.create({ out: dir, name: job.id });
  const kind = runnerKindOf(job.scenario);
  folder.writeManifest({ kind, scenario: job.scenario, seed: job.seed, extra: { job: job.id, point: job.point, trial: job.trial } });
  const runner = await loadRunner(kind);
  await runner({ scenario: job.scenario, folder, jobId: job.id, log });
  folder.complete();
}
