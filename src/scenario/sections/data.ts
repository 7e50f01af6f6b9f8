/**
 * `data` section: what the federated clients hold (src/data; see docs/data.md).
 *
 *   data:
 *     dataset: brown                   # brown (language modelling) | spam (SpamAssassin, classification)
 *     genres: [fiction, mystery]       # brown only; default: the 6 fine-tuning (imaginative) genres
 *     partition: { kind: one-label }   # iid | { kind: dirichlet, alpha: 0.5 } | one-label
 *     test_fraction: 0.1
 *     seq_len: 64
 *     eval_per_client: 16
 *     max_items: 2000                  # optional seeded subset, for quick runs
 *     vocab_size: 1024                 # tokenizer size when the model has no checkpoint tokenizer
 */
import { z } from 'zod';
import { BROWN_GENRES } from '../../data/brown.js';
import { positive, posInt } from './common.js';

const partition = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('iid') }),
  z.strictObject({ kind: z.literal('dirichlet'), alpha: positive, min_per_client: posInt.optional() }),
  z.strictObject({ kind: z.literal('one-label'), classes: z.array(z.string()).min(1).optional() }),
], { error: "{ kind: iid }, { kind: dirichlet, alpha }, or { kind: one-label }" });

export const data = z
  .strictObject({
    dataset: z.enum(['brown', 'spam']).default('brown'),
    genres: z.array(z.enum(BROWN_GENRES)).min(1, { error: `a non-empty list of ${BROWN_GENRES.join(', ')}` }).optional(),
    partition: partition.default({ kind: 'iid' }),
    test_fraction: z.number({ error: 'a number in (0, 1)' }).gt(0, { error: 'a number in (0, 1)' }).lt(1, { error: 'a number in (0, 1)' }).default(0.1),
    seq_len: z.number({ error: 'an integer ≥ 2' }).int({ error: 'an integer ≥ 2' }).min(2, { error: 'an integer ≥ 2' }).default(64),
    eval_per_client: posInt.default(16),
    max_items: posInt.optional(),
    vocab_size: z.number({ error: 'an integer in [16, 65536]' }).int({ error: 'an integer in [16, 65536]' }).min(16, { error: 'an integer in [16, 65536]' }).max(65536, { error: 'an integer in [16, 65536]' }).default(1024),
  })
  .optional();
