/**
 * Aggregators by name, so scenario files pick one (`fl.aggregator.kind`). Another layer (the PHY
 * over-the-air aggregator) registers its own factory here without this folder importing it.
 */
import { UserInputError } from '../errors.js';
import type { Aggregator } from './aggregator.js';
import { IdealAggregator } from './ideal.js';
import { NoisyAggregator } from './noisy.js';

/** A factory gets the scenario's `fl.aggregator` object (kind plus its own options). */
export type AggregatorFactory = (options: Record<string, unknown>) => Aggregator;

const factories = new Map<string, AggregatorFactory>([
  ['ideal', () => new IdealAggregator()],
  ['noisy', (o) => new NoisyAggregator(Number(o['nmse'] ?? NaN))],
]);

export function registerAggregator(kind: string, factory: AggregatorFactory): void {
  factories.set(kind, factory);
}

export function aggregatorKinds(): string[] {
  return [...factories.keys()];
}

export function createAggregator(options: { kind: string } & Record<string, unknown>): Aggregator {
  const f = factories.get(options.kind);
  if (!f) {
    throw new UserInputError(`fl.aggregator.kind: '${options.kind}'; allowed: ${aggregatorKinds().join(', ')}`, 'fl.aggregator.kind');
  }
  return f(options);
}
