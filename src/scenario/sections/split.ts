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
 *       - { dataset: local, path: /data/glue/MRPC, text_fields: [sentence1, sentence2], label_field: label, seq_len: 128 }
 *                                        # your own GLUE-style files (src/data/local; docs/models.md)
 *
 * model: { checkpoint: /path/to/bert-base-uncased } runs the split on a Hugging Face BERT folder: its
 * encoder at the server, embedding and pooler + head on the devices, its tokenizer.json for every task.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { BROWN_GENRES } from '../../data/brown.js';
import { positive, posInt, unit } from './common.js';
import { UPLINK_MODES } from '../../split/payload.js';

const partition = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('iid').describe('how items are dealt to the devices: iid (uniformly at random), dirichlet (label proportions ~ Dir(alpha) per device), one-label (one class per device)') }),
  z.strictObject({ kind: z.literal('dirichlet').describe('how items are dealt to the devices: iid (uniformly at random), dirichlet (label proportions ~ Dir(alpha) per device), one-label (one class per device)'), alpha: positive.describe('Dirichlet concentration α > 0 over labels (small α: each device sees few classes)'), min_per_client: posInt.optional().describe('redraw until every device has at least this many items (default and minimum 2: a device trains on a pair of examples at least)') }),
  z.strictObject({ kind: z.literal('one-label').describe('how items are dealt to the devices: iid (uniformly at random), dirichlet (label proportions ~ Dir(alpha) per device), one-label (one class per device)'), classes: z.array(z.string()).min(1).optional().describe('classes to deal: device k gets classes[k mod G] (default: every class present)') }),
], { error: '{ kind: iid }, { kind: dirichlet, alpha }, or { kind: one-label }' });

export const SPLIT_SCHEDULERS = ['lyapunov', 'all-in', 'random', 'best-channel', 'round-robin'] as const;

/** A local data file or folder that exists (a placeholder path is named by `validate`). */
const localPath = z.string({ error: 'a data file or folder' }).min(1, { error: 'a data file or folder' }).superRefine((p, ctx) => {
  if (!existsSync(p)) ctx.addIssue({ code: 'custom', input: p, message: 'an existing data file or folder (this path does not exist: point it at your copy of the dataset, e.g. the GLUE MRPC folder with train.tsv and dev.tsv)' });
});

const LOCAL_TASK_KEYS = ['path', 'text_fields', 'label_field'] as const;

