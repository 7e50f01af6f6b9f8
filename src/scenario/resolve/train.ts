/**
 * Scenario → the typed configuration of a federated training run (src/fl/prepare.ts) and of its
 * aggregators (src/fl/aggregators). The only place the `fl`, `data`, `model`, `lora` and `aggregation`
 * sections' YAML names are mapped onto the trainer's types.
 */
import { UserInputError } from '../../errors.js';
import type { DataConfig } from '../../data/federated.js';
import type { FlConfig } from '../../fl/config.js';
import type { ModelSpec, TrainingConfig } from '../../fl/prepare.js';
import type { AggregationSpec } from '../../fl/aggregators/kind.js';
import type { ModelConfig } from '../../models/config.js';
import type { LoraConfig } from '../../lora/config.js';
import { lora as loraSection } from '../sections/lora.js';
import type { Scenario } from '../schema.js';

type Sections = Required<Pick<Scenario, 'fl' | 'data'>>;
type FlSection = NonNullable<Sections['fl']>;
type DataSection = NonNullable<Sections['data']>;
type ModelSection = NonNullable<Scenario['model']>;

export function flConfig(s: FlSection): FlConfig {
  return {
    rounds: s.rounds, clients: s.clients, selection: s.selection, algorithm: s.algorithm,
    localSteps: s.local_steps, batchSize: s.batch_size, optimizer: s.optimizer, lr: s.lr, serverLr: s.server_lr,
    upload: s.upload, aggregateFactors: s.aggregate_factors, mode: s.mode,
    evalEvery: s.eval_every, divergenceFactor: s.divergence_factor,
  };
}

export function dataConfig(d: DataSection): DataConfig & { vocabSize: number } {
  const p = d.partition;
  const partition: DataConfig['partition'] = p.kind === 'dirichlet' ? { kind: 'dirichlet', alpha: p.alpha, minPerClient: p.min_per_client }
    : p.kind === 'one-label' ? { kind: 'one-label', classes: p.classes } : { kind: 'iid' };
  return {
    dataset: d.dataset, genres: d.genres, testFraction: d.test_fraction, seqLen: d.seq_len,
    evalPerClient: d.eval_per_client, maxItems: d.max_items, partition,
    ...(d.dataset === 'local' ? {
      local: {
        path: d.path!, task: d.task ?? 'auto', text_fields: d.text_fields, label_field: d.label_field,
        key_field: p.kind === 'key' ? (p.field ?? d.key_field) : d.key_field, prompt_template: d.prompt_template,
        partition: p.kind === 'key' ? { kind: 'key' as const, ...(p.field ? { field: p.field } : {}) } : partition,
      },
    } : {}),
    vocabSize: d.vocab_size,
  };
}

export function modelSpec(m: ModelSection | undefined): ModelSpec | undefined {
  if (m === undefined) return undefined;
  const out: ModelSpec = {};
  if (m.checkpoint !== undefined) out.checkpoint = m.checkpoint;
  if (m.preset !== undefined) out.preset = m.preset;
  if (m.overrides !== undefined) out.overrides = m.overrides as Partial<ModelConfig>;
  if (m.init_seed !== undefined) out.initSeed = m.init_seed;
  if (m.base_init !== undefined) out.baseInit = m.base_init;
  return out;
}

export function loraConfig(s: Scenario): LoraConfig {
  return { ...(s.lora ?? loraSection.parse({})!) };
}

/** The training run of a scenario with `fl:` and `data:` sections. */
export function resolveTraining(s: Scenario): TrainingConfig {
  if (s.fl === undefined) throw new UserInputError(`${s.name}: a training run needs an fl: section`, 'fl');
  if (s.data === undefined) throw new UserInputError(`${s.name}: a training scenario (fl: section) needs a data: section (dataset, partition, seq_len, ...)`, 'data');
  const model = modelSpec(s.model);
  return {
    name: s.name, seed: s.seed, fl: flConfig(s.fl), data: dataConfig(s.data), lora: loraConfig(s),
    ...(model ? { model } : {}),
  };
}

/** The scenario's `aggregation:` entries as the aggregator factory takes them. */
export function aggregationSpecs(s: Scenario): AggregationSpec[] {
  return s.aggregation.map((e) => ({ scheme: e.scheme, label: e.label, streams: e.streams, options: e.options }));
}
