/**
 * Split federated LoRA benchmarks (group `split`):
 *  - split.solver.k100_ms: one round of the Lyapunov per-round solver (size sweep + bandwidth), K = 100.
 *  - split.round_ms / split.unsplit_round_ms: wall time of one round of split training against one
 *    round of unsplit federated LoRA on the same model and the same scheduled batches.
 */
import { timeIt, type BenchResult, type BenchSuite } from './harness.js';
import { RandomStreams } from '../src/random/streams.js';
import { defaultRadio } from '../src/split/radio.js';
import { SplitChannel } from '../src/split/delay-sim.js';
import { LyapunovScheduler } from '../src/split/schedulers/lyapunov.js';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/tf/index.js';
import { preset, initModel, disposeWeights, type BertConfig } from '../src/models/index.js';
import { SplitLoraModel, splitLora } from '../src/split/model.js';
import { splitStep, unsplitStep } from '../src/split/trainer.js';
import type { IntBatch } from '../src/data/federated.js';

/**
 * One round with 10 scheduled devices × 8 examples × 32 tokens on the model of
 * scenarios/split-fedft.yaml (bert-small, 2 layers, hidden 64). The split round runs the encoder
 * forward twice (once for the downlink, once inside the server's vector–Jacobian product).
 */
async function roundBench(log: (m: string) => void): Promise<BenchResult[]> {
  const backend = await initBackend({ quiet: true });
  const config = preset('bert-small', { layers: 2, hidden: 64, heads: 4, intermediate: 256, vocabSize: 512, maxPositions: 32, numLabels: 2 }) as BertConfig;
  const base = initModel(config, 1);
  const m = new SplitLoraModel(base, { lora: splitLora(8, 16), seed: 1 });
  const rng = new RandomStreams(2).stream('bench-batch');
  const S = 80;
  const T = 32;
  const batch: IntBatch = {
    size: S, seqLen: T,
    tokens: Int32Array.from({ length: S * T }, (_, i) => (i % T === 0 ? 4 : 6 + rng.int(500))),
    mask: new Float32Array(S * T).fill(1),
    labels: Int32Array.from({ length: S }, () => rng.int(2)),
  };
  const opt = tf.train.adam(1e-3);
  const split = await timeIt(() => splitStep(m, batch, opt), { warmup: 2, minRuns: 5, minTimeMs: 3000 });
  const unsplit = await timeIt(() => unsplitStep(m, batch, opt), { warmup: 2, minRuns: 5, minTimeMs: 3000 });
  log(`split round ${split.medianMs.toFixed(1)} ms, unsplit ${unsplit.medianMs.toFixed(1)} ms (${backend})`);
  opt.dispose();
  m.dispose();
  disposeWeights(base.weights);
  const note = `10 devices x 8 x 32 tokens, bert-small L2 d64, ${backend}`;
  return [
    { name: 'split.round_ms', value: split.medianMs, unit: 'ms', note },
    { name: 'split.unsplit_round_ms', value: unsplit.medianMs, unit: 'ms', note },
  ];
}

async function solverBench(log: (m: string) => void): Promise<BenchResult> {
  const K = 100;
  const channel = new SplitChannel(new RandomStreams(1), 0, { ...defaultRadio, devices: K, bandwidthHz: 20e6 });
  const states = Array.from({ length: 16 }, (_, t) => ({
    round: t, horizon: 100, snrDensity: channel.snrDensity(t), payloadBits: new Float64Array(K).fill(4e6),
    bandwidthHz: 20e6, queue: 10 ** (-2 + (3 * t) / 15), budgetS: 1, // Q from 0.01 to 10 s
  }));
  const sched = new LyapunovScheduler({ V: 1, decay: 0.99 });
  let i = 0;
  const t = await timeIt(() => sched.decide(states[i++ % states.length]!), { warmup: 3, minRuns: 20, minTimeMs: 1000 });
  log(`solver K=100: median ${t.medianMs.toFixed(2)} ms over ${t.runs} runs`);
  return { name: 'split.solver.k100_ms', value: t.medianMs, unit: 'ms', note: `K=100, equal payloads, Q in [0.01, 10] s, ${t.runs} runs` };
}

const suite: BenchSuite = {
  group: 'split',
  names: ['split.solver.k100_ms', 'split.round_ms', 'split.unsplit_round_ms'],
  async run(log) {
    return [await solverBench(log), ...(await roundBench(log))];
  },
};
export default suite;
