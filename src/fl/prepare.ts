/**
 * A federated training run's preparation (typed configuration in, no scenario types): data partitioned
 * and tokenised, the frozen base loaded or initialised, the tokenizer; then the run itself with the
 * aggregator its caller built (src/fl/aggregators).
 *
 * Tokenizer: a checkpoint's own tokenizer when the model comes from one; otherwise one trained on the
 * clients' training texts only (`vocabSize`), saved as tokenizer.json in the run folder.
 * A Hugging Face model folder (src/models/hf) brings its own tokenizer.json; local data files
 * (`dataset: local`) go through src/data/local.
 */
import { prepareFederatedData, type DataConfig } from '../data/federated.js';
import { Tokenizer, type TokenizerJSON } from '../data/tokenizer.js';
import { initModel, preset as modelPreset, type ModelConfig, type PretrainedModel, disposeWeights } from '../models/index.js';
import { DEFAULT_CHECKPOINT_DIR, loadCheckpoint as loadModelCheckpoint } from '../models/checkpoint.js';
import { createLoraModel, type LoraConfig } from '../lora/index.js';
import { RandomStreams } from '../random/streams.js';
import { join } from 'node:path';
import type { RunFolder } from '../results/run-folder.js';
import { writeModelAdapter } from '../lora/peft.js';
import { UserInputError } from '../errors.js';
import type { Aggregator } from './aggregator.js';
import type { FlConfig } from './config.js';
import { applyBaseInit, type BaseInit } from '../models/base-init.js';
import { runFederated, type FederatedRunResult } from './trainer.js';
import { isHfModelFolder, loadHfModel } from '../models/hf/load.js';
import type { HfTokenizer } from '../models/hf/tokenizer.js';
import { isCausalLm } from '../models/config.js';
import { airloraTextTokenizer, prepareLocalData, type TextTokenizer } from '../data/local/index.js';

/** The frozen base model: a checkpoint folder ('default' = the committed one) or a preset with random weights. */
export interface ModelSpec {
  checkpoint?: string;
  preset?: string;
  overrides?: Partial<ModelConfig>;
  /** seed of random base weights (default: the run seed) */
  initSeed?: number;
  baseInit?: BaseInit;
}

/** Everything a federated LoRA training run needs, resolved from a scenario by src/scenario/resolve. */
export interface TrainingConfig {
  name: string;
  seed: number;
  fl: FlConfig;
  data: DataConfig & { vocabSize: number };
  model?: ModelSpec;
  lora: LoraConfig;
}

