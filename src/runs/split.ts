/**
 * Split federated LoRA runs (a scenario with a `split:` section): every scheduler on the same channel,
 * data and initialisation draws (src/split).
 */
import { resolveScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/schema.js';
import { runSplitScenario } from '../split/run-scenario.js';
import type { Runner } from './runner.js';

export const splitRunner: Runner<Scenario> = {
  kind: 'split',
  detect: (s) => s.split !== undefined,
  resolve(raw, source) {
    const s = resolveScenario(raw, source);
    return { config: s, scenario: s, seed: s.seed, name: s.name };
  },
  overrides: { rounds: 'split.rounds', seed: 'seed' },
  resumable: false,
  usesBackend: true,
  async run(s, ctx) {
    await runSplitScenario(s as unknown as Record<string, unknown>, ctx.folder, { log: ctx.log });
    return undefined;
  },
};
