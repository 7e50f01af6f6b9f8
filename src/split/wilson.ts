/** Moved to src/stats/proportion.ts (shared by every figure with a proportion); kept as a re-export. */
export { wilson } from '../stats/proportion.js';
