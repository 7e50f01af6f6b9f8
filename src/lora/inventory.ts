/**
 * Parameter inventory of a model with LoRA adapters, from shapes alone (nothing is allocated, so
 * bert-base is counted instantly): base parameters per module, LoRA parameters r·(in + out) per adapted
 * linear, and the trainable part (B only, r·out, when A is frozen). `airlora inspect` prints it.
 */
import type { ModelConfig } from '../models/config.js';
import { numel, parameterSpecs } from '../models/params.js';
import { countLora, type LoraConfig } from './config.js';

export interface ModuleCount {
  module: string;
  /** Top-level group: `embeddings`, `encoder.layer.3`, `pooler`, `classifier`, `wte`, `h.0`, `ln_f`, ... */
  group: string;
  base: number;
  lora: number;
  trainable: number;
}

export interface Inventory {
  model: ModelConfig;
  lora: LoraConfig;
  modules: ModuleCount[];
  groups: { group: string; base: number; lora: number; trainable: number }[];
  totals: {
    /** All base parameters (BERT: including the classification head). */
    base: number;
    /** Base parameters without the BERT classification head (the usual "model size"). */
    baseWithoutHead: number;
    lora: number;
    trainable: number;
    adaptedModules: number;
    /** 100 · lora / baseWithoutHead */
    loraPercent: number;
  };
}

function groupOf(module: string): string {
  const m = /^(encoder\.layer\.\d+|h\.\d+)/.exec(module);
  if (m) return m[1]!;
  return module.split('.')[0]!;
}

export function inventory(model: ModelConfig, lora: LoraConfig): Inventory {
  const byModule = new Map<string, ModuleCount>();
  for (const p of parameterSpecs(model)) {
    let m = byModule.get(p.module);
    if (!m) byModule.set(p.module, (m = { module: p.module, group: groupOf(p.module), base: 0, lora: 0, trainable: 0 }));
    m.base += numel(p.shape);
  }
  const lc = countLora(model, lora);
  for (const l of lc.modules) {
    const m = byModule.get(l.module)!;
    m.lora = l.loraParams;
    m.trainable = l.trainable;
  }
  const modules = [...byModule.values()];
  const groups = new Map<string, { group: string; base: number; lora: number; trainable: number }>();
  for (const m of modules) {
    const g = groups.get(m.group) ?? { group: m.group, base: 0, lora: 0, trainable: 0 };
    g.base += m.base; g.lora += m.lora; g.trainable += m.trainable;
    groups.set(m.group, g);
  }
  const base = modules.reduce((s, m) => s + m.base, 0);
  const head = modules.filter((m) => m.module === 'classifier').reduce((s, m) => s + m.base, 0);
  return {
    model, lora, modules, groups: [...groups.values()],
    totals: {
      base, baseWithoutHead: base - head, lora: lc.total, trainable: lc.trainable,
      adaptedModules: lc.modules.length, loraPercent: (100 * lc.total) / (base - head),
    },
  };
}
