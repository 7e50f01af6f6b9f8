/**
 * Channel generation and application. Draw once per (trial, round); every aggregation scheme reads
 * the same realisation (designs read `Hhat`, the signal goes through `H`).
 *
 *   const cfg = resolveChannelConfig({ K: 20, Nr: 16, Nt: 4, M: 256,
 *     pathLoss: { refLossDb: 30, exponent: 3, dMin: 50, dMax: 200 }, multipath: { taps: 8, decayDb: 1 } });
 *   let prev: ChannelRealization | undefined;
 *   for (let round = 0; round < R; round++) prev = generateChannel(cfg, streams, { trial, round }, prev);
 *
 * `prev` matters only with `temporal` (Gauss–Markov); without it every round is an independent
 * block-fading draw. Pass a resolved config to skip re-validation every round.
 * Frequency behaviour (block-flat / iid subcarriers / tapped delay line): see config.ts.
 */
export * from './config.js';
export * from './largescale.js';
export * from './correlation.js';
export * from './frequency.js';
export * from './generate.js';
export * from './apply.js';
export * from './sequence.js';
export * from './subset.js';
export * from './tdl.js';
export * from './mobility.js';
export * from './measure.js';
