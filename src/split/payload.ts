/**
 * Bits of every message of one split round, per scheduled device (values × bitsPerValue, 32-bit
 * floats by default), the alternatives they are compared with, and the FLOPs of each side.
 * See protocol.ts for the messages.
 *
 *   uplink 1   embeddings            S·T·d  (+ S sequence lengths, the attention mask)
 *   downlink 1 encoder output [CLS]  S·d    (unicast to each scheduled device)
 *   uplink 2   g (∂ℓ/∂c via W0)      S·d    (absent in the u-only variant)
 *              u = ∂ℓ/∂(c A_p)       S·r    (instead of ∇A_p, d·r values)
 *              ∇B_p, ∇head           r·d + d·C + C
 *   downlink 2 the updated device-side parts (A_p, B_p, head), sent with the [CLS] output
 *
 * What the uplink carries per round depends on `split.uplink` (three readings of the paper):
 *  - 'per-round-embeddings': uplink 1 + uplink 2 every round (the device re-sends the frozen
 *    embeddings of its batch each time, as a literal reading of the split protocol does);
 *  - 'cached-embeddings': the server keeps every embedding row it has received (they depend only on
 *    the local data, the embedding module is frozen), so a device sends the embeddings of the rows of
 *    its batch that the server has not seen, plus a 32-bit reference for each row it has;
 *  - 'gradients-only': only uplink 2 (the embeddings are at the server before training starts, e.g.
 *    uploaded off-line: the reading where only "the gradient w.r.t. the low-rank output" crosses the
 *    air during training).
 *
 * Compared with: the [CLS]-aware full-width gradient uplink ∂ℓ/∂c (S·d) + ∇A_p (d·r) + ∇B_p + ∇head,
 * which is what a split design that knows the task module reads only [CLS] but ignores the low-rank
 * structure would send (the reported saving of the low-rank uplink is against this); the per-token
 * hidden gradient ∂ℓ/∂H (S·T·d) + ∇A_p (kept for reference: it is zero off the [CLS] rows); and the
 * upload of unsplit federated LoRA (every LoRA gradient and the head, per device).
 */
export type UplinkMode = 'per-round-embeddings' | 'cached-embeddings' | 'gradients-only';
export const UPLINK_MODES: readonly UplinkMode[] = ['per-round-embeddings', 'cached-embeddings', 'gradients-only'];

/** 'exact': g and u (exact gradients); 'u-only': the r-per-example u alone (∂ℓ/∂c ≈ u A_pᵀ). */
export type GradientMessage = 'exact' | 'u-only';

export interface SplitShape {
  /** examples per device per round */
  batch: number;
  seqLen: number;
  hidden: number;
  rank: number;
  classes: number;
  /** trainable parameters of the server encoder LoRA (for the unsplit comparison) */
  serverParams: number;
  bitsPerValue?: number;
  gradient?: GradientMessage;
}

export interface RoundPayload {
  /** embeddings of a whole batch (uplink 1 of 'per-round-embeddings') */
  upEmbeddingsBits: number;
  /** embeddings of one example row (T·d values + its length) */
  upEmbeddingRowBits: number;
  /** a reference to a row the server already holds ('cached-embeddings') */
  rowReferenceBits: number;
  downEncoderBits: number;
  upGradientBits: number;
  downBroadcastBits: number;
  /** what a device sends in a round of 'per-round-embeddings': uplink 1 + uplink 2 */
  uplinkBits: number;
  /** the [CLS]-aware full-width gradient uplink: ∂ℓ/∂c, ∇A_p in full, ∇B_p, ∇head */
  clsFullWidthGradientBits: number;
  /** gradient uplink if the device sent ∂ℓ/∂H for every token and ∇A_p in full */
  fullHiddenGradientBits: number;
  /** per-device upload of unsplit federated LoRA (all LoRA gradients + head) */
  unsplitUploadBits: number;
}

export function roundPayload(s: SplitShape): RoundPayload {
  const q = s.bitsPerValue ?? 32;
  const { batch: S, seqLen: T, hidden: d, rank: r, classes: C } = s;
  const deviceParams = 2 * d * r + d * C + C;
  const upEmbeddingsBits = q * (S * T * d + S);
  const downEncoderBits = q * S * d;
  const gPart = s.gradient === 'u-only' ? 0 : S * d;
  const upGradientBits = q * (gPart + S * r + r * d + d * C + C);
  const downBroadcastBits = q * deviceParams;
  return {
    upEmbeddingsBits,
    upEmbeddingRowBits: q * (T * d + 1),
    rowReferenceBits: 32,
    downEncoderBits,
    upGradientBits,
    downBroadcastBits,
    uplinkBits: upEmbeddingsBits + upGradientBits,
    clsFullWidthGradientBits: q * (S * d + d * r + r * d + d * C + C),
    fullHiddenGradientBits: q * (S * T * d + d * r + r * d + d * C + C),
    unsplitUploadBits: q * (s.serverParams + deviceParams),
  };
}

/** Shape of the model for the FLOP count (a bert encoder). */
export interface FlopShape {
  batch: number;
  seqLen: number;
  hidden: number;
  layers: number;
  intermediate: number;
  rank: number;
  classes: number;
  /** LoRA-adapted encoder modules (each d → d here: query, key, value, ...) */
  encoderLoraModules: number;
}

/**
 * Floating-point operations of one device batch, per side (multiply-add = 2 FLOPs; backward = 2 ×
 * forward for the matrix products, the usual rule).
 *  - device: embedding sums and LayerNorm (≈ 10 per value of S·T·d), the task module forward
 *    (pooler W0 and its LoRA, head) and backward;
 *  - server: the encoder forward (Q, K, V and output projections 8·S·T·d², attention 4·S·T²·d,
 *    feed-forward 4·S·T·d·I, LoRA 4·S·T·d·r per adapted module, per layer) and its backward for the
 *    LoRA gradients at the kept activations (2 × forward), 3 × forward in all.
 */
export function roundFlops(f: FlopShape): { device: number; server: number } {
  const { batch: S, seqLen: T, hidden: d, layers: L, intermediate: I, rank: r, classes: C } = f;
  const task = 2 * S * d * d + 4 * S * d * r + 2 * S * d * C;
  const device = 10 * S * T * d + 3 * task;
  const fwd = L * (8 * S * T * d * d + 4 * S * T * T * d + 4 * S * T * d * I) + f.encoderLoraModules * 4 * S * T * d * r;
  return { device, server: 3 * fwd };
}
