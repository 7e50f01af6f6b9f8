/** Local datasets (`data.dataset: local`): file readers, examples of each task, federated clients. */
export * from './read.js';
export * from './examples.js';
export * from './text-tokenizer.js';
export * from './federated.js';
