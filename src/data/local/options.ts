/** Options of a local dataset (`data.dataset: local`); its own file so src/data/federated.ts can name
 * them without an import cycle. */
import type { PartitionSpec } from '../partition.js';

export type LocalTask = 'lm' | 'instruction' | 'classifier';

export interface LocalDataOptions {
  path: string;
  /** Default 'auto': instruction fields → instruction, a label field → classifier, else lm. */
  task?: LocalTask | 'auto';
  text_fields?: string[];
  label_field?: string;
  /** Column used by the `key` partition (e.g. Dolly's `category`). */
  key_field?: string;
  /** 'alpaca' (default) or a template with {instruction}, {input} and {response} placeholders. */
  prompt_template?: string;
}

/** The built-in partitions, or whole groups of a natural key column per client. */
export type LocalPartitionSpec = PartitionSpec | { kind: 'key'; field?: string };
