/**
 * Re-registers the wasm kernels that we fix or add, in one place. Idempotent.
 */
import * as tf from '@tensorflow/tfjs';
import { makeWasmBatchMatMul } from './batch_matmul.js';
import { makeWasmUnsortedSegmentSum } from './unsorted_segment_sum.js';
import { makeCpuBatchMatMul } from './cpu_batch_matmul.js';
import { makeWasmIdentity, makeWasmTanh } from './elementwise.js';
import { makeWasmGather } from './gather.js';
import { makeWasmFusedMatMul } from './fused_matmul.js';

/** The wasm backend's own kernels that we replaced, for tests and benchmarks. */
export const originalWasmKernels = new Map<string, tf.KernelConfig>();

export function registerWasmKernelFixes(): void {
  if (originalWasmKernels.size > 0) return;
  const mm = tf.getKernel('BatchMatMul', 'wasm');
  const tr = tf.getKernel('Transpose', 'wasm');
  if (!mm || !tr) throw new Error('airlora tf: tfjs-backend-wasm kernels BatchMatMul/Transpose not registered');
  const id = tf.getKernel('Identity', 'wasm');
  const tanh = tf.getKernel('Tanh', 'wasm');
  const sigmoid = tf.getKernel('Sigmoid', 'wasm');
  const mul = tf.getKernel('Multiply', 'wasm');
  const sub = tf.getKernel('Sub', 'wasm');
  const gather = tf.getKernel('GatherV2', 'wasm');
  if (!id || !tanh || !sigmoid || !mul || !sub || !gather) {
    throw new Error('airlora tf: tfjs-backend-wasm kernels Identity/Tanh/Sigmoid/Multiply/Sub/GatherV2 not registered');
  }
  const replace = (orig: tf.KernelConfig, mine: tf.KernelConfig) => {
    tf.unregisterKernel(orig.kernelName, 'wasm');
    // Keep the original's setupFunc: it runs at backend init and binds the wasm export that the
    // original kernel (still used as a fallback, and by withOriginalWasmKernels) calls.
    tf.registerKernel({ ...mine, setupFunc: orig.setupFunc });
    originalWasmKernels.set(orig.kernelName, orig);
  };
  const ourMatMul = makeWasmBatchMatMul(mm, tr).config;
  replace(mm, ourMatMul);
  const fused = tf.getKernel('_FusedMatMul', 'wasm');
  if (fused) {
    const names = ['Add', 'Relu', 'Relu6', 'Elu', 'Sigmoid', 'LeakyRelu', 'Prelu'];
    replace(fused, makeWasmFusedMatMul(fused, ourMatMul, Object.fromEntries(names.map((n) => [n, tf.getKernel(n, 'wasm')]))));
  }
  replace(id, makeWasmIdentity(id));
  replace(tanh, makeWasmTanh(tanh, sigmoid, mul, sub));
  replace(gather, makeWasmGather(gather));
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) tf.registerKernel(makeWasmUnsortedSegmentSum());
}

/** The cpu backend's own BatchMatMul, replaced by the mixed-broadcast fix. */
export const originalCpuKernels = new Map<string, tf.KernelConfig>();

export function registerCpuKernelFixes(): void {
  if (originalCpuKernels.size > 0) return;
  const mm = tf.getKernel('BatchMatMul', 'cpu');
  const tile = tf.getKernel('Tile', 'cpu');
  const reshape = tf.getKernel('Reshape', 'cpu');
  if (!mm || !tile || !reshape) throw new Error('airlora tf: tfjs cpu kernels BatchMatMul/Tile/Reshape not registered');
  tf.unregisterKernel('BatchMatMul', 'cpu');
  tf.registerKernel(makeCpuBatchMatMul(mm, tile, reshape));
  originalCpuKernels.set('BatchMatMul', mm);
}

/**
 * Run `fn` with the wasm backend's original kernels in place of our fixes, then restore ours.
 * For benchmarks and tests that measure the difference; not for production code.
 */
export async function withOriginalWasmKernels<T>(fn: () => Promise<T> | T): Promise<T> {
  const ours = new Map<string, tf.KernelConfig>();
  for (const [name, orig] of originalWasmKernels) {
    ours.set(name, tf.getKernel(name, 'wasm')!);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(orig);
  }
  try {
    return await fn();
  } finally {
    for (const [name, k] of ours) {
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(k);
    }
  }
}
