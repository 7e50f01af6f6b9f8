/**
 * The scenario schema: top-level keys `name`, `seed`, `trials`, plus every section exported by
 * sections/index.ts. Unknown keys anywhere are errors (strict objects).
 * Cross-section rules (one section's value constrains another's) live in `crossChecks` below.
 */
import { z } from 'zod';
import * as sections from './sections/index.js';

const base = {
  name: z.string({ error: 'a non-empty name without slashes' }).regex(/^[^/\\]+$/, { error: 'a non-empty name without slashes' }),
  seed: z.number({ error: 'an integer ≥ 0' }).int({ error: 'an integer ≥ 0' }).min(0, { error: 'an integer ≥ 0' }).default(1),
  trials: z.number({ error: 'an integer ≥ 1' }).int({ error: 'an integer ≥ 1' }).min(1, { error: 'an integer ≥ 1' }).default(100),
};

type Draft = z.output<z.ZodObject<typeof base & typeof sections>>;

/** Rules that read several sections. Each adds issues with a path and the allowed values. */
const crossChecks: Array<(s: Draft, ctx: z.RefinementCtx) => void> = [
  (s, ctx) => {
    // digital upload is a training-side baseline (its error is quantisation, its cost air-time)
    if (s.fl === undefined) {
      s.aggregation.forEach((e, i) => {
        if (e.scheme === 'digital') ctx.addIssue({ code: 'custom', path: ['aggregation', i], input: e.scheme, message: 'one of ideal, zf, mmse, tci, manifold (digital needs a training scenario with fl: and airfl: sections)' });
      });
    }
  },
  (s, ctx) => {
    s.aggregation.forEach((e, i) => {
      const S = e.streams ?? s.phy.streams;
      const path = e.streams !== undefined ? ['aggregation', i, 'streams'] : ['phy', 'streams'];
      if ((e.scheme === 'zf' || e.scheme === 'mmse' || e.scheme === 'manifold') && S > s.phy.antennas.device) {
        ctx.addIssue({ code: 'custom', path, input: S, message: `an integer ≤ phy.antennas.device (${s.phy.antennas.device}) for ${e.scheme} (entry ${i})` });
      }
      if (e.scheme === 'tci' && S !== 1) {
        ctx.addIssue({ code: 'custom', path: ['aggregation', i, 'streams'], input: S, message: '1 (tci is single-stream)' });
      }
      for (const nr of s.phy.antennas.server) {
        if (S > nr) ctx.addIssue({ code: 'custom', path: ['aggregation', i, 'streams'], input: S, message: `an integer ≤ every server antenna count (${nr})` });
      }
    });
  },
];

export const scenarioSchema = z.strictObject({ ...base, ...sections }).superRefine((s, ctx) => {
  for (const check of crossChecks) check(s, ctx);
});

export type Scenario = z.output<typeof scenarioSchema>;
