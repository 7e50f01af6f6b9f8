/**
 * Scenario → SplitConfig (src/split/config.ts): the only place the `split:` section's YAML names are
 * read. The base model comes from the top-level `model:` section (a bert preset with random weights).
 */
import { UserInputError } from '../../errors.js';
import { preset, type BertConfig } from '../../models/config.js';
import type { SplitConfig } from '../../split/config.js';
import { umaPathLoss } from '../../split/radio.js';
import type { TaskConfig } from '../../split/tasks.js';
import type { PartitionSpec } from '../../data/partition.js';
import type { Scenario } from '../schema.js';
import type { SplitTaskSection } from '../sections/split.js';

function partitionOf(p: SplitTaskSection['partition']): PartitionSpec {
  if (p.kind === 'dirichlet') return p.min_per_client !== undefined ? { kind: 'dirichlet', alpha: p.alpha, minPerClient: p.min_per_client } : { kind: 'dirichlet', alpha: p.alpha };
  if (p.kind === 'one-label') return p.classes !== undefined ? { kind: 'one-label', classes: p.classes } : { kind: 'one-label' };
  return { kind: 'iid' };
}

function taskOf(t: SplitTaskSection): TaskConfig {
  return {
    name: t.name, genres: t.genres, partition: partitionOf(t.partition), testFraction: t.test_fraction,
    seqLen: t.seq_len, maxItems: t.max_items, evalPerClient: t.eval_per_client, vocabSize: t.vocab_size,
  };
}

export function resolveSplit(s: Scenario): SplitConfig {
  const sp = s.split;
  if (sp === undefined) throw new UserInputError(`${s.name}: a split run needs a split: section`, 'split');
  const r = sp.radio;
  if (r.max_distance_m < r.min_distance_m) {
    throw new UserInputError(`split.radio.max_distance_m = ${r.max_distance_m}: must be ≥ min_distance_m (${r.min_distance_m})`, 'split.radio.max_distance_m');
  }
  const m = s.model ?? {};
  if (m.checkpoint !== undefined) {
    throw new UserInputError('model.checkpoint: split runs start from a bert preset with random base weights (no bert checkpoint exists); remove model.checkpoint', 'model.checkpoint');
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
      preset: presetName, overrides: (m.overrides ?? {}) as Partial<BertConfig>,
      initSeed: m.init_seed ?? s.seed, baseInit: sp.base_init,
    },
    tasks: sp.tasks.map(taskOf),
  };
}
