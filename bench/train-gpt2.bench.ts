/**
 * Tokens per second of one LoRA fine-tuning step (forward, backward, Adam) of a GPT-2-small-shaped
 * model on the default backend (initBackend 'auto'): vocabulary 50,257, width 768, 12 layers, 12 heads,
 * MLP 3,072, batch 4 × 128 tokens, r = 8 (α = 16) on the attention's query and value, one client.
 * The project's own GPT (src/models) with a config override and random weights.
 *
 * Also reported: the step's matrix-product rate (its FLOPs, counted below, over the median step time),
 * and with the native engine the same step at the other OpenBLAS thread count (1 vs 2) and OpenBLAS's
 * own GEMM rate at the step's MLP shape [512,768]·[768,3072], called directly, for comparison.
 * PyTorch side by side: bench/reference/gpt2_lora_step.py (same model, same FLOPs).
 */
import * as tf from '@tensorflow/tfjs';
import { timeIt, type BenchResult, type BenchSuite } from './harness.js';
import { backendInfo, blasThreads, initBackend, loadNativeBlas, setBlasThreads } from '../src/tf/index.js';
import { disposeWeights, preset, type GptConfig, type PretrainedModel } from '../src/models/index.js';
import { parameterSpecs, numel } from '../src/models/params.js';
import { createLoraModel, loraTrainStep } from '../src/lora/index.js';
import { RandomStreams } from '../src/random/streams.js';

const B = 4, T = 128, R = 8;
const CONFIG = preset('gpt-small', { vocabSize: 50257, maxPositions: 1024, hidden: 768, layers: 12, heads: 12, intermediate: 3072 }) as GptConfig;

/**
 * Matrix-product FLOPs of one step: the forward pass, then backward the activation gradients of every
 * product (frozen weights get none: tfjs prunes them) and the LoRA factors' gradients. Attention's two
 * batched products have two gradient products each; the first layer's input needs no gradient (the
 * embeddings are frozen), which saves its query/key/value input products. Agrees with the BatchMatMul
 * FLOPs that tf.profile lists for the step (259.2 GFLOP) to 0.1%.
 */
export function gptLoraStepFlops(c: GptConfig, batch: number, seq: number, r: number): number {
  const n = batch * seq, d = c.hidden, L = c.layers;
  const linear = L * (4 * 2 * n * d * d + 2 * 2 * n * d * c.intermediate);
  const attention = L * 2 * 2 * n * seq * d;
  const head = 2 * n * d * c.vocabSize;
  const lora = L * 2 * (2 * n * d * r + 2 * n * r * d); // query and value: x·A, (x·A)·B
  const firstLayerInput = 3 * 2 * n * d * d;
  return 2 * linear + 3 * attention + 2 * head + 3 * lora - firstLayerInput;
}

/** Random weights of the right scale, drawn fast (xorshift, uniform with the spec's std): speed does not depend on them. */
function randomModel(c: GptConfig): PretrainedModel {
  let s = 0x2545f491;
  const weights: Record<string, tf.Tensor> = {};
  for (const spec of parameterSpecs(c)) {
    const v = new Float32Array(numel(spec.shape));
    if (spec.init.type === 'ones') v.fill(1);
    else if (spec.init.type === 'normal') {
      const scale = (spec.init.std * Math.sqrt(3)) / 2 ** 31;
      for (let i = 0; i < v.length; i++) {
        s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
        v[i] = (s | 0) * scale;
      }
    }
    weights[spec.name] = tf.tensor(v, spec.shape, 'float32');
  }
  return { config: c, weights };
}

