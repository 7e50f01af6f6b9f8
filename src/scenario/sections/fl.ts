/**
 * `fl` section: federated LoRA training (src/fl). Its presence makes a scenario a training run.
 *
 *   fl:
 *     rounds: 20
 *     clients: 10                      # K
 *     selection: { fraction: 1 }       # or { count: 5 }
 *     algorithm: fedavg                # fedavg | fedsgd
 *     local_steps: 5
 *     batch_size: 8
 *     optimizer: adam                  # adam | sgd
 *     lr: 0.001
 *     server_lr: 1
 *     upload: delta                    # delta | weights (fedavg)
 *     aggregate_factors: [A, B]        # which LoRA factors are uploaded and aggregated
 *     mode: batched                    # batched | loop
 *     eval_every: 1
 *     divergence_factor: 10
 */
import { z } from 'zod';
import { positive, posInt, unit } from './common.js';

export const fl = z
  .strictObject({
    rounds: posInt.default(20).describe('federated rounds'),
    clients: posInt.default(10).describe('number of clients K (devices of the federation; also the PHY devices of an AirFL run)'),
    selection: z
      .strictObject({
        count: posInt.optional().describe('clients selected per round'),
        fraction: unit.refine((v) => v > 0, { error: 'a number in (0, 1]' }).optional().describe('fraction of clients selected per round, in (0, 1]'),
      })
      .prefault({})
      .describe('client selection per round (count or fraction; default all)'),
    algorithm: z.enum(['fedavg', 'fedsgd']).default('fedavg').describe('fedavg (local steps, upload the update) or fedsgd (one gradient per round)'),
    local_steps: posInt.default(5).describe('optimiser steps per client per round (fedavg)'),
    batch_size: posInt.default(8).describe('examples per local step'),
    optimizer: z.enum(['adam', 'sgd']).default('adam').describe('client optimiser'),
    lr: positive.default(1e-3).describe('client learning rate'),
    server_lr: positive.default(1).describe('server step η_s applied to the aggregate (w ← w + η_s·agg(Δ))'),
    upload: z.enum(['delta', 'weights']).default('delta').describe('what clients upload: delta (w_k − w) or weights (w_k)'),
    /** removed: the aggregation is chosen by the top-level `aggregation:` list (refused with what to write) */
    aggregator: z.unknown().optional().describe('removed: use the top-level aggregation: list'),
    aggregate_factors: z.array(z.enum(['A', 'B'])).min(1, { error: 'a non-empty list of A, B' }).default(['A', 'B']).describe('which LoRA factors are uploaded and aggregated (A, B)'),
    mode: z.enum(['batched', 'loop']).default('batched').describe('batched: all clients in one pass over stacked adapters; loop: one at a time (checks, benchmarks)'),
    eval_every: posInt.default(1).describe('evaluate every this many rounds (and always before the first and after the last)'),
    divergence_factor: positive.default(10).describe('stop with a named error when a loss exceeds this many times the starting evaluation loss'),
  })
  .superRefine((f, ctx) => {
    if (f && f.aggregator !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['aggregator'], input: f.aggregator, message: 'absent: choose the aggregation with the top-level aggregation: list instead, e.g. `aggregation: [ideal]` or `aggregation: [{ scheme: noisy, nmse: 0.01 }]`' });
    }
    const count = f?.selection?.count;
    if (typeof count === 'number' && typeof f.clients === 'number' && count > f.clients) {
      ctx.addIssue({ code: 'custom', path: ['selection', 'count'], input: count, message: `an integer ≤ fl.clients (${f.clients})` });
    }
  })
  .transform(({ aggregator: _removed, ...f }) => f)
  .optional().describe('federated LoRA training (src/fl): its presence makes the scenario a training run');
