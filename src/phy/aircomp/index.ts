/**
 * Over-the-air aggregation schemes behind one interface, and the registry the scenario layer uses.
 * Add a scheme: implement AirCompScheme in its own file and add one entry to `schemeFactories`.
 */
import { UserInputError } from '../../errors.js';
import { IdealScheme } from './ideal.js';
import { ManifoldScheme } from './manifold.js';
import { MmseFixedScheme, MmseScheme } from './mmse.js';
import { TciScheme } from './tci.js';
import type { AirCompScheme } from './types.js';
import { ZfScheme } from './zf.js';

export * from './types.js';
export * from './mse.js';
export * from './apply.js';
export * from './aggregate.js';
export * from './fused.js';
export * from './subspace.js';
export { zfGivenF, zfEta, zfTraces, ZfScheme, type EtaAllocation } from './zf.js';
export { mmseGivenF, solveMu, jointMmse, MmseScheme, MmseFixedScheme, type JointMmseOptions } from './mmse.js';
export { TciScheme, type TciOptions } from './tci.js';
export { IdealScheme } from './ideal.js';
export { ManifoldScheme, type ManifoldSchemeOptions } from './manifold.js';

/** Scheme options as they appear in a scenario's `aggregation` list (the `scheme` key removed). */
export type SchemeOptions = Record<string, unknown>;

export const schemeFactories: Record<string, (opts: SchemeOptions) => AirCompScheme> = {
  ideal: () => new IdealScheme(),
  zf: (o) => new ZfScheme(o.eta === undefined ? 'optimal' : (o.eta as 'common' | 'optimal')),
  mmse: () => new MmseScheme(),
  'mmse-fixed': () => new MmseFixedScheme(),
  tci: (o) => new TciScheme(o.threshold === undefined ? {} : { threshold: Number(o.threshold) }),
  manifold: (o) => new ManifoldScheme({ dropDevices: o.drop_devices === true, ...(o.max_iter === undefined ? {} : { maxIter: Number(o.max_iter) }) }),
};

export function createScheme(name: string, opts: SchemeOptions = {}): AirCompScheme {
  const f = schemeFactories[name];
  if (!f) {
    throw new UserInputError(`aggregation scheme '${name}' is not allowed; expected one of ${Object.keys(schemeFactories).join(', ')}`, 'aggregation');
  }
  return f(opts);
}
