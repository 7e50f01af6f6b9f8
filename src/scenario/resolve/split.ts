/**
 * Scenario → SplitConfig (src/split/config.ts): the only place the `split:` section's YAML names are
 * read. The base model comes from the top-level `model:` section: a bert preset with random weights, or
 * a Hugging Face BERT folder (`model.checkpoint`, model_type bert; checked from config.json here,
 * before any weight is read).
 */
import { UserInputError } from '../../errors.js';
import { preset, type BertConfig } from '../../models/config.js';
import type { SplitConfig } from '../../split/config.js';
import { umaPathLoss } from '../../split/radio.js';
import type { TaskConfig } from '../../split/tasks.js';
import type { PartitionSpec } from '../../data/partition.js';
import type { Scenario } from '../schema.js';
import type { SplitTaskSection } from '../sections/split.js';
import { isHfModelFolder, readHfConfig } from '../../models/hf/load.js';

function partitionOf(p: SplitTaskSection['partition']): PartitionSpec {
  if (p.kind === 'dirichlet') return p.min_per_client !== undefined ? { kind: 'dirichlet', alpha: p.alpha, minPerClient: p.min_per_client } : { kind: 'dirichlet', alpha: p.alpha };
  if (p.kind === 'one-label') return p.classes !== undefined ? { kind: 'one-label', classes: p.classes } : { kind: 'one-label' };
  return { kind: 'iid' };
}

function taskOf(t: SplitTaskSection): TaskConfig {
  const common = {
    partition: partitionOf(t.partition), testFraction: t.test_fraction,
    seqLen: t.seq_len, maxItems: t.max_items, evalPerClient: t.eval_per_client, vocabSize: t.vocab_size,
  };
  if (t.dataset === 'local') {
    return {
      name: 'local', ...common,
      local: { path: t.path!, ...(t.text_fields ? { textFields: [...t.text_fields] } : {}), ...(t.label_field ? { labelField: t.label_field } : {}) },
    };
  }
  return { name: t.name!, genres: t.genres, ...common };
}

/** A Hugging Face BERT folder for the split (config.json read, no weights), or a clear refusal. */
function splitCheckpoint(ck: string): string {
  if (ck === 'default' || !isHfModelFolder(ck)) {
    throw new UserInputError(`model.checkpoint: '${ck}' is not a Hugging Face BERT folder; split runs take a folder with config.json (model_type: bert), model.safetensors and tokenizer.json, or no checkpoint (a bert preset with random weights)`, 'model.checkpoint');
  }
  const info = readHfConfig(ck);
  if (info.config.arch !== 'bert') {
    throw new UserInputError(`model.checkpoint: '${ck}' is a ${info.modelType} model; split learning cuts a BERT (model_type: bert) into embedding, encoder and pooler + head`, 'model.checkpoint');
  }
  return ck;
}

export function resolveSplit(s: Scenario): SplitConfig {
  const sp = s.split;
  if (sp === undefined) throw new UserInputError(`${s.name}: a split run needs a split: section`, 'split');
  const r = sp.radio;
  if (r.max_distance_m < r.min_distance_m) {
    throw new UserInputError(`split.radio.max_distance_m = ${r.max_distance_m}: must be ≥ min_distance_m (${r.min_distance_m})`, 'split.radio.max_distance_m');
  }
  const m = s.model ?? {};
  const checkpoint = m.checkpoint !== undefined ? splitCheckpoint(m.checkpoint) : undefined;
  if (checkpoint !== undefined && (m.preset !== undefined || m.overrides !== undefined)) {
    const k = m.preset !== undefined ? 'preset' : 'overrides';
    throw new UserInputError(`model.${k}: absent with model.checkpoint (the checkpoint's config.json gives the sizes)`, `model.${k}`);
  }
  if (m.base_init !== undefined) {
    throw new UserInputError(`model.base_init: a split run sets its frozen encoder's initialisation with split.base_init; write split: { base_init: ${m.base_init} } instead`, 'model.base_init');
  }
  const presetName = m.preset ?? 'bert-small';
  if (preset(presetName).arch !== 'bert') throw new UserInputError(`model.preset: split learning needs a bert preset, got '${presetName}'`, 'model.preset');
  const ly = sp.lyapunov;
  return {
    name: s.name,
    seed: s.seed,
    rounds: sp.rounds,
    trials: sp.trials,
    batchSize: sp.batch_size,
    lr: sp.lr,
    evalEvery: sp.eval_every,
    lora: {
      r: sp.lora.r, lora_alpha: sp.lora.lora_alpha, target_modules: [...sp.lora.target_modules],
      lora_dropout: 0, init_lora_weights: 'gaussian', train_A: true,
    },
    radio: {
      devices: sp.devices, bandwidthHz: r.bandwidth_hz, txPowerDbm: r.tx_power_dbm, noiseDbmPerHz: r.noise_dbm_per_hz,
      pathLoss: umaPathLoss(r.min_distance_m, r.max_distance_m),
    },
    serverTxPowerDbm: r.server_tx_power_dbm,
    uplink: sp.uplink,
    gradient: sp.gradient,
    compute: { deviceGflops: sp.compute.device_gflops, serverGflops: sp.compute.server_gflops },
    budget: sp.budget_all_in_fraction !== undefined ? { allInFraction: sp.budget_all_in_fraction } : { seconds: sp.budget_s ?? 0.1 },
    lyapunov: { V: ly.V, decay: ly.decay, penalty: ly.penalty, minDevices: ly.min_devices, drift: ly.drift, delayCap: ly.delay_cap },
    schedulers: [...sp.schedulers],
    baselineDevices: sp.baseline_devices,
    baselineBandwidth: sp.baseline_bandwidth,
    resample: sp.resample,
    reference: sp.reference,
    delayRounds: sp.delay_rounds,
    targetAccuracy: sp.target_accuracy,
    model: {
      ...(checkpoint !== undefined ? { checkpoint } : {}),
      preset: presetName, overrides: (m.overrides ?? {}) as Partial<BertConfig>,
      initSeed: m.init_seed ?? s.seed, baseInit: sp.base_init,
    },
    tasks: sp.tasks.map(taskOf),
  };
}
