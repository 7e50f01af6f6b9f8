/**
 * What an aggregation kind is: its capabilities and how it builds an Aggregator from a resolved
 * `aggregation:` entry (see index.ts for the table of kinds).
 */
import { UserInputError } from '../../errors.js';
import type { SchemeCapabilities } from '../../phy/aircomp/types.js';
import type { RadioConfig } from '../../phy/radio.js';
import type { Aggregator } from '../aggregator.js';

/** One resolved `aggregation:` entry. */
export interface AggregationSpec {
  scheme: string;
  /** unique label (metrics' `scheme` column) */
  label: string;
  /** streams S when the entry sets them; otherwise the scenario's phy.streams applies */
  streams: number | undefined;
  /** the kind's own options (everything but scheme, label, streams) */
  options: Record<string, unknown>;
}

export interface AggregatorCapabilities extends SchemeCapabilities {
  /** usable in the PHY Monte-Carlo (an over-the-air scheme, or the exact reference) */
  phy: boolean;
  /** needs the radio (channel, power, noise) of a training run */
  radio: boolean;
  /** has a transceiver design whose analytic MSE the optimality-gap bound can use (0 when exact) */
  analyticMse: boolean;
}

export interface AggregatorContext {
  /** the run's radio with S set for this entry; required by kinds with capabilities.radio */
  radio?: RadioConfig;
  /** scenario seed (channel streams are keyed by it, never by scheme) */
  seed: number;
}

export interface AggregatorKind {
  readonly capabilities: AggregatorCapabilities;
  create(spec: AggregationSpec, ctx: AggregatorContext): Aggregator;
}

/** The radio a kind with `capabilities.radio` needs. */
export function requireRadio(spec: AggregationSpec, ctx: AggregatorContext): RadioConfig {
  if (!ctx.radio) throw new UserInputError(`aggregation: '${spec.label}' (${spec.scheme}) needs a radio (phy: section of a training run)`, 'aggregation');
  return ctx.radio;
}

