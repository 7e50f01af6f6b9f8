/** OFDM resource grid, time-domain modem, MIMO tap convolution and symbol mapping. */
export * from './fft.js';
export * from './grid.js';
export * from './modem.js';
export * from './convolve.js';
export * from './mapping.js';
