// Figures from results folders: figure kinds, presets, rendering.
export * from './figure-spec.js';
export * from './data.js';
export * from './spec.js';
export * from './render.js';
export * from './draw.js';
export * from './compare.js';
export { PRESETS, presetNames } from './presets.js';
export * from './docs.js';
export * from './offthread.js';
export * from './style.js';
export * from './params.js';
export * from './dat.js';
export * from './html.js';
