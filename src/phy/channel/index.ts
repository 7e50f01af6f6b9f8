/** Channel generation (draw once per trial/round; every scheme reads the same realisation). */
export * from './config.js';
export * from './largescale.js';
export * from './correlation.js';
export * from './frequency.js';
export * from './generate.js';
export * from './apply.js';
