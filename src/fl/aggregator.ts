/**
 * The aggregation step of a federated round as a swappable object (a Flower-style strategy, reduced to
 * its numerical core): vectors in, vector out. It knows no model: the trainer flattens each selected
 * client's upload (LoRA update, weights or gradient) into a Float32Array, and the PHY over-the-air
 * aggregator of another issue implements this same interface to return the distorted aggregate.
 */
import type { RandomStreams } from '../random/streams.js';

export interface RoundContext {
  /** 1-based round index. */
  round: number;
  /** Global ids of the selected clients, in upload order. */
  clients: readonly number[];
  /** Random streams private to this round's aggregation (`streams.child('aggregation', round)`). */
  streams: RandomStreams;
  /** What the vectors hold: LoRA deltas, full adapter weights, or gradients. */
  upload: UploadKind;
}

export type UploadKind = 'delta' | 'weights' | 'gradient';

export interface AggregationInput {
  /** One vector per selected client, all of the same length. */
  vectors: readonly Float32Array[];
  /** Data-size weights φ_k of the selected clients (non-negative, summing to 1). */
  weights: Float64Array;
  context: RoundContext;
}

export interface AggregationDiagnostics {
  /** ‖aggregate − ideal‖² / ‖ideal‖² as the aggregator sees it (the trainer also measures it). */
  nmse?: number;
  /** Upload latency of the round in seconds (PHY aggregators). */
  latencyS?: number;
  /** Total transmit energy of the round in joules (PHY aggregators). */
  energyJ?: number;
  /** Anything else worth logging in rounds.jsonl (numbers only). */
  [key: string]: number | undefined;
}

export interface AggregationResult {
  aggregate: Float32Array;
  diagnostics: AggregationDiagnostics;
}

export interface Aggregator {
  readonly name: string;
  aggregate(input: AggregationInput): AggregationResult | Promise<AggregationResult>;
}

/** Σ_k φ_k x_k in double precision (the reference every aggregator is measured against). */
export function weightedAverage(vectors: readonly Float32Array[], weights: ArrayLike<number>): Float64Array {
  const n = vectors[0]?.length ?? 0;
  const acc = new Float64Array(n);
  vectors.forEach((v, k) => {
    const w = weights[k]!;
    for (let i = 0; i < n; i++) acc[i] += w * v[i]!;
  });
  return acc;
}

/** ‖a − ref‖² / ‖ref‖² (0/0 = 0, x/0 = Infinity). */
export function nmse(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  let e = 0, p = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = a[i]! - ref[i]!;
    e += d * d;
    p += ref[i]! * ref[i]!;
  }
  return p === 0 ? (e === 0 ? 0 : Infinity) : e / p;
}
