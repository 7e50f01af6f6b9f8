/**
 * Bytes a training step keeps in tfjs's wasm heap per token, measured (not derived): every
 * intermediate of the forward pass stays alive until the backward pass ends, and tfjs decomposes
 * GELU, LayerNorm, softmax and cross-entropy into many element-wise tensors.
 *
 * Calibration (wasm backend with the native matrix-product engine, one LoRA step with Adam, heap
 * high-water mark `HEAPU8.buffer.byteLength` in a fresh process; GPT-2-small shape d 768, 12 layers,
 * 12 heads, I 3072, T 128, LoRA r 8 on q, v):
 *   V 50,257, 4 × 128 tokens → 3.40 GiB; 2 × 128 tokens → 2.00 GiB; V 1,024, 4 × 128 tokens → 2.72 GiB
 * (weights 0.52 / 0.35 GiB). So ≈ 5.8 MiB per token at V 50,257, of which 4.75 MiB in the 12 layers:
 * ~30 bytes per unit of L·(8d + 2I + heads·T), and ~22 bytes per vocabulary entry (the logits, their
 * softmax and cross-entropy and its gradient). BERT-base (erf GELU, post-norm) holds more per unit:
 * a classifier LoRA step (q, k, v, pooler) at 8 × 64 tokens → 2.93 GiB (weights 0.45; 12 × 64 and
 * 16 × 64 overflow the heap), a split server pass of 2 × 128 → 1.87 GiB: ~35 bytes per unit.
 * The docs (docs/models.md) carry the table.
 */
export interface ActivationShape {
  /** the architecture (`bert` holds more per unit than the decoders) */
  arch?: string;
  hidden: number;
  layers: number;
  intermediate: number;
  heads: number;
}

/** Measured bytes per unit of L·(8d + 2I + heads·T) per token: decoders (GPT-2 shape), and BERT. */
export const LAYER_BYTES_PER_UNIT = 30;
export const BERT_LAYER_BYTES_PER_UNIT = 35;
/** Measured bytes per vocabulary entry per token of a language-model head (logits, softmax, cross-entropy, gradient). */
export const VOCAB_BYTES = 22;

/** Wasm-heap bytes one token of a training step holds; `vocab`: the LM head's width (0 for a classifier). */
export function trainingBytesPerToken(c: ActivationShape, T: number, vocab = 0): number {
  const perUnit = c.arch === 'bert' ? BERT_LAYER_BYTES_PER_UNIT : LAYER_BYTES_PER_UNIT;
  return perUnit * c.layers * (8 * c.hidden + 2 * c.intermediate + c.heads * T) + VOCAB_BYTES * vocab;
}
