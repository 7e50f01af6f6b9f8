/**
 * A small deterministic LoRA training run whose bytes the backend tests compare across processes,
 * thread counts and simulated installs: one GPT layer (d = 128, V = 256), batch 4 × 64 tokens,
 * three Adam steps of r = 8 adapters on query and value. Its products (256 × 128 × 128 and up) are
 * above OpenBLAS's threshold for using more than one thread.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { disposeWeights, initModel, preset } from '../../src/models/index.js';
import { createLoraModel, loraTrainStep } from '../../src/lora/index.js';
import { RandomStreams } from '../../src/random/streams.js';

export async function trainingDigest(): Promise<string> {
  const B = 4, T = 64, V = 256;
  const base = initModel(preset('gpt-small', { layers: 1, vocabSize: V }), 7);
  const model = createLoraModel(base, { r: 8, lora_alpha: 16, target_modules: ['query', 'value'], lora_dropout: 0 }, 1, 7);
  const rng = new RandomStreams(7).stream('digest-data');
  const all = tf.tensor(Int32Array.from({ length: B * (T + 1) }, () => rng.int(V)), [1, B, T + 1], 'int32');
  const batch = { tokens: tf.slice(all, [0, 0, 0], [1, B, T]), targets: tf.slice(all, [0, 0, 1], [1, B, T]) };
  const opt = tf.train.adam(1e-2);
  const h = createHash('sha256');
  for (let s = 0; s < 3; s++) h.update(Float64Array.of(loraTrainStep(model, batch, opt)));
  const a = model.getAdapters(0);
  h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  model.dispose();
  opt.dispose();
  disposeWeights(base.weights);
  tf.dispose([all, batch.tokens, batch.targets]);
  return h.digest('hex');
}
