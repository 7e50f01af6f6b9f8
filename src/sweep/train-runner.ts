/**
 * Sweep runner for federated training scenarios (an `fl` section, no `airfl`): the job scenario is
 * resolved, the tfjs backend initialised, and the run written into the job folder as `airlora run`
 * writes it (metrics.csv, rounds.jsonl, checkpoint.json, tokenizer.json).
 */
import { trainingScenarioOf } from '../airfl/run-scenario.js';
import { runTrainingScenario } from '../fl/run-scenario.js';
import { resolveScenario } from '../scenario/load.js';
import { initBackend } from '../tf/index.js';
import type { RunnerContext } from './runners.js';

export async function runTrainJob(ctx: RunnerContext): Promise<void> {
  const s = resolveScenario(ctx.scenario, `job ${ctx.jobId}`);
  await initBackend({ backend: 'auto', quiet: true });
  await runTrainingScenario(trainingScenarioOf(s), { folder: ctx.folder, log: ctx.log });
}
