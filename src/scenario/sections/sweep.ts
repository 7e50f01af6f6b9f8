/**
 * `sweep:` section: a grid over any scenario paths and a trial count. Each grid point × trial is
 * one independent job (the scenario with those values set; `sweep:` itself removed).
 *
 *   sweep:
 *     grid:
 *       phy.snr_db: [0, 10, 20]
 *       phy.antennas.server: [8, 16]
 *     trials: 4                  # replicates per point; trial 0 keeps the scenario seed
 *     columns: { phy.snr_db: snr }   # CSV column names (default: the producers' name for well-known
 *                                     # paths, e.g. phy.antennas.server → server_antennas; else the last part)
 *
 * Jobs are ordered as the grid is written (first key outermost), trials innermost.
 */
import { z } from 'zod';

/** Most jobs one sweep may have (each is a resolved scenario in memory and a folder on disk). */
export const MAX_SWEEP_JOBS = 100_000;

export const sweepSection = z.object({
  grid: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, 'a dotted scenario path such as phy.snr_db')
      // built-in object members are not scenario fields (setting them would change every object)
      .refine((p) => !p.split('.').some((k) => k === '__proto__' || k === 'constructor' || k === 'prototype'), 'a dotted scenario path without __proto__, constructor or prototype'),
    z.array(z.unknown()).min(1, 'at least one value'),
  ).default({}).describe('dotted scenario path → list of values; the Cartesian product of all paths is the set of jobs'),
  trials: z.number().int().min(1).max(100000).default(1).describe('replicates per grid point (trial t > 0 changes the seed); paired across points'),
  columns: z.record(z.string(), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional().describe('CSV column name per grid path (default: the producers\' name, e.g. phy.antennas.server → server_antennas)'),
}).strict();

export type SweepSection = z.infer<typeof sweepSection>;

/** The scenario section (composed into the scenario schema by sections/index.ts). */
export const sweep = sweepSection.optional().describe('a grid over scenario paths × trials: each grid point × trial is one independent job (the scenario with those values set)');
