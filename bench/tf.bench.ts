/**
 * Matrix-product throughput on the wasm backend: with our BatchMatMul kernel as initBackend sets
 * it up (native OpenBLAS when the addon is built, else XNNPACK), with the XNNPACK route alone
 * ("_xnnpack", only when the addon is built) and with the kernel that tfjs-backend-wasm 4.22
 * ships ("_before"). GFLOP/s = 2·M·K·N·batch / median time.
 */
import * as tf from '@tensorflow/tfjs';
import { timeIt, type BenchResult, type BenchSuite } from './harness.js';
import { initBackend, loadNativeBlas, matMulEngine, setNativeMatMul, withOriginalWasmKernels } from '../src/tf/index.js';

interface Case {
  name: string;
  a: number[];
  b: number[];
  tA: boolean;
  tB: boolean;
  note: string;
}

const CASES: Case[] = [
  { name: 'tf.matmul.plain_gflops', a: [512, 512], b: [512, 512], tA: false, tB: false, note: '[512,512]x[512,512]' },
  { name: 'tf.matmul.transposed_gflops', a: [1024, 512], b: [128, 512], tA: false, tB: true, note: '[1024,512]x[128,512]^T' },
  { name: 'tf.matmul.batched_gflops', a: [64, 64, 32], b: [64, 32, 64], tA: false, tB: false, note: '[64,64,32]x[64,32,64]' },
  { name: 'tf.matmul.dense3d_gflops', a: [16, 64, 128], b: [128, 128], tA: false, tB: false, note: 'x[16,64,128]@W[128,128] (dense on 3-D input)' },
  { name: 'tf.matmul.attention_grad_gflops', a: [64, 64, 32], b: [64, 64, 64], tA: true, tB: false, note: '[64,64,32]^T x [64,64,64] (attention backprop)' },
];

function flops(c: Case): number {
  const m = c.tA ? c.a.at(-1)! : c.a.at(-2)!;
  const k = c.tA ? c.a.at(-2)! : c.a.at(-1)!;
  const n = c.tB ? c.b.at(-2)! : c.b.at(-1)!;
  const batch = Math.max(c.a.slice(0, -2).reduce((x, y) => x * y, 1), c.b.slice(0, -2).reduce((x, y) => x * y, 1));
  return 2 * m * k * n * batch;
}

async function gflops(c: Case): Promise<number> {
  const a = tf.randomNormal(c.a);
  const b = tf.randomNormal(c.b);
  const t = await timeIt(() => tf.matMul(a, b, c.tA, c.tB).dispose(), { warmup: 2, minRuns: 5, minTimeMs: 400 });
  tf.dispose([a, b]);
  return flops(c) / (t.medianMs * 1e6);
}

const suite: BenchSuite = {
  group: 'tf',
  names: CASES.flatMap((c) => ['', '_xnnpack', '_before'].map((v) => c.name.replace('_gflops', `${v}_gflops`))),
  async run(log) {
    const backend = await initBackend({ backend: 'wasm', quiet: true });
    const engine = matMulEngine();
    log(`backend ${backend}, matmul engine ${engine}`);
    const out: BenchResult[] = [];
    for (const c of CASES) {
      const after = await gflops(c);
      let xnn: number | undefined;
      if (engine === 'openblas') {
        setNativeMatMul(null);
        try { xnn = await gflops(c); } finally { setNativeMatMul(loadNativeBlas()); }
      }
      const before = await withOriginalWasmKernels(() => gflops(c));
      const xnote = xnn === undefined ? '' : `, XNNPACK route ${xnn.toFixed(2)}`;
      out.push({ name: c.name, value: after, unit: 'GFLOP/s', note: `${c.note}, ${engine}${xnote}; tfjs kernel ${before.toFixed(2)}` });
      if (xnn !== undefined) {
        out.push({ name: c.name.replace('_gflops', '_xnnpack_gflops'), value: xnn, unit: 'GFLOP/s', note: `${c.note}, our kernel without the addon` });
      }
      out.push({ name: c.name.replace('_gflops', '_before_gflops'), value: before, unit: 'GFLOP/s', note: `${c.note}, tfjs-backend-wasm 4.22 kernel` });
    }
    return out;
  },
};
export default suite;
