/** Stack per-client integer batches into one [C, B, T] ClientBatch of tensors (caller disposes). */
import * as tf from '@tensorflow/tfjs';
import type { IntBatch } from '../data/federated.js';
import type { ClientBatch } from '../lora/batched.js';

export function stackBatches(batches: readonly IntBatch[]): ClientBatch {
  const C = batches.length, B = batches[0]!.size, T = batches[0]!.seqLen;
  const tokens = new Int32Array(C * B * T);
  batches.forEach((b, c) => tokens.set(b.tokens, c * B * T));
  const out: ClientBatch = { tokens: tf.tensor3d(tokens, [C, B, T], 'int32') };
  if (batches[0]!.targets) {
    const t = new Int32Array(C * B * T);
    batches.forEach((b, c) => t.set(b.targets!, c * B * T));
    out.targets = tf.tensor3d(t, [C, B, T], 'int32');
  }
  if (batches[0]!.labels) {
    const l = new Int32Array(C * B);
    batches.forEach((b, c) => l.set(b.labels!, c * B));
    out.labels = tf.tensor2d(l, [C, B], 'int32');
  }
  if (batches[0]!.segments) {
    const sg = new Int32Array(C * B * T);
    batches.forEach((b, c) => sg.set(b.segments!, c * B * T));
    out.segments = tf.tensor3d(sg, [C, B, T], 'int32');
  }
  if (batches[0]!.mask) {
    const m = new Float32Array(C * B * T);
    batches.forEach((b, c) => m.set(b.mask!, c * B * T));
    out.mask = tf.tensor3d(m, [C, B, T], 'float32');
  }
  return out;
}

export function disposeBatch(b: ClientBatch): void {
  b.tokens.dispose(); b.targets?.dispose(); b.labels?.dispose(); b.mask?.dispose(); b.segments?.dispose();
}
