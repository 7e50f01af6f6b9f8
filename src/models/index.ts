export * from './config.js';
export * from './params.js';
export * from './weights.js';
export * from './layers.js';
export * from './gpt.js';
export * from './bert.js';
export * from './checkpoint.js';
export * from './pretrain.js';
