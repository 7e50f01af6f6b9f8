/**
 * `airfl` section: AirFL-LoRA — federated LoRA training whose aggregate comes over the air. Its
 * presence (together with `fl`, `data`, `phy`) makes the scenario train once per entry of
 * `aggregation` (ideal, zf, mmse, tci, manifold, digital) and per LoRA rank, on identical data,
 * client and channel draws, so every curve is a paired comparison.
 *
 *   airfl:
 *     ranks: [2, 8]              # fixed LoRA ranks to train (each with every scheme); default [lora.r]
 *     joint: true                # also train at the rank chosen by the design loop
 *     design:                    # the backtracking rank / beamforming design loop (`airlora design`)
 *       ranks: [1, 2, 4, 8, 16]  # rank grid it searches
 *       scheme: manifold         # scheme whose receive subspace starts the alternation
 *       streams: [1, 2]          # optional candidate stream counts S (default: phy.streams)
 *       energy_budget_j: 1e-3    # optional per-device transmit energy per round (J; P·s without path loss)
 *       latency_budget_s: 0.05   # optional per-round air-time budget
 *       reference_rank: 32       # optional reference rank of the constants' ideal run (default 2 × max rank)
 *       estimate_rounds: 8       # short ideal run that estimates the bound's constants
 *       channel_draws: 4         # channel draws averaged for each rank's MSE
 *       tolerance: 0.001         # relative MSE change that ends the transceiver alternation
 *       max_alternations: 20
 *     ideal_twin: true           # log the ideal aggregate's NMSE per round (always on; kept explicit)
 *     cp_fraction: 0.07           # cyclic prefix fraction (the subcarrier spacing is phy.subcarrier_spacing_khz)
 */
import { z } from 'zod';
import { nonNeg, posInt, positive } from './common.js';

const design = z
  .strictObject({
    ranks: z.array(posInt).min(1, { error: 'a non-empty list of integers ≥ 1' }).default([1, 2, 4, 8, 16]),
    scheme: z.enum(['zf', 'mmse', 'manifold']).default('manifold'),
    streams: z.array(posInt).min(1, { error: 'a non-empty list of integers ≥ 1' }).optional(),
    energy_budget_j: positive.optional(),
    latency_budget_s: positive.optional(),
    reference_rank: posInt.optional(),
    estimate_rounds: posInt.min(3, { error: 'an integer ≥ 3' }).default(8),
    channel_draws: posInt.default(4),
    tolerance: positive.default(1e-3),
    max_alternations: posInt.default(20),
    start: nonNeg.optional(),
  })
  .prefault({});

export const airfl = z
  .strictObject({
    ranks: z.array(posInt).min(1, { error: 'a non-empty list of integers ≥ 1' }).optional(),
    joint: z.boolean({ error: 'true or false' }).default(false),
    design,
    /** removed: kept only to name its replacement, phy.subcarrier_spacing_khz */
    subcarrier_spacing_hz: z.unknown().optional(),
    cp_fraction: nonNeg.default(0.07),
  })
  .superRefine((a, ctx) => {
    if (a.subcarrier_spacing_hz !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['subcarrier_spacing_hz'], input: a.subcarrier_spacing_hz, message: 'absent: the one subcarrier spacing is phy.subcarrier_spacing_khz (air-time, digital rate and noise all use it)' });
    }
  })
  .optional();

export type AirflSection = NonNullable<z.output<typeof airfl>>;
