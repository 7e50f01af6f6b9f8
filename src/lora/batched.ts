/**
 * LoRA adapters for C clients over one shared frozen base model, trained in a single batched pass.
 *
 * Each adapted module holds A: [C, in, r] and B: [C, r, out] as tf.Variables (with A frozen, one shared
 * constant A: [in, r] and only B is a variable). Inputs are [C, batch, T]; the base weights see all C·batch
 * sequences at once (plain 2-D products), the low-rank terms use per-client batched products.
 *
 * The loss is the SUM over clients of each client's mean loss: the gradient w.r.t. client c's slice is
 * exactly that client's own gradient, and an elementwise optimiser (Adam, SGD) on the stacked variables
 * equals C independent optimisers stepping together.
 *
 * Flat adapter vector of one client (the PHY carries it): for each adapted module in canonical order
 * (src/models/params.ts), A row-major [in, r] (omitted when A is frozen), then B row-major [r, out];
 * `adapterLayout()` lists the offsets.
 */
import * as tf from '@tensorflow/tfjs';
import { isCausalLm, type BertConfig, type ModelConfig } from '../models/config.js';
import type { LinearSpec } from '../models/params.js';
import { baseLinear, type LinearFn } from '../models/layers.js';
import { causalLmLogits } from '../models/hf/causal.js';
import { bertLogits } from '../models/bert.js';
import { softmaxCrossEntropy } from '../models/loss.js';
import { weight, type ModelWeights, type PretrainedModel } from '../models/weights.js';
import { RandomStreams, type Rng } from '../random/streams.js';
import { NumericalError, UserInputError } from '../errors.js';
import { adaptedModules, loraScale, type LoraConfig } from './config.js';

export interface ClientBatch {
  /** int32 [C, B, T] */
  tokens: tf.Tensor;
  /** int32 [C, B, T] next tokens (LM). Without it the LM predicts tokens[t+1] from tokens[..t] (T−1 positions). */
  targets?: tf.Tensor;
  /** int32 [C, B] (classifier) */
  labels?: tf.Tensor;
  /** float32 [C, B, T], 1 = real token (LM: which targets count; classifier: attention padding mask). */
  mask?: tf.Tensor;
  /** int32 [C, B, T] segment (token type) ids of sentence pairs (classifier); default all 0. */
  segments?: tf.Tensor;
}

export interface AdapterBlock {
  module: string;
  factor: 'A' | 'B';
  offset: number;
  shape: number[];
}

export interface BatchedLoraModel {
  readonly kind: 'lm' | 'classifier';
  readonly numClients: number;
  /** Entries of one client's flat adapter vector. */
  readonly adapterSize: number;
  /** Stacked LoRA variables (only B when A is frozen). */
  readonly trainable: tf.Variable[];
  /** Σ_c mean loss of client c (LM: mean over counted tokens; classifier: mean over examples). */
  loss(batch: ClientBatch, training: boolean): tf.Scalar;
  /** Per-client sums without gradient: loss sum, correct predictions (classifier), count (tokens or examples). */
  evaluate(batch: ClientBatch): { loss: Float64Array; correct?: Float64Array; count: Float64Array };
  getAdapters(client: number): Float32Array;
  setAdapters(client: number, flat: Float32Array): void;
  /** Broadcast one adapter vector (e.g. the global aggregate) to every client. */
  setAllAdapters(flat: Float32Array): void;
  adapterLayout(): AdapterBlock[];
  /** Base weights with (α/r)·A·B of client 0 added to each adapted kernel (fresh tensors; caller disposes). */
  merged(): PretrainedModel;
  dispose(): void;
}

interface Adapted {
  spec: LinearSpec;
  /** [C, in, r] variable, or shared frozen [in, r]. */
  A: tf.Tensor;
  B: tf.Variable;
}

let nextUid = 0;

export class BatchedLora implements BatchedLoraModel {
  readonly kind: 'lm' | 'classifier';
  readonly adapterSize: number;
  readonly trainable: tf.Variable[];
  readonly scale: number;
  readonly trainA: boolean;
  /** LoRA-aware linear hook (exposed for split learning: pass it to bertEncode / bertTask). */
  readonly linear: LinearFn;
  private readonly adapted: Adapted[];
  private readonly byModule = new Map<string, Adapted>();
  private readonly dropoutRng: Rng;
  private training = false;
  /** Unique per instance: tfjs variable names are global. */
  private readonly uid = nextUid++;

