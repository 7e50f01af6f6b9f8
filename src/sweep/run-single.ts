/**
 * Run one scenario (no sweep) through the run lifecycle into its own results folder.
 */
import type { RunFolder } from '../results/run-folder.js';
import { executeRun } from '../runs/lifecycle.js';

export async function runScenario(opts: {
  scenario: Record<string, unknown>; out?: string; root?: string; name?: string; log?: (m: string) => void;
}): Promise<RunFolder> {
  const { folder } = await executeRun(opts.scenario, {
    ...(opts.out !== undefined ? { out: opts.out } : {}), ...(opts.root !== undefined ? { root: opts.root } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    quiet: true, figures: false, log: opts.log ?? (() => {}),
  });
  return folder;
}
