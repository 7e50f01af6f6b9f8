/** Error-free aggregation: the exact data-size-weighted average Σ_k φ_k x_k (the FedAvg reference). */
import type { AggregatorKind } from './kind.js';
import { weightedAverage, type AggregationInput, type AggregationResult, type Aggregator } from '../aggregator.js';

export class IdealAggregator implements Aggregator {
  readonly name = 'ideal';
  aggregate({ vectors, weights }: AggregationInput): AggregationResult {
    return { aggregate: Float32Array.from(weightedAverage(vectors, weights)), diagnostics: { nmse: 0 } };
  }
}

export const idealKind: AggregatorKind = {
  capabilities: { maxStreams: 'server-antennas', exact: true, designable: false, phy: true, radio: false, analyticMse: true },
  create: () => new IdealAggregator(),
};
