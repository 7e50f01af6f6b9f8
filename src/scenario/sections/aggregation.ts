/**
 * `aggregation` section: the over-the-air schemes to compare, as names or objects with options.
 *   aggregation: [ideal, zf, mmse, { scheme: tci, threshold: 0.2, streams: 1, label: tci-0.2 }]
 * Every entry may set `label` (unique; defaults to the scheme name) and `streams` (defaults to
 * phy.streams; tci defaults to 1). A new scheme adds one object to `entry` and one factory in
 * src/phy/aircomp/index.ts.
 */
import { z } from 'zod';
import { posInt, nonNeg } from './common.js';

const base = { label: z.string().min(1).optional(), streams: posInt.optional() };

const entry = z.discriminatedUnion('scheme', [
  z.strictObject({ scheme: z.literal('ideal'), ...base }),
  z.strictObject({ scheme: z.literal('zf'), ...base, eta: z.enum(['common', 'optimal']).default('common') }),
  z.strictObject({ scheme: z.literal('mmse'), ...base }),
  z.strictObject({ scheme: z.literal('tci'), ...base, threshold: nonNeg.default(0.1) }),
  z.strictObject({ scheme: z.literal('manifold'), ...base, drop_devices: z.boolean({ error: 'true or false' }).default(false), max_iter: posInt.default(40) }),
  // Digital OFDMA upload (quantised, Shannon rate): a baseline for training scenarios (airfl).
  z.strictObject({ scheme: z.literal('digital'), ...base, bits: posInt.max(32, { error: 'an integer in [1, 32]' }).default(8) }),
]);

export const schemeNames = ['ideal', 'zf', 'mmse', 'tci', 'manifold', 'digital'] as const;

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
  .default(['ideal', 'zf', 'mmse'])
  .transform((list): AggregationEntry[] =>
    list.map((e) => {
      if (typeof e === 'string') return { scheme: e, label: e, streams: e === 'tci' ? 1 : undefined, options: {} };
      const { scheme, label, streams, ...options } = e;
      return { scheme, label: label ?? scheme, streams: streams ?? (scheme === 'tci' ? 1 : undefined), options };
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
  });

export type AggregationSection = z.output<typeof aggregation>;
