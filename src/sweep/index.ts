// Sweeps: grid expansion, parallel execution on worker threads, resume, merge, Slurm export.
export * from './grid.js';
export { registerRunnerModule, runnerKinds, runnerKindOf, loadRunner } from '../runs/registry.js';
export * from './run-sweep.js';
export * from './merge.js';
export * from './shards.js';
export * from './slurm.js';
export { executeJob, isJobDone, jobDir } from './execute.js';
export * from './scenario-file.js';
export * from './run-single.js';