const task = z.strictObject({
  name: z.enum(['spam', 'brown-genre'], { error: 'spam or brown-genre' }).optional().describe('a built-in task: spam (SpamAssassin spam/ham) or brown-genre (Brown paragraphs labelled by genre); or give dataset: local instead'),
  dataset: z.enum(['local'], { error: 'local (your own files at path; or give name: spam | brown-genre instead)' }).optional().describe('local: your own GLUE-style classification files at path (.tsv, .csv, .jsonl/.json, .parquet; a folder with train.* and validation.* / dev.*), read as data.dataset: local reads them'),
  path: localPath.optional().describe('dataset: local only: a data file, or a folder with train.* (and validation.* / dev.*, the test set)'),
  text_fields: z.array(z.string().min(1), { error: 'a list of column names, e.g. [sentence1, sentence2]' }).min(1, { error: 'a list of column names, e.g. [sentence1, sentence2]' }).max(2, { error: 'one or two column names' }).optional().describe('dataset: local only: one or two text columns (default: the GLUE columns present: sentence1/sentence2, #1 String/#2 String, sentence, text)'),
  label_field: z.string({ error: 'a column name' }).min(1, { error: 'a column name' }).optional().describe('dataset: local only: the label column (default label, or MRPC\'s original Quality)'),
  genres: z.array(z.enum(BROWN_GENRES)).min(2, { error: `at least 2 of ${BROWN_GENRES.join(', ')}` }).optional().describe('brown-genre only: the genres that are the classes (at least 2)'),
  partition: partition.default({ kind: 'iid' }).describe('how items are dealt to the devices: { kind: iid }, { kind: dirichlet, alpha } or { kind: one-label }'),
  test_fraction: z.number({ error: 'a number in (0, 1)' }).gt(0, { error: 'a number in (0, 1)' }).lt(1, { error: 'a number in (0, 1)' }).default(0.2).describe('fraction of the items held out for testing, in (0, 1)'),
  seq_len: z.number({ error: 'an integer ≥ 2' }).int({ error: 'an integer ≥ 2' }).min(2, { error: 'an integer ≥ 2' }).default(32).describe('tokens per example T ([CLS] + tokens, cut or padded to T)'),
  eval_per_client: posInt.default(30).describe('test examples drawn per device for evaluation (at most its test set), pooled into the test set'),
  max_items: posInt.optional().describe('use at most this many items (a seeded subset; default all)'),
  vocab_size: z.number({ error: 'an integer in [16, 65536]' }).int({ error: 'an integer in [16, 65536]' }).min(16, { error: 'an integer in [16, 65536]' }).max(65536, { error: 'an integer in [16, 65536]' }).default(512).describe('tokenizer vocabulary size, trained on the training texts (a model.checkpoint brings its own tokenizer)'),
}).superRefine((t, ctx) => {
  if (t.dataset === 'local') {
    if (t.name !== undefined) ctx.addIssue({ code: 'custom', path: ['name'], input: t.name, message: 'absent with dataset: local (a task is a built-in name or local files, not both)' });
    if (t.path === undefined) ctx.addIssue({ code: 'custom', path: ['path'], input: undefined, message: 'required with dataset: local: a data file (.tsv, .csv, .jsonl, .json, .parquet) or a folder with train.* and validation.* / dev.*' });
    if (t.genres !== undefined) ctx.addIssue({ code: 'custom', path: ['genres'], input: t.genres, message: 'absent: genres belong to name: brown-genre' });
  } else {
    if (t.name === undefined) ctx.addIssue({ code: 'custom', path: ['name'], input: undefined, message: 'spam or brown-genre (or dataset: local with a path)' });
    for (const k of LOCAL_TASK_KEYS) if (t[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], input: t[k], message: `absent: ${k} belongs to dataset: local` });
  }
});

