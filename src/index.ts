/**
 * The public API of airlora: what notebooks and other tools import from 'airlora'.
 *
 *   import { loadScenario, executeRun, runPhyExperiment, phyExperiment, runSweep, drawFigures } from 'airlora';
 *
 *   // a PHY Monte-Carlo in code
 *   const s = loadScenario('scenarios/phy-snr-sweep.yaml');
 *   const { summary } = runPhyExperiment(phyExperiment(s));
 *
 *   // any scenario, as `airlora run` runs it (results folder, manifest, figures)
 *   const { folder } = await executeRun(readScenarioFile('scenarios/quickstart.yaml'), { out: 'runs/qs' });
 *
 * The layers are also exported as namespaces (phy, fl, design, models, lora, data, linalg, stats) for
 * lower-level use. API reference: docs/api/ (TypeDoc).
 */
export * from './errors.js';
export { RandomStreams, type Rng } from './random/streams.js';

// scenarios: files → validated scenario → typed configuration
export { loadScenario, parseScenario, parseScenarioText, readScenarioFile, resolveScenario } from './scenario/load.js';
export type { Scenario } from './scenario/schema.js';
export { phyExperiment, radioFromScenario, resolveTraining, aggregationSpecs } from './scenario/resolve/index.js';
export { scenarioJsonSchema } from './scenario/json-schema.js';
export { applySets, parseSet } from './scenario/overrides.js';

// runs: the one entrance (every kind of run, its results folder and lifecycle)
export { executeRun, resolveRun, applyOverrides, type RunOptions, type RunOutcome } from './runs/lifecycle.js';
export { loadRunner, registerRunnerModule, runnerKindOf, runnerKinds } from './runs/registry.js';
export type { Runner, RunContext, Resolved, Overrides, RawScenario } from './runs/runner.js';

// the PHY experiment
export { runPhyExperiment, summarizePhy, type PhyExperiment, type PhyResult, type PhySummaryRow, type PhyTrialRow } from './phy/experiment/montecarlo.js';
export { createScheme, schemeFactories, type AirCompScheme, type SchemeCapabilities } from './phy/aircomp/index.js';

// aggregation in training
export { createAggregator, aggregatorKinds, aggregatorCapabilities, type AggregationSpec, type Aggregator } from './fl/index.js';

// sweeps
export { runSweep, prepareSweepFolder, loadScenarioFile, expandSweep, mergeSweep, type SweepOptions, type SweepResult } from './sweep/index.js';

// results and figures
export { RunFolder } from './results/run-folder.js';
export { writeReport } from './report/html.js';
export { compareRuns, formatCompareTable } from './report/compare.js';
export type { DrawOptions, DrawnFigure } from './report/draw.js';

/**
 * Draw a results folder's figures (the scenario's figures: section, else every preset its data allows).
 * Loaded on demand: the renderer has a top-level await, so `require('airlora')` stays possible.
 */
export async function drawFigures(...args: Parameters<typeof import('./report/draw.js').drawFigures>): ReturnType<typeof import('./report/draw.js').drawFigures> {
  return (await import('./report/draw.js')).drawFigures(...args);
}

// layers as namespaces
export * as cmat from './linalg/cmat.js';
export * as linalg from './linalg/index.js';
export * as stats from './stats/summary.js';
export * as models from './models/index.js';
export * as lora from './lora/index.js';
export * as data from './data/index.js';
export * as fl from './fl/index.js';
export * as design from './design/loop.js';
