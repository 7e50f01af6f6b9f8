/** Federated LoRA training: aggregators (vectors in, vector out), the round loop, scenario runs. */
export * from './aggregator.js';
export { IdealAggregator } from './ideal.js';
export { NoisyAggregator } from './noisy.js';
export { aggregatorKinds, createAggregator, registerAggregator, type AggregatorFactory } from './registry.js';
export { FL_DEFAULTS, type FlConfig, type FlAlgorithm, type OptimizerKind } from './config.js';
export { clientsPerRound, selectClients, type SelectionConfig } from './selection.js';
export { localTraining, type LocalResult } from './local.js';
export { evaluateGlobal, type EvalResult } from './evaluate.js';
export { CHECKPOINT_FILE, loadCheckpoint as loadFlCheckpoint, saveCheckpoint as saveFlCheckpoint, type FlCheckpoint } from './checkpoint.js';
export { METRIC_COLUMNS, TIMING_COLUMNS } from './metrics.js';
export { runFederated, type FederatedRunOptions, type FederatedRunResult } from './trainer.js';
export { runTrainingScenario, flConfigFrom, dataConfigFrom, type TrainingScenario } from './run-scenario.js';
