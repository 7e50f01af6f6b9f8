/** Corpora (Brown, SpamAssassin), the char-level BPE tokenizer, client partitions and batch servers. */
export * from './brown.js';
export * from './spam.js';
export * from './tokenizer.js';
export * from './partition.js';
export * from './federated.js';
