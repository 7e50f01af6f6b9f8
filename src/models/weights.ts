/**
 * Model weights: a name → tensor map in the order of `parameterSpecs`, plus the config.
 *
 * Initialisation draws from `RandomStreams(seed).stream('model-init', name)` into Float32Arrays, so the
 * same seed gives the same bytes on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { RandomStreams } from '../random/streams.js';
import { UserInputError } from '../errors.js';
import type { ModelConfig } from './config.js';
import { numel, parameterSpecs, type ParamSpec } from './params.js';

export type ModelWeights = Record<string, tf.Tensor>;

/** A model ready to fine-tune: its configuration and (frozen) weights, optionally with metadata. */
export interface PretrainedModel {
  config: ModelConfig;
  weights: ModelWeights;
  /** Free-form facts stored with a checkpoint (training command, perplexities, ...). */
  metadata?: Record<string, unknown>;
  /** The tokenizer's JSON (as saved with the checkpoint), if any. */
  tokenizer?: unknown;
}

/** Host-side values of one parameter, drawn from its init rule. */
export function initValues(spec: ParamSpec, seed: number): Float32Array {
  const n = numel(spec.shape);
  const v = new Float32Array(n);
  if (spec.init.type === 'ones') v.fill(1);
  else if (spec.init.type === 'normal') {
    const rng = new RandomStreams(seed).stream('model-init', spec.name);
    const sd = spec.init.std;
    for (let i = 0; i < n; i++) v[i] = sd * rng.normal();
  }
  return v;
}

/** Fresh randomly initialised weights (tensors, or trainable variables for pre-training). */
export function initWeights(config: ModelConfig, seed: number, opts: { trainable?: boolean } = {}): ModelWeights {
  const w: ModelWeights = {};
  for (const spec of parameterSpecs(config)) {
    const t = tf.tensor(initValues(spec, seed), spec.shape, 'float32');
    if (opts.trainable) {
      w[spec.name] = tf.variable(t, true); // auto-named: tfjs variable names are global
      t.dispose();
    } else {
      w[spec.name] = t;
    }
  }
  return w;
}

export function initModel(config: ModelConfig, seed: number): PretrainedModel {
  return { config, weights: initWeights(config, seed) };
}

/** The weight named `name`, or a clear error (a checkpoint that does not match its config). */
export function weight(w: ModelWeights, name: string): tf.Tensor {
  const t = w[name];
  if (!t) throw new UserInputError(`model weights: missing parameter '${name}'`, 'model.weights');
  return t;
}

export function disposeWeights(w: ModelWeights): void {
  for (const t of Object.values(w)) t.dispose();
}
