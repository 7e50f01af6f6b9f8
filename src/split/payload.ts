/**
 * Bits of every message of one split round, per scheduled device (values × bitsPerValue, 32-bit
 * floats by default), and the alternatives they are compared with. See protocol.ts for the messages.
 *
 *   uplink 1   embeddings            S·T·d  (+ S sequence lengths, the attention mask)
 *   downlink 1 encoder output [CLS]  S·d
 *   uplink 2   g (∂ℓ/∂c via W0)      S·d
 *              u = ∂ℓ/∂(c A_p)       S·r      (instead of ∇A_p, d·r values)
 *              ∇B_p, ∇head           r·d + d·C + C
 *   downlink 2 broadcast of the updated device-side parts (A_p, B_p, head) to each device
 *
 * Compared with: the full per-token hidden gradient ∂ℓ/∂H (S·T·d) plus ∇A_p (d·r) as the
 * gradient uplink of a split design that ignores both the [CLS] read-out and the low-rank structure,
 * and with the uplink of unsplit federated LoRA (every LoRA gradient and the head, per device).
 */
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
}

export interface RoundPayload {
  upEmbeddingsBits: number;
  downEncoderBits: number;
  upGradientBits: number;
  downBroadcastBits: number;
  /** what the uplink delay is computed from: uplink 1 + uplink 2 */
  uplinkBits: number;
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
  const upGradientBits = q * (S * d + S * r + r * d + d * C + C);
  const downBroadcastBits = q * deviceParams;
  return {
    upEmbeddingsBits,
    downEncoderBits,
    upGradientBits,
    downBroadcastBits,
    uplinkBits: upEmbeddingsBits + upGradientBits,
    fullHiddenGradientBits: q * (S * T * d + d * r + r * d + d * C + C),
    unsplitUploadBits: q * (s.serverParams + deviceParams),
  };
}
