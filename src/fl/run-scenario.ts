/**
 * A training scenario (sections `fl`, `data`, `model`, `lora`) turned into a federated run: data
 * partitioned and tokenised, the frozen base loaded or initialised, the aggregator built, and the run
 * folder written (manifest.json, metrics.csv, rounds.jsonl, checkpoint.json).
 *
 * Tokenizer: a checkpoint's own tokenizer when the model comes from one; otherwise one trained on the
 * clients' training texts only (`data.vocab_size`), saved as tokenizer.json in the run folder.
 */
import type { z } from 'zod';
import type * as sections from '../scenario/sections/index.js';
import { prepareFederatedData, type DataConfig } from '../data/federated.js';
import { Tokenizer, type TokenizerJSON } from '../data/tokenizer.js';
import { initModel, preset as modelPreset, type ModelConfig, type PretrainedModel, disposeWeights } from '../models/index.js';
import { DEFAULT_CHECKPOINT_DIR, loadCheckpoint as loadModelCheckpoint } from '../models/checkpoint.js';
import { createLoraModel, type LoraConfig } from '../lora/index.js';
import { RandomStreams } from '../random/streams.js';
import type { RunFolder } from '../results/run-folder.js';
import { UserInputError } from '../errors.js';
import type { FlConfig } from './config.js';
import { createAggregator } from './registry.js';
import { applyBaseInit } from '../models/base-init.js';
import { runFederated, type FederatedRunResult } from './trainer.js';

type Out<T extends z.ZodType> = NonNullable<z.output<T>>;
export type FlSection = Out<typeof sections.fl>;
export type DataSection = Out<typeof sections.data>;
export type ModelSection = Out<typeof sections.model>;
export type LoraSection = Out<typeof sections.lora>;

export interface TrainingScenario {
  name: string;
  seed: number;
  fl: FlSection;
  data: DataSection;
  model?: ModelSection;
  lora: LoraSection;
}

export function flConfigFrom(s: FlSection): FlConfig {
  return {
    rounds: s.rounds, clients: s.clients, selection: s.selection, algorithm: s.algorithm,
    localSteps: s.local_steps, batchSize: s.batch_size, optimizer: s.optimizer, lr: s.lr, serverLr: s.server_lr,
    upload: s.upload, aggregator: s.aggregator, aggregateFactors: s.aggregate_factors, mode: s.mode,
    evalEvery: s.eval_every, divergenceFactor: s.divergence_factor,
  };
}

export function dataConfigFrom(d: DataSection): DataConfig {
  const p = d.partition;
  return {
    dataset: d.dataset, genres: d.genres, testFraction: d.test_fraction, seqLen: d.seq_len,
    evalPerClient: d.eval_per_client, maxItems: d.max_items,
    partition: p.kind === 'dirichlet' ? { kind: 'dirichlet', alpha: p.alpha, minPerClient: p.min_per_client }
      : p.kind === 'one-label' ? { kind: 'one-label', classes: p.classes } : { kind: 'iid' },
  };
}

export interface TrainingRunOptions {
  folder?: RunFolder;
  resume?: boolean;
  log?: (line: string) => void;
}

/**
 * Everything a training run needs before its first round: partitioned and tokenised data, the frozen
 * base (checkpoint or fresh), the tokenizer. One preparation can serve several runs (the AirFL runner
 * trains every scheme and rank on it). The caller must `dispose()` it.
 */
export interface PreparedTraining {
  data: ReturnType<ReturnType<typeof prepareFederatedData>['withTokenizer']>;
  base: PretrainedModel;
  tokenizer: Tokenizer;
  streams: RandomStreams;
  /** the model factory for a LoRA configuration (same initial adapters for any slot count) */
  makeModel(lora: LoraConfig): (slots: number) => ReturnType<typeof createLoraModel>;
  dispose(): void;
}

export function prepareTraining(s: TrainingScenario, folder?: RunFolder): PreparedTraining {
  const streams = new RandomStreams(s.seed);
  const dataCfg = dataConfigFrom(s.data);
  const prep = prepareFederatedData(dataCfg, s.fl.clients, streams);

  let base: PretrainedModel;
  let tokenizer: Tokenizer;
  const ck = s.model?.checkpoint;
  if (ck !== undefined) {
    base = loadModelCheckpoint(ck === 'default' ? DEFAULT_CHECKPOINT_DIR : ck);
    if (!base.tokenizer) throw new UserInputError(`model.checkpoint: '${ck}' holds no tokenizer.json`, 'model.checkpoint');
    tokenizer = Tokenizer.fromJSON(base.tokenizer as TokenizerJSON);
  } else {
    tokenizer = Tokenizer.train(prep.trainTexts, { vocabSize: s.data.vocab_size });
    const name = s.model?.preset ?? (prep.kind === 'lm' ? 'gpt-small' : 'bert-small');
    const over = s.model?.overrides ?? {};
    const cfg = modelPreset(name, {
      ...over, vocabSize: tokenizer.vocabSize,
      maxPositions: Math.max(over.maxPositions ?? 0, s.data.seq_len),
      ...(prep.kind === 'classifier' ? { numLabels: prep.numClasses } : {}),
    } as Partial<ModelConfig>);
    base = initModel(cfg, s.model?.init_seed ?? s.seed);
    if (base.config.arch === 'bert') applyBaseInit(base, s.model?.base_init ?? 'bert');
  }
  try {
    const kindOfModel = base.config.arch === 'gpt' ? 'lm' : 'classifier';
    if (kindOfModel !== prep.kind) {
      throw new UserInputError(`model: a ${base.config.arch} model cannot train on data.dataset '${s.data.dataset}' (${prep.kind}); use ${prep.kind === 'lm' ? 'a gpt' : 'a bert'} model`, 'model');
    }
    if (s.data.seq_len > base.config.maxPositions) {
      throw new UserInputError(`data.seq_len: ${s.data.seq_len} exceeds the model's maxPositions ${base.config.maxPositions}`, 'data.seq_len');
    }
    if (base.config.vocabSize < tokenizer.vocabSize) {
      throw new UserInputError(`model: vocabulary ${base.config.vocabSize} smaller than the tokenizer's ${tokenizer.vocabSize}`, 'model');
    }
  } catch (e) {
    disposeWeights(base.weights);
    throw e;
  }
  folder?.writeJson('tokenizer.json', tokenizer.toJSON());
  const data = prep.withTokenizer(tokenizer);
  const loraSeed = streams.stream('lora-init').seed32();
  return {
    data, base, tokenizer, streams,
    makeModel: (lora) => (slots) => createLoraModel(base, lora, slots, loraSeed),
    dispose: () => disposeWeights(base.weights),
  };
}

/** Run (or resume) the training scenario; returns the metrics. The caller owns the manifest. */
export async function runTrainingScenario(s: TrainingScenario, opts: TrainingRunOptions = {}): Promise<FederatedRunResult & { tokenizer: Tokenizer; base: ModelConfig }> {
  const prep = prepareTraining(s, opts.folder);
  try {
    const cfg = flConfigFrom(s.fl);
    const result = await runFederated({
      config: cfg, data: prep.data, streams: prep.streams, folder: opts.folder, resume: opts.resume, log: opts.log,
      aggregator: createAggregator(cfg.aggregator),
      makeModel: prep.makeModel({ ...s.lora }),
    });
    return { ...result, tokenizer: prep.tokenizer, base: prep.base.config };
  } finally {
    prep.dispose();
  }
}
