/**
 * The split BERT-style classifier with LoRA, over H5's model parts (src/models/bert.ts):
 *  - device: embedding module (frozen) and task module = pooler dense (frozen W0 + LoRA A_p, B_p),
 *    tanh, classification head (trainable, as PEFT's `modules_to_save`: it starts random);
 *  - server: encoder (frozen) with LoRA on query, key and value of every layer.
 * One global copy of every trainable tensor: a round takes one aggregated gradient step at the server
 * (split learning needs the server in every step), and the device-side parts are broadcast after it.
 *
 * LoRA in the project's (PEFT's) vocabulary, src/lora/config.ts: `r`, `lora_alpha`, `target_modules`;
 * y = x W + b + (lora_alpha/r) (x A) B, A [in, r] ~ N(0, 1/r²), B [r, out] = 0 (init 'gaussian').
 * `target_modules` must select the pooler (the device's adapter: the protocol's u message is its
 * down-projection gradient); every other selected module must be an encoder module (server side).
 */
import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from '../models/config.js';
import { baseLinear, type LinearFn } from '../models/layers.js';
import { weight, type PretrainedModel } from '../models/weights.js';
import { RandomStreams } from '../random/streams.js';
import { UserInputError } from '../errors.js';
import { adaptedModules, loraScale, type LoraConfig } from '../lora/config.js';

/** Split's adapters: q, k, v of every encoder layer (server) and the pooler (device). */
export const SPLIT_LORA_TARGETS = ['query', 'key', 'value', 'pooler'];

/** A LoraConfig with split's default targets (PEFT's other fields at their defaults). */
export function splitLora(r: number, lora_alpha: number, target_modules: string[] = SPLIT_LORA_TARGETS): LoraConfig {
  return { r, lora_alpha, target_modules: [...target_modules], lora_dropout: 0, init_lora_weights: 'gaussian', train_A: true };
}

export interface SplitLoraOptions {
  lora: LoraConfig;
  /** seed of the LoRA initialisation (stream 'split-lora-init', trial, module) */
  seed: number;
  trial?: number;
}

export interface LoraPair {
  module: string;
  A: tf.Variable;
  B: tf.Variable;
}

export const POOLER = 'pooler.dense';
export const CLASSIFIER = 'classifier';

export class SplitLoraModel {
  readonly config: BertConfig;
  readonly scale: number;
  readonly r: number;
  /** server-side adapters: query, key, value of every encoder layer */
  readonly encoder: LoraPair[];
  /** device-side adapter of the pooler dense */
  readonly pooler: LoraPair;
  /** device-side classification head */
  readonly head: { W: tf.Variable; b: tf.Variable };
  private readonly byModule = new Map<string, LoraPair>();
  private readonly plain: LinearFn;

  constructor(readonly base: PretrainedModel, readonly opts: SplitLoraOptions) {
    if (base.config.arch !== 'bert') throw new UserInputError(`split.model: needs a bert model, got '${base.config.arch}'`, 'split.model');
    const lora = opts.lora;
    this.config = base.config;
    const modules = adaptedModules(this.config, lora);
    const pooler = modules.find((m) => m.module === POOLER);
    if (!pooler) throw new UserInputError(`split.lora.target_modules: [${lora.target_modules.join(', ')}] must include pooler (the device-side adapter)`, 'split.lora.target_modules');
    const stray = modules.find((m) => m.module !== POOLER && !m.module.startsWith('encoder.'));
    if (stray) throw new UserInputError(`split.lora.target_modules: '${stray.module}' is neither an encoder module nor the pooler (the classifier head is trained in full)`, 'split.lora.target_modules');
    this.r = lora.r;
    this.scale = loraScale(lora);
    const r = lora.r;
    const streams = new RandomStreams(opts.seed);
    const pair = (module: string, din: number, dout: number): LoraPair => {
      const rng = streams.stream('split-lora-init', opts.trial ?? 0, module);
      const a = new Float32Array(din * r);
      for (let i = 0; i < a.length; i++) a[i] = rng.normal() / r;
      return { module, A: tf.variable(tf.tensor2d(a, [din, r]), true), B: tf.variable(tf.zeros([r, dout]), true) };
    };
    this.encoder = modules.filter((m) => m !== pooler).map((m) => pair(m.module, m.in, m.out));
    this.pooler = pair(POOLER, pooler.in, pooler.out);
    for (const p of [...this.encoder, this.pooler]) this.byModule.set(p.module, p);
    this.head = {
      W: tf.variable(tf.clone(weight(base.weights, `${CLASSIFIER}.kernel`)), true),
      b: tf.variable(tf.clone(weight(base.weights, `${CLASSIFIER}.bias`)), true),
    };
    this.plain = baseLinear(base.weights);
  }

  /** The whole model's LoRA-aware linear hook (for the unsplit forward through bertLogits). */
  readonly linear: LinearFn = (module, x) => {
    if (module === CLASSIFIER) return tf.add(tf.matMul(x, this.head.W as tf.Tensor2D), this.head.b);
    const y = this.plain(module, x);
    const p = this.byModule.get(module);
    return p ? tf.add(y, tf.mul(tf.matMul(tf.matMul(x, p.A as tf.Tensor2D), p.B as tf.Tensor2D), this.scale)) : y;
  };

  /** Server-side trainable variables (encoder LoRA), A then B per module. */
  serverVariables(): tf.Variable[] {
    return this.encoder.flatMap((p) => [p.A, p.B]);
  }

  /** Device-side trainable variables: pooler A_p, B_p, head W, b. */
  deviceVariables(): tf.Variable[] {
    return [this.pooler.A, this.pooler.B, this.head.W, this.head.b];
  }

  allVariables(): tf.Variable[] {
    return [...this.serverVariables(), ...this.deviceVariables()];
  }

  /** Trainable parameter counts (server: encoder LoRA; device: pooler LoRA + head). */
  counts(): { server: number; device: number; poolerLora: number; head: number } {
    const n = (vs: tf.Variable[]) => vs.reduce((s, v) => s + v.size, 0);
    return {
      server: n(this.serverVariables()),
      device: n(this.deviceVariables()),
      poolerLora: this.pooler.A.size + this.pooler.B.size,
      head: this.head.W.size + this.head.b.size,
    };
  }

  dispose(): void {
    for (const v of this.allVariables()) v.dispose();
  }
}
