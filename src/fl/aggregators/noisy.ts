/**
 * Ideal average plus white Gaussian error of a set NMSE: aggregate = x̄ + e, e ~ N(0, σ² I) with
 * σ² = nmse · ‖x̄‖² / n, so E‖e‖² / ‖x̄‖² = nmse. A stand-in for over-the-air aggregation (which also
 * delivers an unbiased average plus noise) until the PHY aggregator plugs in. Noise is drawn from the
 * round's own stream, so runs and resumes are reproducible.
 */
import { UserInputError } from '../../errors.js';
import type { AggregatorKind } from './kind.js';
import { nmse, weightedAverage, type AggregationInput, type AggregationResult, type Aggregator } from '../aggregator.js';

export class NoisyAggregator implements Aggregator {
  readonly name = 'noisy';
  constructor(readonly targetNmse: number) {
    if (!(targetNmse >= 0) || !Number.isFinite(targetNmse)) {
      throw new UserInputError(`aggregation: noisy nmse ${targetNmse} must be a finite number ≥ 0`, 'aggregation');
    }
  }

  aggregate({ vectors, weights, context }: AggregationInput): AggregationResult {
    const ideal = weightedAverage(vectors, weights);
    let p = 0;
    for (let i = 0; i < ideal.length; i++) p += ideal[i]! * ideal[i]!;
    const sd = ideal.length ? Math.sqrt((this.targetNmse * p) / ideal.length) : 0;
    const rng = context.streams.stream('noise');
    const out = new Float32Array(ideal.length);
    for (let i = 0; i < out.length; i++) out[i] = ideal[i]! + sd * rng.normal();
    return { aggregate: out, diagnostics: { nmse: nmse(out, ideal), targetNmse: this.targetNmse } };
  }
}

export const noisyKind: AggregatorKind = {
  capabilities: { maxStreams: 'server-antennas', exact: false, designable: false, phy: false, radio: false, analyticMse: false },
  create: (spec) => new NoisyAggregator(Number(spec.options['nmse'] ?? NaN)),
};