  constructor(readonly base: PretrainedModel, readonly lora: LoraConfig, readonly numClients: number, seed: number) {
    if (!Number.isInteger(numClients) || numClients < 1) {
      throw new UserInputError(`numClients: ${numClients} must be a positive integer`, 'numClients');
    }
    this.kind = isCausalLm(base.config) ? 'lm' : 'classifier';
    this.scale = loraScale(lora);
    this.trainA = lora.train_A ?? true;
    const streams = new RandomStreams(seed);
    this.dropoutRng = streams.stream('lora-dropout');
    const r = lora.r;
    const C = numClients;
    const init = lora.init_lora_weights ?? 'gaussian';
    this.adapted = adaptedModules(base.config, lora).map((spec) => {
      const aHost = new Float32Array(spec.in * r);
      const ra = streams.stream('lora-init', spec.module, 'A');
      if (init === true) {
        const bound = 1 / Math.sqrt(spec.in);
        for (let i = 0; i < aHost.length; i++) aHost[i] = (2 * ra.uniform() - 1) * bound;
      } else {
        for (let i = 0; i < aHost.length; i++) aHost[i] = ra.normal() / r;
      }
      const bHost = new Float32Array(r * spec.out);
      if (init === false) {
        const rb = streams.stream('lora-init', spec.module, 'B');
        for (let i = 0; i < bHost.length; i++) bHost[i] = rb.normal() / r;
      }
      const A = this.trainA
        ? tf.variable(tf.tensor(tile(aHost, C), [C, spec.in, r]), true, `lora${this.uid}.${spec.module}.A`)
        : tf.tensor(aHost, [spec.in, r]);
      const B = tf.variable(tf.tensor(tile(bHost, C), [C, r, spec.out]), true, `lora${this.uid}.${spec.module}.B`);
      return { spec, A, B };
    });
    for (const a of this.adapted) this.byModule.set(a.spec.module, a);
    this.trainable = this.adapted.flatMap((a) => (this.trainA ? [a.A as tf.Variable, a.B] : [a.B]));
    this.adapterSize = this.adapted.reduce((s, a) => s + (this.trainA ? a.spec.in * r : 0) + r * a.spec.out, 0);
    const plain = baseLinear(base.weights);
    this.linear = (module, x) => {
      const y = plain(module, x);
      const a = this.byModule.get(module);
      return a ? tf.add(y, this.delta(a, x)) : y;
    };
  }

  /** (α/r)·dropout(x)·A_c·B_c with rows of x grouped client-major. */
  private delta(a: Adapted, x: tf.Tensor2D): tf.Tensor2D {
    const C = this.numClients;
    const [N, din] = x.shape;
    const r = this.lora.r;
    const out = a.spec.out;
    if (N % C !== 0) throw new UserInputError(`LoRA input rows ${N} not divisible by numClients ${C}`, 'batch.tokens');
    const n = N / C;
    let xin: tf.Tensor2D = x;
    if (this.training && this.lora.lora_dropout > 0) xin = tf.dropout(x, this.lora.lora_dropout, undefined, this.dropoutRng.seed32()) as tf.Tensor2D;
    let d: tf.Tensor;
    if (C === 1) {
      // Plain 2-D products: the fast path on wasm.
      const A2 = this.trainA ? a.A.reshape([din, r]) : a.A;
      // Scale the narrow [N, r] product rather than the [N, out] one.
      d = tf.matMul(tf.mul(tf.matMul(xin, A2 as tf.Tensor2D), this.scale), a.B.reshape([r, out]) as tf.Tensor2D);
    } else {
      const xa = this.trainA
        ? tf.matMul(xin.reshape([C, n, din]) as tf.Tensor3D, a.A as tf.Tensor3D)
        : tf.matMul(xin, a.A as tf.Tensor2D).reshape([C, n, r]);
      d = tf.matMul(tf.mul(xa, this.scale) as tf.Tensor3D, a.B as tf.Tensor3D).reshape([N, out]);
    }
    return d as tf.Tensor2D;
  }

  private checkBatch(batch: ClientBatch): [number, number, number] {
    const s = batch.tokens.shape;
    if (s.length !== 3 || s[0] !== this.numClients) {
      throw new UserInputError(`batch.tokens: shape [${s.join(', ')}] must be [C = ${this.numClients}, batch, T]`, 'batch.tokens');
    }
    return [s[0]!, s[1]!, s[2]!];
  }

