/**
 * Sweep runner for PHY Monte-Carlo scenarios (a `phy:` section and no training): the job scenario
 * is re-validated (a grid value may be out of range), run with H3's experiment, and written as
 * `airlora phy --out` writes it: phy-trials.csv (tidy, one row per trial) and phy-summary.csv.
 */
import { runPhyExperiment } from '../phy/experiment/montecarlo.js';
import { resolveScenario } from '../scenario/load.js';
import { phyExperiment } from '../scenario/phy-experiment.js';
import type { RunnerContext } from './runners.js';

export function runPhyJob(ctx: RunnerContext): void {
  const s = resolveScenario(ctx.scenario, `job ${ctx.jobId}`);
  const { rows, summary } = runPhyExperiment(phyExperiment(s));
  ctx.folder.writeCsv('phy-trials.csv', rows);
  ctx.folder.writeCsv('phy-summary.csv', summary);
}
