export * from './config.js';
export * from './batched.js';
export * from './train.js';
export * from './inventory.js';
export * from './peft.js';