/** OpenBLAS sgemm called directly (no wasm): [m,k]·[k,n]; GFLOP/s of the median wall time of 5, and per CPU-second. */
function gemmGflops(m: number, k: number, n: number): { wall: number; perCpuS: number } {
  const blas = loadNativeBlas()!;
  const heap = new Float32Array(m * k + k * n + m * n);
  for (let i = 0; i < m * k + k * n; i++) heap[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  blas.sgemmBatch(heap, 0, m * k, m * k + k * n, 1, m, n, k, 0, 0, 0, 0, 0);
  const times: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    blas.sgemmBatch(heap, 0, m * k, m * k + k * n, 1, m, n, k, 0, 0, 0, 0, 0);
    times.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  times.sort((a, b) => a - b);
  const flop = 2 * m * k * n;
  return { wall: flop / (times[2]! * 1e6), perCpuS: (5 * flop) / ((c.user + c.system) * 1e3) };
}

const suite: BenchSuite = {
  group: 'train-gpt2',
  names: [
    'train.lm.gpt2_small.tokens_per_s', 'train.lm.gpt2_small.gflops', 'train.lm.gpt2_small.tokens_per_cpu_s',
    'train.lm.gpt2_small.blas1.tokens_per_s', 'train.lm.gpt2_small.blas2.tokens_per_s',
    'train.lm.gpt2_small.openblas_gemm_1t_gflops', 'train.lm.gpt2_small.openblas_gemm_2t_gflops',
  ],
  async run(log) {
    await initBackend({ quiet: true });
    const info = backendInfo();
    const flops = gptLoraStepFlops(CONFIG, B, T, R);
    const base = randomModel(CONFIG);
    const model = createLoraModel(base, { r: R, lora_alpha: 16, target_modules: ['query', 'value'], lora_dropout: 0 }, 1, 1);
    const rng = new RandomStreams(1).stream('bench-data');
    const all = tf.tensor(Int32Array.from({ length: B * (T + 1) }, () => rng.int(CONFIG.vocabSize)), [1, B, T + 1], 'int32');
    const batch = { tokens: tf.slice(all, [0, 0, 0], [1, B, T]), targets: tf.slice(all, [0, 0, 1], [1, B, T]) };
    const opt = tf.train.adam(1e-4);
    const measure = async (what: string) => {
      loraTrainStep(model, batch, opt); // warm-up: the first step grows the heap and creates Adam's slots
      const c0 = process.cpuUsage();
      const t = await timeIt(() => loraTrainStep(model, batch, opt), { warmup: 0, minRuns: 3, minTimeMs: 0, maxRuns: 3 });
      const c = process.cpuUsage(c0);
      // CPU time of the process (all threads): on a loaded machine the honest figure for one thread.
      const cpuMs = (c.user + c.system) / 1000 / t.runs;
      log(`${what}: ${t.medianMs.toFixed(0)} ms/step (median of ${t.runs}, min ${t.minMs.toFixed(0)}), CPU ${cpuMs.toFixed(0)} ms/step, ` +
        `${((B * T) / (t.medianMs / 1000)).toFixed(1)} tokens/s, ${(flops / (t.medianMs * 1e6)).toFixed(1)} GFLOP/s`);
      return { ...t, cpuMs };
    };
    const out: BenchResult[] = [];
    try {
      const t = await measure(`default (${info.backend}/${info.matmul_engine}, ${info.threads} thread(s))`);
      const tps = (B * T) / (t.medianMs / 1000);
      const cfg = `B=${B} T=${T} V=50257 d=768 L=12 r=8 q,v; ${info.backend}/${info.matmul_engine}, ${info.threads} BLAS thread(s)`;
      out.push({ name: 'train.lm.gpt2_small.tokens_per_s', value: tps, unit: 'tokens/s', note: `${t.medianMs.toFixed(0)} ms/step, ${cfg}` });
      out.push({ name: 'train.lm.gpt2_small.gflops', value: flops / (t.medianMs * 1e6), unit: 'GFLOP/s', note: `${(flops / 1e9).toFixed(1)} GFLOP of matrix products per step` });
      // Per CPU-second of the whole process: the load-independent figure when the machine is shared.
      out.push({ name: 'train.lm.gpt2_small.tokens_per_cpu_s', value: (B * T) / (t.cpuMs / 1000), unit: 'tokens/CPU-s', note: `${t.cpuMs.toFixed(0)} ms CPU/step (all threads)` });
      if (info.matmul_engine === 'openblas') {
        const threads = blasThreads();
        for (const n of [1, 2]) {
          let value = tps;
          if (n !== threads) {
            setBlasThreads(n);
            try { value = (B * T) / ((await measure(`OpenBLAS ${n} thread(s)`)).medianMs / 1000); } finally { setBlasThreads(threads); }
          }
          out.push({ name: `train.lm.gpt2_small.blas${n}.tokens_per_s`, value, unit: 'tokens/s', note: `OpenBLAS ${n} thread(s)` });
        }
        for (const n of [1, 2]) {
          setBlasThreads(n);
          try {
            const g = gemmGflops(B * T, 768, 3072);
            out.push({ name: `train.lm.gpt2_small.openblas_gemm_${n}t_gflops`, value: g.wall, unit: 'GFLOP/s', note: `sgemm [512,768]·[768,3072], ${n} thread(s), direct; ${g.perCpuS.toFixed(0)} GFLOP per CPU-second` });
          } finally { setBlasThreads(threads); }
        }
      }
    } finally {
      model.dispose();
      opt.dispose();
      disposeWeights(base.weights);
      tf.dispose([all, batch.tokens, batch.targets]);
    }
    return out;
  },
};
export default suite;
