/**
 * Public API of the airlora package (what notebooks and other tools import by name).
 * Each layer re-exports its own entry points here as it lands.
 */
export * from './errors.js';
export * from './random/streams.js';
export * as cmat from './linalg/cmat.js';
export * as linalg from './linalg/index.js';
export * as models from './models/index.js';
export * as lora from './lora/index.js';
export * as data from './data/index.js';
export * as fl from './fl/index.js';
