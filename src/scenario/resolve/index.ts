/** The only place a validated scenario becomes the lower layers' typed configuration. */
export * from './phy.js';
export * from './radio.js';
export * from './train.js';
export * from './split.js';
