/**
 * Federated LoRA training with one aggregator (a scenario with `fl:` and `data:` but no `airfl:`):
 * manifest.json, metrics.csv, rounds.jsonl, tokenizer.json, checkpoint.json after every round
 * (resumable with `--resume`).
 */
import { createAggregator, aggregatorCapabilities, type AggregationSpec } from '../fl/aggregators/index.js';
import { runTraining, type TrainingConfig } from '../fl/prepare.js';
import type { RadioConfig } from '../phy/radio.js';
import { resolveScenario } from '../scenario/load.js';
import { radioFromScenario } from '../scenario/resolve/radio.js';
import { aggregationSpecs, resolveTraining } from '../scenario/resolve/train.js';
import type { Runner } from './runner.js';

export interface TrainRunConfig {
  training: TrainingConfig;
  aggregation: AggregationSpec;
  /** the radio, when the aggregation goes over a channel */
  radio?: RadioConfig;
}

export const trainRunner: Runner<TrainRunConfig> = {
  kind: 'train',
  detect: (s) => s.fl !== undefined,
  resolve(raw, source) {
    const s = resolveScenario(raw, source);
    const training = resolveTraining(s);
    const aggregation = aggregationSpecs(s)[0]!;
    const radio = aggregatorCapabilities(aggregation.scheme).radio ? radioFromScenario(s, aggregation.streams ?? s.phy.streams) : undefined;
    return { config: { training, aggregation, ...(radio ? { radio } : {}) }, scenario: s, seed: s.seed, name: s.name };
  },
  overrides: { rounds: 'fl.rounds', seed: 'seed' },
  resumable: true,
  usesBackend: true,
  async run(c, ctx) {
    const aggregator = createAggregator(c.aggregation, { seed: c.training.seed, ...(c.radio ? { radio: c.radio } : {}) });
    const res = await runTraining(c.training, aggregator, { folder: ctx.folder, resume: ctx.resume, log: ctx.log, ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}) });
    return { rounds: res.lastRound, ...(ctx.backend ? { backendAtEnd: ctx.backend } : {}) };
  },
};
