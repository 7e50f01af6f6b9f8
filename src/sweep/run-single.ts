/**
 * Run one scenario (no sweep) through the runner registry into its own results folder.
 */
import { RunFolder } from '../results/run-folder.js';
import { loadRunner, runnerKindOf } from './runners.js';

export async function runScenario(opts: {
  scenario: Record<string, unknown>; out?: string; root?: string; name?: string; log?: (m: string) => void;
}): Promise<RunFolder> {
  const kind = runnerKindOf(opts.scenario);
  const runner = await loadRunner(kind);
  const folder = RunFolder.create({ out: opts.out, root: opts.root, name: opts.name ?? kind, scenario: opts.scenario });
  folder.writeManifest({ kind, scenario: opts.scenario, seed: typeof opts.scenario.seed === 'number' ? opts.scenario.seed : 0 });
  try {
    await runner({ scenario: opts.scenario, folder, jobId: 'run', log: opts.log ?? (() => {}) });
  } catch (e) {
    folder.fail(e);
    throw e;
  }
  folder.complete();
  return folder;
}
