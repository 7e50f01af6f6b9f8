/**
 * Tokens per second of one LoRA fine-tuning step (forward + backward + Adam) of the GPT configuration
 * of issue 3: V = 256, d = 128, 4 heads, T = 64, batch 16 (1,024 tokens per step), r = 8 on query and
 * value, one client, on the default backend (initBackend 'auto').
 */
import * as tf from '@tensorflow/tfjs';
import { timeIt, type BenchResult, type BenchSuite } from './harness.js';
import { backendInfo, initBackend } from '../src/tf/index.js';
import { initModel, preset, disposeWeights } from '../src/models/index.js';
import { createLoraModel, loraTrainStep } from '../src/lora/index.js';
import { RandomStreams } from '../src/random/streams.js';

const B = 16, T = 64, V = 256;

async function tokensPerSecond(layers: number, log: (m: string) => void): Promise<BenchResult> {
  const base = initModel(preset('gpt-small', { layers, vocabSize: V }), 1);
  const model = createLoraModel(base, { r: 8, lora_alpha: 16, target_modules: ['query', 'value'], lora_dropout: 0 }, 1, 1);
  const rng = new RandomStreams(1).stream('bench-data');
  const ids = Int32Array.from({ length: B * (T + 1) }, () => rng.int(V));
  const all = tf.tensor(ids, [1, B, T + 1], 'int32');
  const batch = { tokens: tf.slice(all, [0, 0, 0], [1, B, T]), targets: tf.slice(all, [0, 0, 1], [1, B, T]) };
  const opt = tf.train.adam(1e-3);
  const t = await timeIt(() => loraTrainStep(model, batch, opt), { warmup: 2, minRuns: 5, minTimeMs: 3000, maxRuns: 50 });
  const tps = (B * T) / (t.medianMs / 1000);
  log(`L=${layers}: ${t.medianMs.toFixed(1)} ms/step (median of ${t.runs}), ${tps.toFixed(0)} tokens/s`);
  model.dispose();
  opt.dispose();
  disposeWeights(base.weights);
  tf.dispose([all, batch.tokens, batch.targets]);
  return { name: `train.lm.l${layers}.tokens_per_s`, value: tps, unit: 'tokens/s', note: `${tf.getBackend()}/${backendInfo().matmul_engine}, ${t.medianMs.toFixed(1)} ms/step, B=${B} T=${T} d=128 r=8 q,v` };
}

const suite: BenchSuite = {
  group: 'train',
  names: ['train.lm.l2.tokens_per_s', 'train.lm.l4.tokens_per_s'],
  async run(log) {
    await initBackend({ quiet: true });
    return [await tokensPerSecond(2, log), await tokensPerSecond(4, log)];
  },
};
export default suite;