export const split = z
  .strictObject({
    devices: posInt.default(10).describe('number of devices K'),
    rounds: posInt.default(40).describe('training rounds'),
    trials: posInt.default(1).describe('training trials, each with its own device positions, fading, batches and LoRA initialisation'),
    batch_size: posInt.default(8).describe('examples per scheduled device per round'),
    lr: positive.default(0.01).describe('learning rate of the server\'s Adam step on the aggregated gradient'),
    eval_every: posInt.default(5).describe('evaluate every this many rounds'),
    lora: z.strictObject({
      r: posInt.default(8).describe('LoRA rank r (PEFT r)'),
      lora_alpha: positive.default(16).describe('LoRA scale numerator α: the update is (α/r)·A·B (PEFT lora_alpha)'),
      target_modules: z.array(z.string()).min(1, { error: 'a non-empty list of module names that includes pooler (e.g. query, key, value, pooler)' }).default(['query', 'key', 'value', 'pooler']).describe('modules to adapt (PEFT target_modules), including pooler: query, key, value of every encoder layer run at the server, pooler on the device'),
      /** removed: PEFT's name is lora_alpha (refused with what to write) */
      alpha: z.unknown().optional().describe('removed: refused with its replacement, lora_alpha'),
    }).superRefine((l, ctx) => {
      if (l.alpha !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['alpha'], input: l.alpha, message: `absent: the LoRA scale is PEFT's lora_alpha, as in the lora: section; write lora: { r: ${l.r}, lora_alpha: ${String(l.alpha)} }` });
      }
    }).transform(({ alpha: _removed, ...l }) => l).prefault({}).describe('LoRA adapters in PEFT\'s names (the encoder\'s at the server, the pooler\'s on the device)'),
    radio: z.strictObject({
      bandwidth_hz: positive.default(10e6).describe('total uplink bandwidth B in Hz, shared by the scheduled devices (FDMA)'),
      // physical range (−60 dBm to 1 kW): beyond it rates underflow to 0 and delays become infinite
      tx_power_dbm: z.number({ error: 'a number of dBm in [-60, 60]' }).min(-60, { error: 'a number of dBm in [-60, 60]' }).max(60, { error: 'a number of dBm in [-60, 60]' }).default(23).describe('device transmit power in dBm, the same for every device'),
      noise_dbm_per_hz: z.number({ error: 'a number of dBm/Hz in [-220, -100]' }).min(-220, { error: 'a number of dBm/Hz in [-220, -100]' }).max(-100, { error: 'a number of dBm/Hz in [-220, -100]' }).default(-174).describe('noise power spectral density N0 in dBm/Hz'),
      min_distance_m: positive.default(50).describe('inner radius of the ring devices are dropped in, in metres (path loss 128.1 + 37.6·log10(d / 1 km) dB)'),
      max_distance_m: positive.default(500).describe('outer radius of the ring devices are dropped in, in metres'),
      // the server's power for the downlink ([CLS] output + device-side parts), spread over the band; null: not timed
      server_tx_power_dbm: z.union([z.number().min(-60).max(80), z.null()], { error: 'a number of dBm in [-60, 80], or null (downlink not timed)' }).default(43).describe('server downlink transmit power in dBm, spread over the band ([CLS] output and device-side parts); null: the downlink is not timed'),
    }).prefault({}).describe('single-antenna FDMA uplink: devices dropped in a ring, 3GPP urban-macro path loss, Rayleigh block fading redrawn every round'),
    uplink: z.enum(UPLINK_MODES, { error: UPLINK_MODES.join(', ') }).default('per-round-embeddings').describe('what crosses the uplink each round: per-round-embeddings (the batch\'s embeddings and the gradient message), cached-embeddings (only embeddings the server has not seen), gradients-only (embeddings at the server before training); docs/split.md'),
    gradient: z.enum(['exact', 'u-only'], { error: 'exact or u-only' }).default('exact').describe('the gradient message: exact (g and u: exact gradients) or u-only (the r-per-example u alone; its gradient error is measured)'),
    compute: z.strictObject({
      device_gflops: z.number({ error: 'a number ≥ 0 (GFLOP/s; 0 = not timed)' }).min(0, { error: 'a number ≥ 0 (GFLOP/s; 0 = not timed)' }).default(10).describe('device compute speed in GFLOP/s (0: device compute not timed)'),
      server_gflops: z.number({ error: 'a number ≥ 0 (GFLOP/s; 0 = not timed)' }).min(0, { error: 'a number ≥ 0 (GFLOP/s; 0 = not timed)' }).default(1000).describe('server compute speed in GFLOP/s (0: server compute not timed)'),
    }).prefault({}).describe('compute speeds that turn each side\'s FLOPs into time in the round delay'),
    budget_s: positive.optional().describe('long-term average round-delay budget τ̄ in seconds (give this or budget_all_in_fraction; default 0.1)'),
    budget_all_in_fraction: z.number({ error: 'a number in (0, 1]' }).gt(0, { error: 'a number in (0, 1]' }).max(1, { error: 'a number in (0, 1]' }).optional().describe('τ̄ as this fraction, in (0, 1], of All-in\'s average round delay on each trial\'s channel (instead of budget_s)'),
    lyapunov: z.strictObject({
      V: positive.default(0.01).describe('penalty weight V in s² of the drift-plus-penalty cost V·w_t·Φ(|S|) + Q_t·τ (larger: more devices per round, more delay)'),
      decay: z.number({ error: 'a number in (0, 1]' }).gt(0, { error: 'a number in (0, 1]' }).max(1, { error: 'a number in (0, 1]' }).default(0.99).describe('round-weight decay ρ in (0, 1]: w_t = ρ^(T−1−t), later rounds weigh more'),
      penalty: z.enum(['sampling', 'linear'], { error: 'sampling or linear' }).default('sampling').describe('participation penalty Φ(n): sampling = (K − n)/(n·(K − 1)) (FedAvg sampling without replacement) or linear = (K − n)/K'),
      min_devices: posInt.default(1).describe('fewest devices the Lyapunov scheduler schedules per round'),
      drift: z.enum(['linear', 'quadratic'], { error: 'linear or quadratic' }).default('linear').describe('linear: cost Q_t·τ; quadratic: adds ½·max(τ − τ̄, 0)² (prevents delay spikes, under-uses the budget)'),
      delay_cap: z.number({ error: 'a number ≥ 0 (0 = no cap)' }).min(0, { error: 'a number ≥ 0 (0 = no cap)' }).default(0).describe('per-round delay cap in units of τ̄: τ_t ≤ delay_cap·τ̄ (0: no cap)'),
    }).prefault({}).describe('the Lyapunov drift-plus-penalty scheduler: each round min over devices and bandwidth of V·w_t·Φ(|S|) + Q_t·τ, virtual queue Q_(t+1) = max(Q_t + τ_t − τ̄, 0) (docs/split.md §3)'),
    schedulers: z.array(z.enum(SPLIT_SCHEDULERS, { error: SPLIT_SCHEDULERS.join(', ') })).min(1, { error: `a non-empty list of ${SPLIT_SCHEDULERS.join(', ')}` }).default([...SPLIT_SCHEDULERS]).describe('schedulers compared on the same draws: lyapunov, all-in (every device, min-max bandwidth, ignores τ̄), random, best-channel, round-robin'),
    baseline_devices: z.union([z.literal('match-budget'), posInt], { error: "'match-budget' or an integer ≥ 1" }).default('match-budget').describe('devices per round of random / best-channel / round-robin: an integer, or match-budget (n and n + 1 mixed to meet τ̄ on average)'),
    baseline_bandwidth: z.enum(['default', 'equal', 'min-max'], { error: 'default (random and round-robin equal, best-channel min-max), equal or min-max' }).default('default').describe('bandwidth rule of the baselines: default (random and round-robin equal B/n, best-channel min-max), equal or min-max'),
    resample: z.boolean({ error: 'true or false' }).default(true).describe('redraw the base encoder, the data partition and the test set in every trial (false: trial 0\'s for all)'),
    reference: z.boolean({ error: 'true or false' }).default(true).describe('also fit a bag-of-words logistic regression on the same inputs (the accuracy of a linear model, with its Wilson interval)'),
    delay_rounds: z.number({ error: 'an integer ≥ 0' }).int({ error: 'an integer ≥ 0' }).min(0, { error: 'an integer ≥ 0' }).default(1000).describe('channel-only rounds of the long-run average-delay check (0: off)'),
    target_accuracy: unit.default(0.8).describe('test accuracy in [0, 1]; the summary reports the first evaluated round reaching it'),
    base_init: z.enum(['lecun', 'bert'], { error: 'lecun or bert' }).default('lecun').describe('random frozen encoder initialisation: lecun (std 1/√fan_in) or bert (std 0.02); unused with model.checkpoint'),
    tasks: z.array(task).min(1, { error: 'a non-empty list of tasks' }).prefault([{ name: 'spam' }]).describe('classification tasks, each run with every scheduler'),
  })
  .superRefine((s, ctx) => {
    if (s.budget_s !== undefined && s.budget_all_in_fraction !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['budget_all_in_fraction'], input: s.budget_all_in_fraction, message: 'absent when budget_s is set (give one of budget_s, budget_all_in_fraction)' });
    }
  })
  .optional().describe('split federated LoRA with online device scheduling and bandwidth allocation (docs/split.md); the base model comes from model: (a bert preset, or a Hugging Face BERT folder as model.checkpoint)');

export type SplitSection = NonNullable<z.output<typeof split>>;
export type SplitTaskSection = z.output<typeof task>;
