/**
 * The scenario schema: top-level keys `name`, `seed`, `trials`, plus every section exported by
 * sections/index.ts. Unknown keys anywhere are errors (strict objects).
 * Cross-section rules (one section's value constrains another's) live in `crossChecks` below.
 */
import { z } from 'zod';
import { aggregatorCapabilities, aggregatorKinds } from '../fl/aggregators/index.js';
import * as sections from './sections/index.js';
import { RUN_NAME_RULE, runNameProblem } from '../results/name.js';
import { DEFAULT_AGGREGATION, defaultEntries, type AggregationEntry } from './sections/aggregation.js';

const base = {
  name: z.string({ error: RUN_NAME_RULE }).refine((n) => runNameProblem(n) === undefined, { error: RUN_NAME_RULE }).describe('run name: the default results folder is runs/<name>-<UTC time>'),
  seed: z.number({ error: 'an integer ≥ 0' }).int({ error: 'an integer ≥ 0' }).min(0, { error: 'an integer ≥ 0' }).default(1).describe('scenario seed: every component draws from its own named stream derived from it (same seed, same bytes)'),
  trials: z.number({ error: 'an integer ≥ 1' }).int({ error: 'an integer ≥ 1' }).min(1, { error: 'an integer ≥ 1' }).default(100).describe('Monte-Carlo trials of a PHY run (channel, noise and data draws per trial); training runs use sweep.trials for replicates'),
  backend: z.enum(['auto', 'wasm', 'node', 'cpu']).optional().describe('tfjs backend of training runs: auto (the tested wasm path, with the native OpenBLAS engine when built), wasm, node (tfjs-node, not covered by CI), cpu; a --backend flag or AIRLORA_BACKEND overrides it'),
};

type Parsed = z.output<z.ZodObject<typeof base & typeof sections>>;
type Draft = Omit<Parsed, 'aggregation'> & { aggregation: AggregationEntry[] };

/** Rules that read several sections. Each adds issues with a path and the allowed values. */
const crossChecks: Array<(s: Draft, ctx: z.RefinementCtx) => void> = [
  (s, ctx) => {
    // kinds that only make sense in training (digital upload, noisy stand-in) are refused in a PHY run
    if (s.fl !== undefined) return;
    s.aggregation.forEach((e, i) => {
      if (!aggregatorCapabilities(e.scheme).phy) {
        const phyKinds = aggregatorKinds().filter((k) => aggregatorCapabilities(k).phy);
        ctx.addIssue({ code: 'custom', path: ['aggregation', i], input: e.scheme, message: `one of ${phyKinds.join(', ')} (${e.scheme} needs a training scenario with an fl: section)` });
      }
    });
  },
  (s, ctx) => {
    // a plain training run trains with one aggregator; comparing several is what airfl: is for
    if (s.fl !== undefined && s.airfl === undefined && s.aggregation.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['aggregation'], input: s.aggregation.map((e) => e.label), message: `a list of one entry in a training run without airfl: (found ${s.aggregation.length}; add an airfl: section to train once per entry)` });
    }
  },
  (s, ctx) => {
    const servers = Array.isArray(s.phy.antennas.server) ? s.phy.antennas.server : [];
    s.aggregation.forEach((e, i) => {
      const caps = aggregatorCapabilities(e.scheme);
      const S = e.streams ?? s.phy.streams;
      const path = e.streams !== undefined ? ['aggregation', i, 'streams'] : ['phy', 'streams'];
      if (caps.maxStreams === 'device-antennas' && S > s.phy.antennas.device) {
        ctx.addIssue({ code: 'custom', path, input: S, message: `an integer ≤ phy.antennas.device (${s.phy.antennas.device}) for ${e.scheme} (entry ${i})` });
      }
      if (caps.maxStreams === 'single' && S !== 1) {
        ctx.addIssue({ code: 'custom', path: ['aggregation', i, 'streams'], input: S, message: `1 (${e.scheme} is single-stream)` });
      }
      for (const nr of servers) {
        if (S > nr) ctx.addIssue({ code: 'custom', path: ['aggregation', i, 'streams'], input: S, message: `an integer ≤ every server antenna count (${nr})` });
      }
    });
  },
];

export const scenarioSchema = z
  .strictObject({ ...base, ...sections })
  .transform((p): Draft => ({
    ...p,
    aggregation: p.aggregation ?? defaultEntries(p.fl !== undefined && p.airfl === undefined ? DEFAULT_AGGREGATION.training : DEFAULT_AGGREGATION.comparison),
  }))
  .superRefine((s, ctx) => {
    for (const check of crossChecks) check(s, ctx);
  });

export type Scenario = z.output<typeof scenarioSchema>;
