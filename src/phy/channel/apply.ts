/**
 * Applying a realisation in the frequency domain: Y[m, t] = H_k[m] · X[m, t] per subcarrier.
 *
 * Grids use the ResourceGrid layout (src/phy/ofdm/grid.ts): complex index (t·M + m)·A + a with A
 * layers (antennas here), interleaved (re, im). X has Nt layers (device antennas), Y has Nr layers
 * (server antennas). The generator is separate, so every scheme can push its own X through the
 * same H.
 */
import type { ChannelRealization } from '../types.js';
import { UserInputError } from '../../errors.js';

/**
 * Y (+)= H_k[m] X[m, t] for all m < M and t < T, T = X.length / (2·M·Nt). Uses `ch.H` (the true
 * channel). With `accumulate` the product is added to Y (superposition of devices).
 */
export function applyChannelFreq(ch: ChannelRealization, k: number, X: Float64Array, Y: Float64Array, accumulate = false): Float64Array {
  const { M, Nr, Nt } = ch;
  const T = X.length / (2 * M * Nt);
  if (!Number.isInteger(T)) throw new UserInputError(`applyChannelFreq.X: length ${X.length} is not a multiple of 2·M·Nt = ${2 * M * Nt}`, 'X');
  if (Y.length !== 2 * T * M * Nr) throw new UserInputError(`applyChannelFreq.Y: length ${Y.length} is not allowed; expected ${2 * T * M * Nr}`, 'Y');
  if (!(k >= 0 && k < ch.K)) throw new UserInputError(`applyChannelFreq.k: ${k} is not allowed; expected 0..${ch.K - 1}`, 'k');
  if (!accumulate) Y.fill(0);
  const Hd = ch.H.data;
  const hs = 2 * Nr * Nt;
  for (let t = 0; t < T; t++) {
    for (let m = 0; m < M; m++) {
      const h0 = (k * M + m) * hs;
      const x0 = 2 * (t * M + m) * Nt;
      const y0 = 2 * (t * M + m) * Nr;
      for (let r = 0; r < Nr; r++) {
        let re = 0, im = 0;
        const hr = h0 + 2 * r * Nt;
        for (let a = 0; a < Nt; a++) {
          const hre = Hd[hr + 2 * a]!, him = Hd[hr + 2 * a + 1]!;
          const xre = X[x0 + 2 * a]!, xim = X[x0 + 2 * a + 1]!;
          re += hre * xre - him * xim;
          im += hre * xim + him * xre;
        }
        Y[y0 + 2 * r] += re;
        Y[y0 + 2 * r + 1] += im;
      }
    }
  }
  return Y;
}
