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
    rounds: posInt.default(20),
    clients: posInt.default(10),
    selection: z
      .strictObject({ count: posInt.optional(), fraction: unit.refine((v) => v > 0, { error: 'a number in (0, 1]' }).optional() })
      .prefault({}),
    algorithm: z.enum(['fedavg', 'fedsgd']).default('fedavg'),
    local_steps: posInt.default(5),
    batch_size: posInt.default(8),
    optimizer: z.enum(['adam', 'sgd']).default('adam'),
    lr: positive.default(1e-3),
    server_lr: positive.default(1),
    upload: z.enum(['delta', 'weights']).default('delta'),
    /** removed: the aggregation is chosen by the top-level `aggregation:` list (refused with what to write) */
    aggregator: z.unknown().optional(),
    aggregate_factors: z.array(z.enum(['A', 'B'])).min(1, { error: 'a non-empty list of A, B' }).default(['A', 'B']),
    mode: z.enum(['batched', 'loop']).default('batched'),
    eval_every: posInt.default(1),
    divergence_factor: positive.default(10),
  })
  .superRefine((f, ctx) => {
    if (f && f.aggregator !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['aggregator'], input: f.aggregator, message: 'absent: choose the aggregation with the top-level aggregation: list instead, e.g. `aggregation: [ideal]` or `aggregation: [{ scheme: noisy, nmse: 0.01 }]`' });
    }
  })
  .transform(({ aggregator: _removed, ...f }) => f)
  .optional();
