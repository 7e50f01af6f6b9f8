/**
 * `split:` section: split federated LoRA with online device scheduling and bandwidth allocation
 * (src/split, docs/split.md). A scenario with this section is run by src/runs/split.ts (typed by
 * src/scenario/resolve/split.ts, run by src/split/run.ts); the
 * base model comes from the top-level `model:` section (a bert preset; default bert-small).
 *
 *   split:
 *     devices: 10
 *     rounds: 40
 *     trials: 1                          # training trials (own positions, fading, batches, LoRA init)
 *     batch_size: 8                      # examples per scheduled device per round
 *     lr: 0.01                           # server Adam step on the aggregated gradient
 *     eval_every: 5
 *     lora: { r: 8, lora_alpha: 16 }     # PEFT names; target_modules default [query, key, value, pooler]:
 *                                        # q, k, v of every encoder layer (server) and the pooler (device)
 *     radio: { bandwidth_hz: 10e6, tx_power_dbm: 23, noise_dbm_per_hz: -174, min_distance_m: 50, max_distance_m: 500 }
 *     radio: { ..., server_tx_power_dbm: 43 }  # downlink power spread over the band (null: downlink not timed)
 *     uplink: per-round-embeddings       # | cached-embeddings | gradients-only (what crosses the uplink; docs/split.md)
 *     gradient: exact                    # | u-only (the r-per-example message alone; its gradient error is measured)
 *     compute: { device_gflops: 10, server_gflops: 1000 }  # compute time from the model's FLOPs (0 = not timed)
 *     budget_s: 0.1                      # average-delay budget τ̄ (s), or instead
 *     budget_all_in_fraction: 0.5        #   τ̄ = this × All-in's average round delay on each trial's channel
 *     lyapunov: { V: 0.01, decay: 0.99, penalty: sampling, min_devices: 1, drift: linear, delay_cap: 0 }
 *                                        # delay_cap: per-round cap in units of budget_s (0 = none)
 *     schedulers: [lyapunov, all-in, random, best-channel, round-robin]
 *     baseline_devices: match-budget     # devices per round of random / best-channel / round-robin,
 *                                        # or an integer; match-budget = n and n + 1 mixed to meet τ̄ on average
 *     baseline_bandwidth: default        # | equal | min-max (default: random, round-robin equal; best-channel min-max)
 *     resample: true                     # redraw base encoder, partition and test set per trial
 *     reference: true                    # bag-of-words logistic regression on the same inputs
 *     delay_rounds: 1000                 # channel-only rounds for the long-run delay check (0 = off)
 *     target_accuracy: 0.8               # summary: first evaluated round reaching it
 *     base_init: lecun                   # random frozen encoder: lecun (std 1/√fan_in) | bert (std 0.02)
 *     tasks:
 *       - { name: spam, seq_len: 32, vocab_size: 512, max_items: 3000 }
 *       - { name: brown-genre, genres: [news, fiction], seq_len: 32, vocab_size: 512 }
 */
import { z } from 'zod';
import { BROWN_GENRES } from '../../data/brown.js';
import { positive, posInt, unit } from './common.js';
import { UPLINK_MODES } from '../../split/payload.js';

const partition = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('iid') }),
  z.strictObject({ kind: z.literal('dirichlet'), alpha: positive, min_per_client: posInt.optional() }),
  z.strictObject({ kind: z.literal('one-label'), classes: z.array(z.string()).min(1).optional() }),
], { error: '{ kind: iid }, { kind: dirichlet, alpha }, or { kind: one-label }' });

export const SPLIT_SCHEDULERS = ['lyapunov', 'all-in', 'random', 'best-channel', 'round-robin'] as const;

const task = z.strictObject({
  name: z.enum(['spam', 'brown-genre'], { error: 'spam or brown-genre' }),
  genres: z.array(z.enum(BROWN_GENRES)).min(2, { error: `at least 2 of ${BROWN_GENRES.join(', ')}` }).optional(),
  partition: partition.default({ kind: 'iid' }),
  test_fraction: z.number({ error: 'a number in (0, 1)' }).gt(0, { error: 'a number in (0, 1)' }).lt(1, { error: 'a number in (0, 1)' }).default(0.2),
  seq_len: z.number({ error: 'an integer ≥ 2' }).int({ error: 'an integer ≥ 2' }).min(2, { error: 'an integer ≥ 2' }).default(32),
  eval_per_client: posInt.default(30),
  max_items: posInt.optional(),
  vocab_size: z.number({ error: 'an integer in [16, 65536]' }).int({ error: 'an integer in [16, 65536]' }).min(16, { error: 'an integer in [16, 65536]' }).max(65536, { error: 'an integer in [16, 65536]' }).default(512),
});

