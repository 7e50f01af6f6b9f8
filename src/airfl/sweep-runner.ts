/**
 * Sweep runner for AirFL-LoRA scenarios (`fl` + `airfl` sections): each job (one grid point, e.g. one
 * SNR, antenna count, device count or rank) re-validates its scenario and runs every scheme and rank
 * into the job's folder (metrics.csv, final.csv, design.json), which the sweep merges by file name —
 * so `final.csv` of the merged sweep holds final perplexity per scheme × rank × grid point.
 */
import { resolveScenario } from '../scenario/load.js';
import { initBackend } from '../tf/index.js';
import type { RunnerContext } from '../sweep/runners.js';
import { runAirflScenario } from './run-scenario.js';

export async function runAirflJob(ctx: RunnerContext): Promise<void> {
  const s = resolveScenario(ctx.scenario, `job ${ctx.jobId}`);
  await initBackend({ backend: 'auto', quiet: true });
  await runAirflScenario(s, { folder: ctx.folder, resume: ctx.folder.exists('runs'), log: ctx.log });
}
