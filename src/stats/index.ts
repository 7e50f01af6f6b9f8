/** Statistics for Monte-Carlo figures: summaries, quantile, proportion and positive-mean intervals, tail checks. */
export * from './summary.js';
export * from './order.js';
export * from './proportion.js';
export * from './positive.js';
export * from './tails.js';
export { tQuantile975 } from './t.js';
