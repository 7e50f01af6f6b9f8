/**
 * MIMO tapped-delay-line channel in the time domain: y[n] = Σ_{l<L} h_l x[n − l], h_l ∈ C^{Nr×Nt}.
 *
 * Linear convolution of one continuous transmission (consecutive OFDM symbols with their CPs), so a
 * symbol's delayed tail spills into the next one; the output keeps the input's length (the spill
 * beyond the last sample is dropped). `taps` holds matrices starting at index `first`
 * (for a realisation: first = k·L for device k).
 */
import type { CMatBatch } from '../../linalg/cmat.js';
import { UserInputError } from '../../errors.js';
import type { TimeSignal } from './modem.js';

export function convolveMimo(x: TimeSignal, taps: CMatBatch, first: number, L: number, out?: TimeSignal, accumulate = false): TimeSignal {
  const Nr = taps.rows, Nt = taps.cols;
  if (x.A !== Nt) throw new UserInputError(`convolveMimo: signal has ${x.A} layers, taps have ${Nt} inputs`, 'x.A');
  if (first < 0 || first + L > taps.count) throw new UserInputError(`convolveMimo: taps ${first}..${first + L - 1} outside 0..${taps.count - 1}`, 'taps');
  const n = x.samples;
  const y = out ?? { A: Nr, samples: n, data: new Float64Array(2 * n * Nr) };
  if (y.A !== Nr || y.samples !== n) throw new UserInputError(`convolveMimo.out: shape ${y.A}×${y.samples} is not allowed; expected ${Nr}×${n}`, 'out');
  if (!accumulate) y.data.fill(0);
  const H = taps.data, X = x.data, Y = y.data;
  const hs = 2 * Nr * Nt;
  for (let l = 0; l < L; l++) {
    const h0 = (first + l) * hs;
    for (let s = l; s < n; s++) {
      const x0 = 2 * (s - l) * Nt, y0 = 2 * s * Nr;
      for (let r = 0; r < Nr; r++) {
        let re = 0, im = 0;
        const hr = h0 + 2 * r * Nt;
        for (let a = 0; a < Nt; a++) {
          const hre = H[hr + 2 * a]!, him = H[hr + 2 * a + 1]!;
          const xre = X[x0 + 2 * a]!, xim = X[x0 + 2 * a + 1]!;
          re += hre * xre - him * xim;
          im += hre * xim + him * xre;
        }
        Y[y0 + 2 * r] += re;
        Y[y0 + 2 * r + 1] += im;
      }
    }
  }
  return y;
}
