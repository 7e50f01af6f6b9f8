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
    ranks: z.array(posInt).min(1, { error: 'a non-empty list of integers ≥ 1' }).default([1, 2, 4, 8, 16]).describe('LoRA rank grid the design loop searches'),
    scheme: z.enum(['zf', 'mmse', 'manifold']).default('manifold').describe('over-the-air scheme whose receive subspace starts the transceiver alternation (the scenario\'s own aggregation entry of that kind, with its options, when it has one)'),
    streams: z.array(posInt).min(1, { error: 'a non-empty list of integers ≥ 1' }).optional().describe('candidate stream counts S searched with each rank, each ≤ min(N_r, N_t) (default [phy.streams])'),
    energy_budget_j: positive.optional().describe('per-device transmit energy per round in J (power unit × s: P·s with P = 1 per subcarrier without path loss); when it binds, the per-subcarrier power falls as the rank grows (absent: no energy budget)'),
    latency_budget_s: positive.optional().describe('per-round air-time budget in seconds: ranks whose upload T(r)·(1 + cp)/Δf exceeds it are infeasible (absent: none)'),
    reference_rank: posInt.optional().describe('LoRA rank of the short ideal run that estimates the bound\'s constants; not on the grid (default 2 × the largest grid rank, at most full rank)'),
    estimate_rounds: posInt.min(3, { error: 'an integer ≥ 3' }).default(8).describe('rounds of that short ideal reference run (≥ 3)'),
    channel_draws: posInt.default(4).describe('channel draws averaged for each rank\'s designed MSE'),
    tolerance: positive.default(1e-3).describe('relative MSE change between alternations that ends the transceiver alternation (dimensionless)'),
    max_alternations: posInt.default(20).describe('most transceiver alternations per rank and stream count'),
    start: nonNeg.optional().describe('grid rank the backtracking rank search starts from (default: the largest rank within the latency budget)'),
  })
  .prefault({}).describe('the AirFL-LoRA design loop (airlora design; before training with joint: true): estimates the convergence bound\'s constants from a short ideal run, designs the transceivers per rank and searches the rank grid under the energy and latency budgets');

export const airfl = z
  .strictObject({
    ranks: z.array(posInt).min(1, { error: 'a non-empty list of integers ≥ 1' }).optional().describe('fixed LoRA ranks to train, each with every aggregation entry (default [lora.r])'),
    joint: z.boolean({ error: 'true or false' }).default(false).describe('also train, with every aggregation entry, at the rank the design loop (airfl.design) chooses'),
    design,
    /** removed: kept only to name its replacement, phy.subcarrier_spacing_khz */
    subcarrier_spacing_hz: z.unknown().optional().describe('removed: refused with its replacement, phy.subcarrier_spacing_khz'),
    cp_fraction: nonNeg.default(0.07).describe('cyclic prefix as a fraction of the useful OFDM symbol: symbol time (1 + cp_fraction)/Δf (air-time, energy, channel ageing)'),
  })
  .superRefine((a, ctx) => {
    if (a.subcarrier_spacing_hz !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['subcarrier_spacing_hz'], input: a.subcarrier_spacing_hz, message: 'absent: the one subcarrier spacing is phy.subcarrier_spacing_khz (air-time, digital rate and noise all use it)' });
    }
  })
  .optional().describe('AirFL-LoRA: federated LoRA training whose aggregate comes over the air, once per aggregation entry and rank on identical data, client and channel draws (paired); needs fl, data and phy (docs/airfl.md)');

export type AirflSection = NonNullable<z.output<typeof airfl>>;
