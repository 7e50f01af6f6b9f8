/**
 * Split federated LoRA runs (a scenario with a `split:` section): every scheduler on the same channel,
 * data and initialisation draws (src/split).
 */
import { resolveScenario } from '../scenario/load.js';
import { resolveSplit } from '../scenario/resolve/split.js';
import type { SplitConfig } from '../split/config.js';
import { runSplit } from '../split/run.js';
import type { Runner } from './runner.js';

export const splitRunner: Runner<SplitConfig> = {
  kind: 'split',
  detect: (s) => s.split !== undefined,
  resolve(raw, source) {
    const s = resolveScenario(raw, source);
    return { config: resolveSplit(s), scenario: s, seed: s.seed, name: s.name };
  },
  overrides: { rounds: 'split.rounds', trials: 'split.trials', seed: 'seed' },
  // finished (task, trial, scheduler) units are journalled and kept on --resume (src/split/journal.ts)
  resumable: true,
  usesBackend: true,
  async run(cfg, ctx) {
    await runSplit(cfg, ctx.folder, { log: ctx.log, resume: ctx.resume, ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}) });
    return undefined;
  },
};
