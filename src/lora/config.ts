/**
 * LoRA configuration in PEFT's vocabulary (plain TS types; the scenario layer validates input).
 *
 * A targeted linear y = x·W + b becomes y = x·W + b + (α/r)·dropout(x)·A·B with A [in, r] and
 * B [r, out] (the transposes of PEFT's lora_A.weight / lora_B.weight).
 *
 * `target_modules` matching (PEFT's suffix rule plus a prefix rule): a target t selects a linear module
 * whose dotted name equals t, ends with `.t`, or starts with `t.`. So 'query' selects every
 * `...attention.self.query`, 'dense' every `...dense` (attention output, intermediate, output and the
 * pooler, as in PEFT), and 'pooler' selects `pooler.dense`.
 *
 * Initialisation (`init_lora_weights`): B = 0 so the adapted model starts equal to the base, and
 *  - 'gaussian' (default): A ~ N(0, 1/r²), i.e. std 1/r (PEFT's 'gaussian');
 *  - true: A ~ U(-1/√in, 1/√in) (PEFT's default, kaiming-uniform with a = √5);
 *  - false: A and B both ~ N(0, 1/r²) (not a no-op; for tests).
 * The initial adapter is the same for every client (the server initialises and broadcasts it).
 * `train_A: false` freezes A (FFA-LoRA): only B is trained, uploaded and aggregated.
 */
import type { ModelConfig } from '../models/config.js';
import { linearModules, type LinearSpec } from '../models/params.js';
import { UserInputError } from '../errors.js';

export interface LoraConfig {
  r: number;
  lora_alpha: number;
  target_modules: string[];
  lora_dropout: number;
  init_lora_weights?: boolean | 'gaussian';
  /** Train A as well as B (default true). */
  train_A?: boolean;
}

export const DEFAULT_LORA: LoraConfig = {
  r: 8, lora_alpha: 16, target_modules: ['query', 'value'], lora_dropout: 0, init_lora_weights: 'gaussian', train_A: true,
};

/** Does target `t` select the linear module named `module`? */
export function targetMatches(module: string, t: string): boolean {
  return module === t || module.endsWith(`.${t}`) || module.startsWith(`${t}.`);
}

/** The linear modules the config adapts, in canonical order. Throws if a target matches nothing. */
export function adaptedModules(model: ModelConfig, lora: LoraConfig): LinearSpec[] {
  checkLoraConfig(lora);
  const all = linearModules(model);
  for (const t of lora.target_modules) {
    if (!all.some((m) => targetMatches(m.module, t))) {
      throw new UserInputError(
        `lora.target_modules: '${t}' matches no linear module of this ${model.arch} model; modules are named like ${all.slice(0, 6).map((m) => m.module).join(', ')}, ...`,
        'lora.target_modules',
      );
    }
  }
  return all.filter((m) => lora.target_modules.some((t) => targetMatches(m.module, t)));
}

/** Basic sanity (the scenario layer does full validation with field paths of its own). */
export function checkLoraConfig(l: LoraConfig): void {
  if (!Number.isInteger(l.r) || l.r < 1) throw new UserInputError(`lora.r: ${l.r} must be a positive integer`, 'lora.r');
  if (!(l.lora_alpha > 0)) throw new UserInputError(`lora.lora_alpha: ${l.lora_alpha} must be > 0`, 'lora.lora_alpha');
  if (!(l.lora_dropout >= 0 && l.lora_dropout < 1)) throw new UserInputError(`lora.lora_dropout: ${l.lora_dropout} must be in [0, 1)`, 'lora.lora_dropout');
  if (!Array.isArray(l.target_modules) || l.target_modules.length === 0) {
    throw new UserInputError('lora.target_modules: must list at least one module (e.g. query, key, value, dense, pooler)', 'lora.target_modules');
  }
}

export function loraScale(l: LoraConfig): number {
  return l.lora_alpha / l.r;
}

/** Per module: LoRA parameter count r·(in + out), and the trainable part (r·out only with A frozen). */
export interface LoraCount {
  module: string;
  in: number;
  out: number;
  loraParams: number;
  trainable: number;
}

/** LoRA parameter counts from shapes alone (no allocation). */
export function countLora(model: ModelConfig, lora: LoraConfig): { modules: LoraCount[]; total: number; trainable: number } {
  const modules = adaptedModules(model, lora).map((m) => ({
    module: m.module, in: m.in, out: m.out,
    loraParams: lora.r * (m.in + m.out),
    trainable: lora.r * ((lora.train_A ?? true) ? m.in + m.out : m.out),
  }));
  return {
    modules,
    total: modules.reduce((s, m) => s + m.loraParams, 0),
    trainable: modules.reduce((s, m) => s + m.trainable, 0),
  };
}

/**
 * The LoRA configuration at rank r. `lora_alpha` scales with the rank so that the update scale α/r
 * stays at the configured value: a rank comparison then changes capacity and payload, not the
 * effective learning rate (with a fixed α, rank 1 would train 8× hotter than rank 8).
 */
export function loraAtRank(lora: LoraConfig, r: number): LoraConfig {
  return { ...lora, r, lora_alpha: (lora.lora_alpha * r) / lora.r };
}
