/**
 * The typed configuration of a split federated LoRA run (plain data: src/scenario/resolve/split.ts maps
 * the `split:` and `model:` sections onto it; nothing in src/split reads YAML).
 */
import type { LoraConfig } from '../lora/config.js';
import type { BertConfig } from '../models/config.js';
import type { BaseInit } from '../models/base-init.js';
import type { SplitRadio } from './radio.js';
import type { TaskConfig } from './tasks.js';
import type { PenaltyKind } from './penalty.js';
import type { DriftKind } from './schedulers/lyapunov.js';
import type { BandwidthRule } from './schedulers/types.js';
import type { GradientMessage, UplinkMode } from './payload.js';

export const SPLIT_SCHEDULER_KINDS = ['lyapunov', 'all-in', 'random', 'best-channel', 'round-robin'] as const;
export type SplitSchedulerKind = (typeof SPLIT_SCHEDULER_KINDS)[number];

export interface SplitLyapunovConfig {
  V: number;
  decay: number;
  penalty: PenaltyKind;
  minDevices: number;
  drift: DriftKind;
  /** per-round delay cap in units of the budget (0 = none) */
  delayCap: number;
}

/**
 * The frozen base model: a bert preset with random weights, or a Hugging Face BERT folder
 * (`checkpoint`; config.json, safetensors, tokenizer.json), whose tokenizer then encodes every task.
 */
export interface SplitModelSpec {
  /** a Hugging Face BERT model folder (model_type bert); absent: the preset with random weights */
  checkpoint?: string;
  preset: string;
  overrides: Partial<BertConfig>;
  /** seed of the base weights (default: the run's seed); with a checkpoint, of a freshly drawn head */
  initSeed: number;
  baseInit: BaseInit;
}

export interface SplitConfig {
  name: string;
  seed: number;
  rounds: number;
  trials: number;
  /** examples per scheduled device per round */
  batchSize: number;
  lr: number;
  evalEvery: number;
  /** adapters in PEFT's vocabulary: server encoder modules and the device's pooler (`pooler` target) */
  lora: LoraConfig;
  /** the uplink radio; `radio.devices` is the number of devices K */
  radio: SplitRadio;
  /** the server's downlink transmit power (dBm), spread over the band; null: the downlink is not timed */
  serverTxPowerDbm: number | null;
  /** what the uplink carries (payload.ts) */
  uplink: UplinkMode;
  /** the gradient message: exact (g and u) or u alone */
  gradient: GradientMessage;
  /** device and server compute speeds (GFLOP/s); 0 = that side's compute is not timed */
  compute: { deviceGflops: number; serverGflops: number };
  /** the average-delay budget τ̄: seconds, or a fraction of All-in's average delay on each trial's channel */
  budget: { seconds: number } | { allInFraction: number };
  lyapunov: SplitLyapunovConfig;
  schedulers: SplitSchedulerKind[];
  /** devices per round of random / best-channel / round-robin: matched to the budget, or fixed */
  baselineDevices: 'match-budget' | number;
  /** bandwidth rule of random / round-robin / best-channel ('default': equal, equal, min-max) */
  baselineBandwidth: 'default' | BandwidthRule;
  /** redraw the base encoder, the data partition and the test set in every trial (false: trial 0's for all) */
  resample: boolean;
  /** fit the bag-of-words logistic-regression reference on the same inputs */
  reference: boolean;
  /** channel-only rounds of the long-run delay check (0 = off) */
  delayRounds: number;
  targetAccuracy: number;
  model: SplitModelSpec;
  tasks: TaskConfig[];
}
