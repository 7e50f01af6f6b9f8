/**
 * One over-the-air aggregation of real update vectors, end to end — what a federated trainer calls
 * each round: normalise + map each device's vector (side-channel mean/scale; fused into the combining
 * pass on the effective path, see fused.ts), design the transceivers
 * for the effective weights w_k = φ_k c_k / Σφ_j c_j, push the symbols through the true channel with
 * noise, and de-normalise. Returns the server's estimate of Σ_k φ_k x_k.
 */
import { UserInputError } from '../../errors.js';
import type { Rng } from '../../random/streams.js';
import { aggregationTarget, denormalizeAggregate, normalizationStats, normalizeAndMap, symbolLayout, type AggregationTarget, type SymbolLayout } from '../ofdm/mapping.js';
import type { ChannelRealization } from '../types.js';
import { applyDesign, type ApplyOptions } from './apply.js';
import { applyDesignToUpdates } from './fused.js';
import type { AirCompScheme, DesignContext, TransceiverDesign } from './types.js';

export interface AirAggregateResult {
  /** x̂ ≈ Σ_k φ_k x_k (length D) */
  estimate: Float64Array;
  design: TransceiverDesign;
  target: AggregationTarget;
  layout: SymbolLayout;
}

export function airAggregate(
  ch: ChannelRealization,
  scheme: AirCompScheme,
  updates: readonly Float64Array[],
  phi: ArrayLike<number>,
  radio: Omit<DesignContext, 'phi'>,
  noise: Rng | null,
  opts: ApplyOptions = {},
): AirAggregateResult {
  if (updates.length !== ch.K) {
    throw new UserInputError(`airAggregate.updates: ${updates.length} vectors is not allowed; expected one per device (K = ${ch.K})`, 'updates');
  }
  const D = updates[0]!.length;
  const layout = symbolLayout(D, ch.M, radio.S);
  const stats = updates.map((x) => normalizationStats(x));
  const target = aggregationTarget(phi, stats);
  const ctx: DesignContext = { ...radio, phi: target.weights };
  const design = scheme.design(ch, ctx);
  // effective path: normalisation fused into the combining pass (fused.ts); otherwise (and for an
  // ageing channel, whose G changes per OFDM symbol) map explicitly
  const ageing = ch.evolution !== undefined && ch.evolution.maxDopplerHz > 0;
  const est = !design.exact && !ageing && (opts.path ?? 'effective') === 'effective'
    ? applyDesignToUpdates(ch, design, ctx, updates, stats, layout, noise)
    : applyDesign(ch, design, ctx, updates.map((x) => normalizeAndMap(x, layout).symbols), noise, opts);
  return { estimate: denormalizeAggregate(est, layout, target), design, target, layout };
}
