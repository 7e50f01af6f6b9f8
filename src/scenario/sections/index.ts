/**
 * Scenario sections: one file each, one line here. Each file exports a zod schema named after its
 * top-level key (give it a `.default(...)`/`.prefault({})` or `.optional()` so scenarios may omit it);
 * schema.ts spreads this module into the scenario object.
 */
export { phy } from './phy.js';
export { aggregation } from './aggregation.js';
export { fl } from './fl.js';
export { data } from './data.js';
export { model } from './model.js';
export { lora } from './lora.js';
export { figures } from './figures.js';
export { sweep } from './sweep.js';
export { split } from './split.js';
export { airfl } from './airfl.js';
