/** Federated LoRA training: aggregators (vectors in, vector out), the round loop, scenario runs. */
export * from './aggregator.js';
export * from './aggregators/index.js';
export { FL_DEFAULTS, type FlConfig, type FlAlgorithm, type OptimizerKind } from './config.js';
export { clientsPerRound, selectClients, type SelectionConfig } from './selection.js';
export { localTraining, type LocalResult } from './local.js';
export { evaluateGlobal, type EvalResult } from './evaluate.js';
export { CHECKPOINT_FILE, loadCheckpoint as loadFlCheckpoint, saveCheckpoint as saveFlCheckpoint, type FlCheckpoint } from './checkpoint.js';
export { METRIC_COLUMNS, TIMING_COLUMNS } from './metrics.js';
export { runFederated, type FederatedRunOptions, type FederatedRunResult } from './trainer.js';
export { prepareTraining, runTraining, type PreparedTraining, type TrainingConfig, type ModelSpec } from './prepare.js';
