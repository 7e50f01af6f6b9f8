/**
 * Matrix products (every transpose/batch/broadcast route of our BatchMatMul kernel) and their
 * gradients on fixed random inputs, on the wasm backend: a SHA-256 of all output bytes and the
 * lowest wasm-heap byte offset that any operand, output or gradient occupied.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from '../../src/tf/wasm_internals.js';
import { RandomStreams } from '../../src/random/streams.js';

type Case = [number[], number[], boolean, boolean];
const CASES: Case[] = [
  [[64, 96], [96, 80], false, false],
  [[96, 64], [80, 96], true, true],
  [[3, 40, 50], [3, 50, 30], false, false], // batched
  [[3, 50, 40], [3, 30, 50], true, true],
  [[4, 33, 64], [64, 48], false, false], // a weight: batch folded into rows
  [[2, 1, 20, 30], [1, 3, 30, 10], false, false], // mixed broadcast: one call per slice
];

export function productsDigest(): { digest: string; minOffset: number; outputs: number } {
  const streams = new RandomStreams(2031);
  const backend = asWasmBackend(tf.backend());
  const off = (t: tf.Tensor) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const h = createHash('sha256');
  let minOffset = Infinity;
  let outputs = 0;
  CASES.forEach(([sa, sb, ta, tb], i) => {
    const [a, b] = [sa, sb].map((s, j) => {
      const r = streams.stream('heap', i, j);
      return tf.tensor(Float32Array.from({ length: s.reduce((x, y) => x * y, 1) }, () => r.normal()), s);
    }) as [tf.Tensor, tf.Tensor];
    const y = tf.matMul(a, b, ta, tb);
    const [da, db] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.matMul(x, z, ta, tb).square().sum())([a, b]);
    for (const t of [a, b, y, da!, db!]) {
      minOffset = Math.min(minOffset, off(t));
      const v = t.dataSync() as Float32Array;
      if (!v.every(Number.isFinite)) throw new Error(`case ${i}: non-finite output`);
      h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      outputs++;
    }
    tf.dispose([a, b, y, da!, db!]);
  });
  return { digest: h.digest('hex'), minOffset, outputs };
}
