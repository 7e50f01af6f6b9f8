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

/** The frozen base model: a bert preset with random weights (no bert checkpoint ships). */
export interface SplitModelSpec {
  preset: string;
  overrides: Partial<BertConfig>;
  /** seed of the base weights (default: the run's seed) */
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
  budgetS: number;
  lyapunov: SplitLyapunovConfig;
  schedulers: SplitSchedulerKind[];
  /** devices per round of random / best-channel / round-robin: matched to the budget, or fixed */
  baselineDevices: 'match-budget' | number;
  /** channel-only rounds of the long-run delay check (0 = off) */
  delayRounds: number;
  targetAccuracy: number;
  model: SplitModelSpec;
  tasks: TaskConfig[];
}