  /** Per-example losses [C, n], the 0/1 weights [C, n] that count, and (classifier) correctness [C, n]. */
  private perExample(batch: ClientBatch): { ce: tf.Tensor2D; w: tf.Tensor2D; correct?: tf.Tensor2D } {
    const [C, B, T] = this.checkBatch(batch);
    const S = C * B;
    if (this.kind === 'lm') {
      const cfg = this.base.config;
      if (!isCausalLm(cfg)) throw new UserInputError(`model: a ${cfg.arch} model is not a causal LM`, 'model');
      let inputs = batch.tokens;
      let targets = batch.targets;
      let mask = batch.mask;
      let Tin = T;
      if (!targets) {
        Tin = T - 1;
        inputs = tf.slice(batch.tokens, [0, 0, 0], [C, B, Tin]);
        targets = tf.slice(batch.tokens, [0, 0, 1], [C, B, Tin]);
        if (mask) mask = tf.slice(mask, [0, 0, 1], [C, B, Tin]);
      }
      const logits = causalLmLogits(cfg, this.base.weights, inputs.reshape([S, Tin]) as tf.Tensor2D, { linear: this.linear });
      const ce = softmaxCrossEntropy(logits, targets.reshape([S * Tin]).toInt() as tf.Tensor1D).reshape([C, B * Tin]) as tf.Tensor2D;
      const w = (mask ? mask.toFloat().reshape([C, B * Tin]) : tf.onesLike(ce)) as tf.Tensor2D;
      return { ce, w };
    }
    const cfg = this.base.config as BertConfig;
    if (!batch.labels) throw new UserInputError('batch.labels: required for a classifier model', 'batch.labels');
    const logits = bertLogits(cfg, this.base.weights, batch.tokens.reshape([S, T]) as tf.Tensor2D, {
      mask: batch.mask ? (batch.mask.toFloat().reshape([S, T]) as tf.Tensor2D) : undefined,
      segments: batch.segments ? (batch.segments.reshape([S, T]).toInt() as tf.Tensor2D) : undefined,
      linear: this.linear,
    });
    const lab = batch.labels.reshape([S]).toInt() as tf.Tensor1D;
    const ce = softmaxCrossEntropy(logits, lab).reshape([C, B]) as tf.Tensor2D;
    const correct = tf.equal(tf.argMax(logits, 1), lab).toFloat().reshape([C, B]) as tf.Tensor2D;
    return { ce, w: tf.onesLike(ce) as tf.Tensor2D, correct };
  }

  loss(batch: ClientBatch, training: boolean): tf.Scalar {
    this.training = training;
    try {
      return tf.tidy(() => {
        const { ce, w } = this.perExample(batch);
        const perClient = tf.div(tf.sum(tf.mul(ce, w), 1), tf.maximum(tf.sum(w, 1), 1));
        return tf.sum(perClient) as tf.Scalar;
      });
    } finally {
      this.training = false;
    }
  }

  evaluate(batch: ClientBatch): { loss: Float64Array; correct?: Float64Array; count: Float64Array } {
    const t = tf.tidy(() => {
      const { ce, w, correct } = this.perExample(batch);
      const r: Record<string, tf.Tensor> = { loss: tf.sum(tf.mul(ce, w), 1), count: tf.sum(w, 1) };
      if (correct) r['correct'] = tf.sum(correct, 1);
      return r;
    });
    const loss = t['loss']!, count = t['count']!, correct = t['correct'];
    const out = {
      loss: Float64Array.from(loss.dataSync()),
      count: Float64Array.from(count.dataSync()),
      ...(correct ? { correct: Float64Array.from(correct.dataSync()) } : {}),
    };
    loss.dispose(); count.dispose(); correct?.dispose();
    for (let c = 0; c < out.loss.length; c++) {
      if (!Number.isFinite(out.loss[c]!)) throw new NumericalError(`evaluate: non-finite loss ${out.loss[c]} for client ${c}`);
    }
    return out;
  }

  adapterLayout(): AdapterBlock[] {
    const r = this.lora.r;
    const out: AdapterBlock[] = [];
    let off = 0;
    for (const a of this.adapted) {
      if (this.trainA) {
        out.push({ module: a.spec.module, factor: 'A', offset: off, shape: [a.spec.in, r] });
        off += a.spec.in * r;
      }
      out.push({ module: a.spec.module, factor: 'B', offset: off, shape: [r, a.spec.out] });
      off += r * a.spec.out;
    }
    return out;
  }

  /** Adapted module names, in canonical (flat-vector) order. */
  adaptedModules(): string[] {
    return this.adapted.map((a) => a.spec.module);
  }

  /**
   * The adapter tensors of one module (not copies; do not dispose): A is [C, in, r] when trained,
   * or the shared frozen [in, r]; B is [C, r, out]. For split learning and diagnostics.
   */
  adapter(module: string): { A: tf.Tensor; B: tf.Variable } | undefined {
    const a = this.byModule.get(module);
    return a ? { A: a.A, B: a.B } : undefined;
  }