export interface TrainingRunOptions {
  folder?: RunFolder;
  resume?: boolean;
  log?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Everything a training run needs before its first round: partitioned and tokenised data, the frozen
 * base (checkpoint or fresh), the tokenizer. One preparation can serve several runs (the AirFL runner
 * trains every scheme and rank on it). The caller must `dispose()` it.
 */
export interface PreparedTraining {
  data: ReturnType<ReturnType<typeof prepareFederatedData>['withTokenizer']>;
  base: PretrainedModel;
  /** airlora's own tokenizer, or a Hugging Face checkpoint's. */
  tokenizer: Tokenizer | HfTokenizer;
  streams: RandomStreams;
  /** the model factory for a LoRA configuration (same initial adapters for any slot count) */
  makeModel(lora: LoraConfig): (slots: number) => ReturnType<typeof createLoraModel>;
  dispose(): void;
}

export function prepareTraining(s: TrainingConfig, folder?: RunFolder): PreparedTraining {
  const streams = new RandomStreams(s.seed);
  const local = s.data.dataset === 'local'
    ? prepareLocalData({ ...s.data.local!, testFraction: s.data.testFraction, seqLen: s.data.seqLen, evalPerClient: s.data.evalPerClient, ...(s.data.maxItems !== undefined ? { maxItems: s.data.maxItems } : {}) }, s.fl.clients, streams)
    : undefined;
  const prep = local ?? prepareFederatedData(s.data, s.fl.clients, streams);

  let base: PretrainedModel;
  let tokenizer: Tokenizer | HfTokenizer;
  const ck = s.model?.checkpoint;
  if (ck !== undefined && ck !== 'default' && isHfModelFolder(ck)) {
    const hf = loadHfModel(ck, { task: prep.kind === 'lm' ? 'lm' : 'classifier', ...(prep.kind === 'classifier' ? { numLabels: prep.numClasses } : {}), seed: s.model?.initSeed ?? s.seed });
    if (!hf.hfTokenizer) {
      disposeWeights(hf.weights);
      throw new UserInputError(`model.checkpoint: '${ck}' holds no tokenizer.json`, 'model.checkpoint');
    }
    if (!local) {
      disposeWeights(hf.weights);
      throw new UserInputError(`model.checkpoint: a Hugging Face model trains on data.dataset: local (its own tokenizer); '${s.data.dataset}' is tokenised for airlora's small models`, 'data.dataset');
    }
    base = hf;
    tokenizer = hf.hfTokenizer;
  } else if (ck !== undefined) {
    base = loadModelCheckpoint(ck === 'default' ? DEFAULT_CHECKPOINT_DIR : ck);
    if (!base.tokenizer) throw new UserInputError(`model.checkpoint: '${ck}' holds no tokenizer.json`, 'model.checkpoint');
    tokenizer = Tokenizer.fromJSON(base.tokenizer as TokenizerJSON);
  } else {
    tokenizer = Tokenizer.train(prep.trainTexts, { vocabSize: s.data.vocabSize });
    const name = s.model?.preset ?? (prep.kind === 'lm' ? 'gpt-small' : 'bert-small');
    const over = s.model?.overrides ?? {};
    const cfg = modelPreset(name, {
      ...over, vocabSize: tokenizer.vocabSize,
      maxPositions: Math.max(over.maxPositions ?? 0, s.data.seqLen),
      ...(prep.kind === 'classifier' ? { numLabels: prep.numClasses } : {}),
    } as Partial<ModelConfig>);
    base = initModel(cfg, s.model?.initSeed ?? s.seed);
    if (base.config.arch === 'bert') applyBaseInit(base, s.model?.baseInit ?? 'bert');
  }
  try {
    const kindOfModel = isCausalLm(base.config) ? 'lm' : 'classifier';
    if (kindOfModel !== prep.kind) {
      throw new UserInputError(`model: a ${base.config.arch} model cannot train on data.dataset '${s.data.dataset}' (${prep.kind}); use ${prep.kind === 'lm' ? 'a gpt' : 'a bert'} model`, 'model');
    }
    if (s.data.seqLen > base.config.maxPositions) {
      throw new UserInputError(`data.seq_len: ${s.data.seqLen} exceeds the model's maxPositions ${base.config.maxPositions}`, 'data.seq_len');
    }
    if (!('json' in tokenizer) && base.config.vocabSize < tokenizer.vocabSize) {
      throw new UserInputError(`model: vocabulary ${base.config.vocabSize} smaller than the tokenizer's ${tokenizer.vocabSize}`, 'model');
    }
  } catch (e) {
    disposeWeights(base.weights);
    throw e;
  }
  folder?.writeJson('tokenizer.json', 'json' in tokenizer ? tokenizer.json : tokenizer.toJSON());
  let data: PreparedTraining['data'];
  if (local) {
    const text: TextTokenizer = 'json' in tokenizer ? tokenizer : airloraTextTokenizer(tokenizer);
    data = local.withTokenizer(text);
  } else {
    data = (prep as ReturnType<typeof prepareFederatedData>).withTokenizer(tokenizer as Tokenizer);
  }
  const loraSeed = streams.stream('lora-init').seed32();
  return {
    data, base, tokenizer, streams,
    makeModel: (lora) => (slots) => createLoraModel(base, lora, slots, loraSeed),
    dispose: () => disposeWeights(base.weights),
  };
}

/**
 * The trained global adapter in PEFT's format (adapter_config.json + adapter_model.safetensors, loadable
 * by `PeftModel.from_pretrained` and by `airlora eval --adapter`) into `dir`.
 */
export function savePeftAdapter(s: TrainingConfig, prep: PreparedTraining, lora: LoraConfig, flat: Float32Array, dir: string): void {
  const model = prep.makeModel(lora)(1);
  try {
    const ck = s.model?.checkpoint;
    writeModelAdapter(dir, model, { flat, ...(ck !== undefined ? { baseModel: ck === 'default' ? DEFAULT_CHECKPOINT_DIR : ck } : {}) });
  } finally {
    model.dispose();
  }
}

/** Run (or resume) a training run with one aggregator; returns the metrics. The caller owns the manifest. */
export async function runTraining(s: TrainingConfig, aggregator: Aggregator, opts: TrainingRunOptions = {}): Promise<FederatedRunResult & { tokenizer: Tokenizer | HfTokenizer; base: ModelConfig }> {
  const prep = prepareTraining(s, opts.folder);
  try {
    const result = await runFederated({
      config: s.fl, data: prep.data, streams: prep.streams, folder: opts.folder, resume: opts.resume, log: opts.log, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      aggregator,
      makeModel: prep.makeModel({ ...s.lora }),
    });
    if (opts.folder) savePeftAdapter(s, prep, s.lora, result.global, join(opts.folder.dir, 'adapter'));
    return { ...result, tokenizer: prep.tokenizer, base: prep.base.config };
  } finally {
    prep.dispose();
  }
}