export const split = z
  .strictObject({
    devices: posInt.default(10),
    rounds: posInt.default(40),
    trials: posInt.default(1),
    batch_size: posInt.default(8),
    lr: positive.default(0.01),
    eval_every: posInt.default(5),
    lora: z.strictObject({
      r: posInt.default(8),
      lora_alpha: positive.default(16),
      target_modules: z.array(z.string()).min(1, { error: 'a non-empty list of module names that includes pooler (e.g. query, key, value, pooler)' }).default(['query', 'key', 'value', 'pooler']),
      /** removed: PEFT's name is lora_alpha (refused with what to write) */
      alpha: z.unknown().optional(),
    }).superRefine((l, ctx) => {
      if (l.alpha !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['alpha'], input: l.alpha, message: `absent: the LoRA scale is PEFT's lora_alpha, as in the lora: section; write lora: { r: ${l.r}, lora_alpha: ${String(l.alpha)} }` });
      }
    }).transform(({ alpha: _removed, ...l }) => l).prefault({}),
    radio: z.strictObject({
      bandwidth_hz: positive.default(10e6),
      // physical range (−60 dBm to 1 kW): beyond it rates underflow to 0 and delays become infinite
      tx_power_dbm: z.number({ error: 'a number of dBm in [-60, 60]' }).min(-60, { error: 'a number of dBm in [-60, 60]' }).max(60, { error: 'a number of dBm in [-60, 60]' }).default(23),
      noise_dbm_per_hz: z.number({ error: 'a number of dBm/Hz in [-220, -100]' }).min(-220, { error: 'a number of dBm/Hz in [-220, -100]' }).max(-100, { error: 'a number of dBm/Hz in [-220, -100]' }).default(-174),
      min_distance_m: positive.default(50),
      max_distance_m: positive.default(500),
      // the server's power for the downlink ([CLS] output + device-side parts), spread over the band; null: not timed
      server_tx_power_dbm: z.union([z.number().min(-60).max(80), z.null()], { error: 'a number of dBm in [-60, 80], or null (downlink not timed)' }).default(43),
    }).prefault({}),
    uplink: z.enum(UPLINK_MODES, { error: UPLINK_MODES.join(', ') }).default('per-round-embeddings'),
    gradient: z.enum(['exact', 'u-only'], { error: 'exact or u-only' }).default('exact'),
    compute: z.strictObject({
      device_gflops: z.number({ error: 'a number ≥ 0 (GFLOP/s; 0 = not timed)' }).min(0, { error: 'a number ≥ 0 (GFLOP/s; 0 = not timed)' }).default(10),
      server_gflops: z.number({ error: 'a number ≥ 0 (GFLOP/s; 0 = not timed)' }).min(0, { error: 'a number ≥ 0 (GFLOP/s; 0 = not timed)' }).default(1000),
    }).prefault({}),
    budget_s: positive.optional(),
    budget_all_in_fraction: z.number({ error: 'a number in (0, 1]' }).gt(0, { error: 'a number in (0, 1]' }).max(1, { error: 'a number in (0, 1]' }).optional(),
    lyapunov: z.strictObject({
      V: positive.default(0.01),
      decay: z.number({ error: 'a number in (0, 1]' }).gt(0, { error: 'a number in (0, 1]' }).max(1, { error: 'a number in (0, 1]' }).default(0.99),
      penalty: z.enum(['sampling', 'linear'], { error: 'sampling or linear' }).default('sampling'),
      min_devices: posInt.default(1),
      drift: z.enum(['linear', 'quadratic'], { error: 'linear or quadratic' }).default('linear'),
      delay_cap: z.number({ error: 'a number ≥ 0 (0 = no cap)' }).min(0, { error: 'a number ≥ 0 (0 = no cap)' }).default(0),
    }).prefault({}),
    schedulers: z.array(z.enum(SPLIT_SCHEDULERS, { error: SPLIT_SCHEDULERS.join(', ') })).min(1, { error: `a non-empty list of ${SPLIT_SCHEDULERS.join(', ')}` }).default([...SPLIT_SCHEDULERS]),
    baseline_devices: z.union([z.literal('match-budget'), posInt], { error: "'match-budget' or an integer ≥ 1" }).default('match-budget'),
    baseline_bandwidth: z.enum(['default', 'equal', 'min-max'], { error: 'default (random and round-robin equal, best-channel min-max), equal or min-max' }).default('default'),
    resample: z.boolean({ error: 'true or false' }).default(true),
    reference: z.boolean({ error: 'true or false' }).default(true),
    delay_rounds: z.number({ error: 'an integer ≥ 0' }).int({ error: 'an integer ≥ 0' }).min(0, { error: 'an integer ≥ 0' }).default(1000),
    target_accuracy: unit.default(0.8),
    base_init: z.enum(['lecun', 'bert'], { error: 'lecun or bert' }).default('lecun'),
    tasks: z.array(task).min(1, { error: 'a non-empty list of tasks' }).prefault([{ name: 'spam' }]),
  })
  .superRefine((s, ctx) => {
    if (s.budget_s !== undefined && s.budget_all_in_fraction !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['budget_all_in_fraction'], input: s.budget_all_in_fraction, message: 'absent when budget_s is set (give one of budget_s, budget_all_in_fraction)' });
    }
  })
  .optional();

export type SplitSection = NonNullable<z.output<typeof split>>;
export type SplitTaskSection = z.output<typeof task>;
