/**
 * The split BERT-style classifier with LoRA, over H5's model parts (src/models/bert.ts):
 *  - device: embedding module (frozen) and task module = pooler dense (frozen W0 + LoRA A_p, B_p),
 *    tanh, classification head (trainable, as PEFT's `modules_to_save`: it starts random);
 *  - server: encoder (frozen) with LoRA on query, key and value of every layer.
 * One global copy of every trainable tensor: a round takes one aggregated gradient step at the server
 * (split learning needs the server in every step), and the device-side parts are broadcast after it.
 *
 * LoRA convention as src/lora: y = x W + b + (α/r) (x A) B, A [in, r] ~ N(0, 1/r²), B [r, out] = 0.
 */
import * as tf from '@tensorflow/tfjs';
import type { BertConfig } from '../models/config.js';
import { baseLinear, type LinearFn } from '../models/layers.js';
import { weight, type PretrainedModel } from '../models/weights.js';
import { RandomStreams } from '../random/streams.js';
import { UserInputError } from '../errors.js';

export interface SplitLoraOptions {
  r: number;
  alpha: number;
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
    if (!Number.isInteger(opts.r) || opts.r < 1) throw new UserInputError(`split.lora.r = ${opts.r}: must be an integer ≥ 1`, 'split.lora.r');
    this.config = base.config;
    this.r = opts.r;
    this.scale = opts.alpha / opts.r;
    const d = this.config.hidden;
    const streams = new RandomStreams(opts.seed);
    const pair = (module: string, din: number, dout: number): LoraPair => {
      const rng = streams.stream('split-lora-init', opts.trial ?? 0, module);
      const a = new Float32Array(din * opts.r);
      for (let i = 0; i < a.length; i++) a[i] = rng.normal() / opts.r;
      return { module, A: tf.variable(tf.tensor2d(a, [din, opts.r]), true), B: tf.variable(tf.zeros([opts.r, dout]), true) };
    };
    this.encoder = [];
    for (let l = 0; l < this.config.layers; l++) {
      for (const m of ['query', 'key', 'value']) this.encoder.push(pair(`encoder.layer.${l}.attention.self.${m}`, d, d));
    }
    this.pooler = pair(POOLER, d, d);
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
