/**
 * `UnsortedSegmentSum` for the wasm backend, which lacks it in tfjs 4.22. tfjs-core's gradient of
 * `gather` w.r.t. the gathered table calls it, so without it an embedding table cannot be trained
 * on wasm. Rows of `x` are summed into `out[segmentIds[i]]`; ids outside [0, numSegments) are
 * dropped (TensorFlow semantics). A plain loop on the heap: the op is memory-bound.
 */
import type * as tf from '@tensorflow/tfjs';
import { asWasmBackend } from '../wasm_internals.js';

export function makeWasmUnsortedSegmentSum(): tf.KernelConfig {
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo => {
    const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const numSegments = Number((args.attrs as { numSegments: number }).numSegments);
    if (x.dtype !== 'float32' && x.dtype !== 'int32') {
      throw new Error(`UnsortedSegmentSum (wasm): dtype ${x.dtype} not supported (float32, int32)`);
    }
    if (segmentIds.dtype !== 'int32') throw new Error('UnsortedSegmentSum (wasm): segmentIds must be int32');
    const idRank = segmentIds.shape.length;
    for (let j = 0; j < idRank; j++) {
      if (x.shape[j] !== segmentIds.shape[j]) {
        throw new Error(`UnsortedSegmentSum (wasm): segmentIds shape ${segmentIds.shape} must prefix x shape ${x.shape}`);
      }
    }
    const rowShape = x.shape.slice(idRank);
    let row = 1;
    for (const s of rowShape) row *= s;
    const backend = asWasmBackend(args.backend);
    const out = backend.makeOutput([numSegments, ...rowShape], x.dtype);
    // Views after makeOutput: the allocation may have grown (and replaced) the heap buffer.
    const o = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
    const xs = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
    const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
    o.fill(0);
    for (let i = 0; i < ids.length; i++) {
      const s = ids[i]!;
      if (s < 0 || s >= numSegments) continue;
      const src = i * row;
      const dst = s * row;
      for (let j = 0; j < row; j++) o[dst + j] += xs[src + j]!;
    }
    return out;
  };
  return { kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
