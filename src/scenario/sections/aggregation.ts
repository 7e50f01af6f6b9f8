/**
 * `aggregation` section: the one place a scenario chooses how updates are aggregated, as names or
 * objects with options.
 *   aggregation: [ideal, zf, mmse, { scheme: tci, threshold: 0.2, streams: 1, label: tci-0.2 }]
 * Every entry may set `label` (unique; defaults to the scheme name) and `streams` (defaults to
 * phy.streams, or 1 for single-stream schemes). A PHY Monte-Carlo compares every entry; an AirFL run
 * (fl + airfl) trains once per entry; a plain training run (fl, no airfl) takes exactly one entry
 * (default [ideal]). What each kind can do (streams, PHY or training only) is declared by the kind
 * itself (src/fl/aggregators). A new kind adds one object to `entry` and one kind there.
 */
import { z } from 'zod';
import { aggregatorCapabilities } from '../../fl/aggregators/index.js';
import { posInt, nonNeg } from './common.js';

const base = {
  label: z.string().min(1).optional().describe('unique name of this entry in results (default: the scheme name)'),
  streams: posInt.optional().describe('spatial streams S per subcarrier for this entry (default phy.streams; 1 for single-stream schemes)'),
};

const entry = z.discriminatedUnion('scheme', [
  z.strictObject({ scheme: z.literal('ideal').describe('error-free weighted average Σφ_k x_k (the reference)'), ...base }),
  // eta: 'optimal' (KKT allocation of the scale across subcarriers in the per-symbol budget) by default; 'common' is the weak reference
  z.strictObject({ scheme: z.literal('zf').describe('zero-forcing AirComp: receive subspace from the channel eigenspace, channel-inverting precoders'), ...base, eta: z.enum(['common', 'optimal']).default('optimal').describe("scaling η across subcarriers in the per-symbol budget: optimal (KKT allocation) or common (one η, the weak reference)") }),
  z.strictObject({ scheme: z.literal('mmse').describe('joint MMSE transceiver: receive MMSE combiner and power-limited precoders, alternated until the MSE stops decreasing'), ...base }),
  // the former mmse design (fixed receive subspace, common η): kept as a reference
  z.strictObject({ scheme: z.literal('mmse-fixed').describe('the former mmse design: fixed receive subspace, common η (a reference)'), ...base }),
  z.strictObject({ scheme: z.literal('tci').describe('truncated channel inversion (single stream): devices whose channel gain is below the threshold stay silent on that subcarrier'), ...base, threshold: nonNeg.default(0.1).describe('truncation threshold g_th on the channel power gain |h|² (linear)') }),
  z.strictObject({ scheme: z.literal('manifold').describe('receive subspace optimised on the Grassmann manifold (min-max MSE), zf power scaling'), ...base, drop_devices: z.boolean({ error: 'true or false' }).default(false).describe('greedily silence the weakest devices when that lowers the MSE'), max_iter: posInt.default(40).describe('conjugate-gradient iterations of the manifold optimiser') }),
  // Digital OFDMA upload (quantised, Shannon rate): a baseline for training scenarios (airfl).
  z.strictObject({ scheme: z.literal('digital').describe('digital OFDMA upload: quantised updates at the Shannon rate of each device\'s subcarriers (training only)'), ...base, bits: posInt.max(32, { error: 'an integer in [1, 32]' }).default(8).describe('bits per uploaded entry (unbiased stochastic rounding), 1 to 32') }),
  // Ideal average plus white error of a set NMSE (training only): a stand-in for an impaired channel.
  z.strictObject({ scheme: z.literal('noisy').describe('ideal average plus white Gaussian error of a set NMSE (training only)'), ...base, nmse: nonNeg.describe('target NMSE ‖e‖²/‖x̄‖² of the added error (linear)') }),
]);

export const schemeNames = ['ideal', 'zf', 'mmse', 'mmse-fixed', 'tci', 'manifold', 'digital', 'noisy'] as const;

/** Streams an entry uses when it does not set them: 1 for single-stream kinds, else phy.streams. */
function defaultStreams(scheme: string): number | undefined {
  return aggregatorCapabilities(scheme).maxStreams === 'single' ? 1 : undefined;
}

export interface AggregationEntry {
  scheme: string;
  label: string;
  /** streams when the entry sets them (tci: 1); otherwise phy.streams applies */
  streams: number | undefined;
  /** scheme options (everything but scheme, label, streams) */
  options: Record<string, unknown>;
}

export const aggregation = z
  .array(
    z.union([z.enum(schemeNames), entry], {
      error: `a scheme name (${schemeNames.join(', ')}) or an object { scheme, label?, streams?, ...options }`,
    }),
  )
  .min(1, { error: 'a non-empty list of schemes' })
  .transform((list): AggregationEntry[] =>
    list.map((e) => {
      if (typeof e === 'string') return { scheme: e, label: e, streams: defaultStreams(e), options: {} };
      const { scheme, label, streams, ...options } = e;
      return { scheme, label: label ?? scheme, streams: streams ?? defaultStreams(scheme), options };
    }),
  )
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((e, i) => {
      const j = seen.get(e.label);
      if (j !== undefined) {
        ctx.addIssue({ code: 'custom', path: [i, 'label'], input: e.label, message: `a label not used by entry ${j} (set label: to tell them apart)` });
      }
      seen.set(e.label, i);
    });
  })
  .optional()
  .describe('how updates are aggregated: a list of schemes to compare (PHY, AirFL) or the one aggregator of a training run; names or { scheme, label?, streams?, options }');

/** The default list when a scenario has none: a plain training run uses [ideal], anything else compares these. */
export const DEFAULT_AGGREGATION = { training: ['ideal'], comparison: ['ideal', 'zf', 'mmse'] } as const;

/** Entries of plain scheme names (as the section's transform makes them). */
export function defaultEntries(names: readonly string[]): AggregationEntry[] {
  return names.map((n) => ({ scheme: n, label: n, streams: defaultStreams(n), options: {} }));
}

export type AggregationSection = z.output<typeof aggregation>;