  /** The variables in flat-vector order with the per-client size of each. */
  private blocks(): { v: tf.Variable; size: number }[] {
    return this.trainable.map((v) => ({ v, size: v.size / this.numClients }));
  }

  private checkClient(c: number): void {
    if (!Number.isInteger(c) || c < 0 || c >= this.numClients) {
      throw new UserInputError(`client: ${c} must be an integer in [0, ${this.numClients - 1}]`, 'client');
    }
  }

  private checkFlat(flat: Float32Array): void {
    if (flat.length !== this.adapterSize) {
      throw new UserInputError(`adapters: length ${flat.length} must equal adapterSize = ${this.adapterSize}`, 'adapters');
    }
    for (let i = 0; i < flat.length; i++) {
      if (!Number.isFinite(flat[i]!)) throw new NumericalError(`adapters: non-finite value ${flat[i]} at index ${i}`);
    }
  }

  getAdapters(client: number): Float32Array {
    this.checkClient(client);
    const out = new Float32Array(this.adapterSize);
    let off = 0;
    for (const { v, size } of this.blocks()) {
      out.set((v.dataSync() as Float32Array).subarray(client * size, (client + 1) * size), off);
      off += size;
    }
    return out;
  }

  setAdapters(client: number, flat: Float32Array): void {
    this.checkClient(client);
    this.checkFlat(flat);
    let off = 0;
    for (const { v, size } of this.blocks()) {
      const full = Float32Array.from(v.dataSync() as Float32Array);
      full.set(flat.subarray(off, off + size), client * size);
      tf.tidy(() => v.assign(tf.tensor(full, v.shape)));
      off += size;
    }
  }

  setAllAdapters(flat: Float32Array): void {
    this.checkFlat(flat);
    let off = 0;
    for (const { v, size } of this.blocks()) {
      const full = tile(flat.subarray(off, off + size), this.numClients);
      tf.tidy(() => v.assign(tf.tensor(full, v.shape)));
      off += size;
    }
  }

  /** Logits for a batch (LM: [C·B·T, V]; classifier: [C·B, labels]); for tests and export. */
  logits(batch: ClientBatch): tf.Tensor2D {
    const [C, B, T] = this.checkBatch(batch);
    return tf.tidy(() => {
      const tokens = batch.tokens.reshape([C * B, T]) as tf.Tensor2D;
      const cfg = this.base.config;
      if (isCausalLm(cfg)) return causalLmLogits(cfg, this.base.weights, tokens, { linear: this.linear });
      const mask = batch.mask ? (batch.mask.toFloat().reshape([C * B, T]) as tf.Tensor2D) : undefined;
      const segments = batch.segments ? (batch.segments.reshape([C * B, T]).toInt() as tf.Tensor2D) : undefined;
      return bertLogits(cfg, this.base.weights, tokens, { mask, segments, linear: this.linear });
    });
  }

  merged(): PretrainedModel {
    const r = this.lora.r;
    const w: ModelWeights = {};
    for (const [name, t] of Object.entries(this.base.weights)) w[name] = tf.clone(t);
    for (const a of this.adapted) {
      const k = `${a.spec.module}.kernel`;
      const old = w[k]!;
      w[k] = tf.tidy(() => {
        const A0 = this.trainA ? tf.slice(a.A, [0, 0, 0], [1, a.spec.in, r]).reshape([a.spec.in, r]) : a.A;
        const B0 = tf.slice(a.B, [0, 0, 0], [1, r, a.spec.out]).reshape([r, a.spec.out]);
        return tf.add(weight(this.base.weights, k), tf.mul(tf.matMul(A0 as tf.Tensor2D, B0 as tf.Tensor2D), this.scale));
      });
      old.dispose();
    }
    return { config: this.base.config as ModelConfig, weights: w, metadata: { ...(this.base.metadata ?? {}), mergedLora: this.lora } };
  }

  dispose(): void {
    for (const a of this.adapted) {
      a.A.dispose();
      a.B.dispose();
    }
  }
}

function tile(x: Float32Array, times: number): Float32Array {
  const out = new Float32Array(x.length * times);
  for (let i = 0; i < times; i++) out.set(x, i * x.length);
  return out;
}

/** Adapters for `numClients` clients over the frozen `base`; A/B initial values drawn from `seed`. */
export function createLoraModel(base: PretrainedModel, lora: LoraConfig, numClients: number, seed: number): BatchedLoraModel & BatchedLora {
  return new BatchedLora(base, lora, numClients, seed);
}
