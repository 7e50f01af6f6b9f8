/**
 * The frozen base encoder of classifier runs (split and federated). No pre-trained BERT ships with airlora, so the base weights
 * are random; with BERT's initialisation (std 0.02) a random frozen encoder passes almost nothing of
 * the other tokens to [CLS] (attention outputs are ~0.02·√d smaller than the residual before each
 * LayerNorm), and LoRA training stalls for tens of rounds at the class prior. `'lecun'` rescales
 * every encoder kernel to std 1/√fan_in, a variance-preserving random-feature encoder whose [CLS]
 * output mixes the whole sequence. Embeddings, pooler and head keep BERT's initialisation.
 */
import * as tf from '@tensorflow/tfjs';
import type { PretrainedModel } from './weights.js';

export type BaseInit = 'bert' | 'lecun';

/** Rescale in place (replaces the tensors of `base.weights`; the old ones are disposed). */
export function applyBaseInit(base: PretrainedModel, init: BaseInit, bertStd = 0.02): void {
  if (init === 'bert') return;
  for (const [name, t] of Object.entries(base.weights)) {
    if (name.startsWith('encoder.') && name.endsWith('.kernel')) {
      base.weights[name] = tf.tidy(() => tf.mul(t, 1 / (bertStd * Math.sqrt(t.shape[0]!))));
      t.dispose();
    }
  }
}
