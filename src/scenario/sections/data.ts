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
 *
 *   data:                              # your own files (docs/models.md): .txt, .jsonl/.json, .csv, .tsv, .parquet
 *     dataset: local
 *     path: /data/glue/SST-2           # a file, or a folder with train.* (and validation.* / dev.*)
 *     task: auto                       # auto | lm | instruction | classifier
 *     text_fields: [sentence]          # default: the GLUE columns present (sentence1/sentence2, sentence, text)
 *     label_field: label               # default: label
 *     key_field: category              # the column of partition { kind: key }
 *     prompt_template: alpaca          # instruction data: alpaca, or a template with {instruction} and {input}
 *     partition: { kind: key }         # iid | dirichlet | one-label | key (whole groups of key_field per client)
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { BROWN_GENRES } from '../../data/brown.js';
import { positive, posInt, structurallyValid } from './common.js';

const partition = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('iid').describe('how items are dealt to the clients: iid (uniformly at random), dirichlet (label proportions ~ Dir(alpha) per client), one-label (one class per client), key (whole groups of key_field per client; local data)') }),
  z.strictObject({ kind: z.literal('dirichlet').describe('how items are dealt to the clients: iid (uniformly at random), dirichlet (label proportions ~ Dir(alpha) per client), one-label (one class per client), key (whole groups of key_field per client; local data)'), alpha: positive.describe('Dirichlet concentration α > 0 over labels (small α: each client sees few classes)'), min_per_client: posInt.optional().describe('redraw until every client has at least this many items (built-in datasets: default and minimum 2, a client needs a train and a test item; local data: default 1)') }),
  z.strictObject({ kind: z.literal('one-label').describe('how items are dealt to the clients: iid (uniformly at random), dirichlet (label proportions ~ Dir(alpha) per client), one-label (one class per client), key (whole groups of key_field per client; local data)'), classes: z.array(z.string()).min(1).optional().describe('classes (labels, genres) to deal: client k gets classes[k mod G] (default: every class present)') }),
  z.strictObject({ kind: z.literal('key').describe('how items are dealt to the clients: iid (uniformly at random), dirichlet (label proportions ~ Dir(alpha) per client), one-label (one class per client), key (whole groups of key_field per client; local data)'), field: z.string().min(1).optional().describe('column whose values group the items (default data.key_field)') }),
], { error: "{ kind: iid }, { kind: dirichlet, alpha }, { kind: one-label }, or { kind: key } (local data)" });

/** Keys that only `dataset: local` takes. */
const LOCAL_KEYS = ['path', 'task', 'text_fields', 'label_field', 'key_field', 'prompt_template'] as const;

export const data = z
  .strictObject({
    dataset: z.enum(['brown', 'spam', 'local']).default('brown').describe('brown (Brown corpus, language modelling), spam (SpamAssassin, spam/ham classification) or local (your own files at data.path)'),
    path: z.string({ error: 'a data file or folder' }).min(1, { error: 'a data file or folder' }).optional().describe('dataset: local only: a data file (.txt, .jsonl/.json, .csv, .tsv, .parquet) or a folder with train.* (and validation.* / dev.*)'),
    task: z.enum(['auto', 'lm', 'instruction', 'classifier']).optional().describe('dataset: local only: auto (instruction + output/response fields → instruction; a label field → classifier; else lm), lm (language modelling), instruction or classifier'),
    text_fields: z.array(z.string().min(1), { error: 'a list of column names, e.g. [sentence1, sentence2]' }).min(1, { error: 'a list of column names, e.g. [sentence1, sentence2]' }).max(2, { error: 'one or two column names' }).optional().describe('dataset: local only: one or two text columns of classification data (default: the GLUE columns present: sentence1/sentence2, sentence, text)'),
    label_field: z.string({ error: 'a column name' }).min(1, { error: 'a column name' }).optional().describe('dataset: local only: label column of classification data (default label)'),
    key_field: z.string({ error: 'a column name' }).min(1, { error: 'a column name' }).optional().describe('dataset: local only: the column of partition { kind: key } (instruction data default: category)'),
    prompt_template: z.string({ error: "'alpaca' or a template with {instruction} and {input}" }).min(1).optional().describe('dataset: local, instruction data only: alpaca (Alpaca\'s template) or a template with {instruction} and {input}'),
    genres: z.array(z.enum(BROWN_GENRES)).min(1, { error: `a non-empty list of ${BROWN_GENRES.join(', ')}` }).optional().describe('dataset: brown only: Brown genres to use (default: the 6 fine-tuning (imaginative) genres)'),
    partition: partition.default({ kind: 'iid' }).describe('how items are dealt to the K clients: { kind: iid }, { kind: dirichlet, alpha }, { kind: one-label } or { kind: key } (local data)'),
    test_fraction: z.number({ error: 'a number in (0, 1)' }).gt(0, { error: 'a number in (0, 1)' }).lt(1, { error: 'a number in (0, 1)' }).default(0.1).describe('fraction of each client\'s items held out for testing, in (0, 1) (a local folder\'s validation.* / dev.* files replace it)'),
    seq_len: z.number({ error: 'an integer ≥ 2' }).int({ error: 'an integer ≥ 2' }).min(2, { error: 'an integer ≥ 2' }).default(64).describe('sequence length T in tokens (a language-modelling window is T + 1 tokens; a classifier input is [CLS] + tokens, cut or padded to T)'),
    eval_per_client: posInt.default(16).describe('fixed evaluation examples (language modelling: test windows) per client, evenly spaced over its test set'),
    max_items: posInt.optional().describe('use at most this many items in total (a seeded subset, for quick runs; default all)'),
    vocab_size: z.number({ error: 'an integer in [16, 65536]' }).int({ error: 'an integer in [16, 65536]' }).min(16, { error: 'an integer in [16, 65536]' }).max(65536, { error: 'an integer in [16, 65536]' }).default(1024).describe('tokenizer vocabulary size, trained on the clients\' training texts, when the model has no checkpoint tokenizer'),
  })
  .superRefine((d, ctx) => {
    if (d.dataset === 'local') {
      if (d.path === undefined) {
        ctx.addIssue({ code: 'custom', path: ['path'], input: undefined, message: 'required with dataset: local: a data file (.txt, .jsonl, .json, .csv, .tsv, .parquet) or a folder with train.* and validation.* / dev.*' });
      } else if (!existsSync(d.path)) {
        ctx.addIssue({ code: 'custom', path: ['path'], input: d.path, message: 'an existing data file or folder (this path does not exist: point data.path at your copy of the dataset, e.g. the GLUE SST-2 folder)' });
      }
      if (d.genres !== undefined) ctx.addIssue({ code: 'custom', path: ['genres'], input: d.genres, message: 'absent: genres belong to dataset: brown' });
      if (d.partition.kind === 'key' && d.partition.field === undefined && d.key_field === undefined && d.task !== 'instruction') {
        ctx.addIssue({ code: 'custom', path: ['partition'], input: d.partition, message: 'a key column: set data.key_field (or partition.field); instruction data defaults to category' });
      }
    } else {
      for (const k of LOCAL_KEYS) {
        if (d[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], input: d[k], message: `absent: ${k} belongs to dataset: local` });
      }
      if (d.partition.kind === 'key') ctx.addIssue({ code: 'custom', path: ['partition', 'kind'], input: 'key', message: 'iid, dirichlet or one-label: key partitions need dataset: local' });
    }
  }, structurallyValid)
  .optional().describe('what the federated clients hold: dataset, partition over clients, test split, sequence length (docs/data.md; your own files: docs/models.md)');
