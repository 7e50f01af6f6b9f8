/**
 * How many example rows the server runs through the encoder in one pass. tfjs keeps every activation
 * of a pass until its backward pass ends, all in the wasm heap (4 GiB of 32-bit addresses, weights
 * included), so a round of many devices on a BERT-base-size encoder cannot run as one stacked pass:
 * the server then processes the scheduled rows in passes of at most `serverPassRows` rows and sums
 * the gradients (the same data-weighted gradient; docs/split.md). The small presets always fit in one
 * pass, so their results are unchanged by this.
 *
 * Activation bytes of one row in training: T tokens × the measured wasm-heap bytes per token
 * (src/models/memory.ts: ~30 bytes per unit of L·(8H + 2I + heads·T)). The same rule sizes the
 * activations in the memory estimate (src/scenario/memory.ts).
 */
import { trainingBytesPerToken, type ActivationShape } from '../models/memory.js';

export type EncoderShape = ActivationShape;

/** Activation bytes one pass may hold (the rest of the heap: weights, optimiser state, fragmentation). */
export const SERVER_PASS_BYTES = 1.5 * 2 ** 30;

/** Training activation bytes of one example row of T tokens. */
export function activationBytesPerRow(c: EncoderShape, T: number): number {
  return T * trainingBytesPerToken(c, T);
}

/** Rows per server pass (≥ 1). */
export function serverPassRows(c: EncoderShape, T: number): number {
  return Math.max(1, Math.floor(SERVER_PASS_BYTES / activationBytesPerRow(c, T)));
}

/** Rows per forward-only evaluation chunk: no gradients are kept, so three times a training pass, at most 256. */
export function evalChunkRows(c: EncoderShape, T: number): number {
  return Math.min(256, 3 * serverPassRows(c, T));
}
