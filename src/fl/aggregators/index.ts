/**
 * The one aggregator factory, keyed by an entry of the scenario's `aggregation:` list (resolved by the
 * scenario layer into an AggregationSpec). Every kind declares its capabilities, so the scenario schema
 * and the design loop ask instead of branching on names:
 *   ideal      the exact weighted average (FedAvg's reference)
 *   noisy      ideal + white error of a set NMSE (a stand-in for an impaired channel)
 *   digital    quantised OFDMA upload (training baseline with air-time and energy)
 *   zf, mmse, tci, manifold, …  over-the-air computation with that PHY scheme (src/phy/aircomp)
 * Add a kind: one file exporting an AggregatorKind and one row in KINDS (AirComp schemes come from the
 * PHY's own scheme table).
 */
import { UserInputError } from '../../errors.js';
import { schemeFactories } from '../../phy/aircomp/index.js';
import type { Aggregator } from '../aggregator.js';
import { requireRadio, type AggregationSpec, type AggregatorCapabilities, type AggregatorContext, type AggregatorKind } from './kind.js';
import { AirCompAggregator } from './aircomp.js';
import { digitalKind } from './digital.js';
import { idealKind } from './ideal.js';
import { noisyKind } from './noisy.js';

function airCompKind(name: string): AggregatorKind {
  const factory = schemeFactories[name]!;
  const scheme = factory({});
  return {
    capabilities: { ...scheme.capabilities, phy: true, radio: !scheme.capabilities.exact, analyticMse: true },
    create: (spec, ctx) => new AirCompAggregator(requireRadio(spec, ctx), factory(spec.options), ctx.seed, spec.label),
  };
}

const KINDS: Record<string, AggregatorKind> = {
  ...Object.fromEntries(Object.keys(schemeFactories).map((n) => [n, airCompKind(n)])),
  // the exact average needs no PHY in training (it equals the AirComp 'ideal' scheme's output)
  ideal: idealKind,
  noisy: noisyKind,
  digital: digitalKind,
};

export function aggregatorKinds(): string[] {
  return Object.keys(KINDS);
}

export function aggregatorKind(name: string): AggregatorKind {
  const k = KINDS[name];
  if (!k) throw new UserInputError(`aggregation: scheme '${name}' is not allowed; expected one of ${aggregatorKinds().join(', ')}`, 'aggregation');
  return k;
}

export function aggregatorCapabilities(name: string): AggregatorCapabilities {
  return aggregatorKind(name).capabilities;
}

/** The aggregator of one `aggregation:` entry. */
export function createAggregator(spec: AggregationSpec, ctx: AggregatorContext): Aggregator {
  return aggregatorKind(spec.scheme).create(spec, ctx);
}

export * from './kind.js';
export { AirCompAggregator } from './aircomp.js';
export { DigitalAggregator } from './digital.js';
export { IdealAggregator } from './ideal.js';
export { NoisyAggregator } from './noisy.js';
