/**
 * Time-domain taps → per-subcarrier frequency response.
 *
 * H[m] = Σ_l h_l e^{−j2π l m / N}, N = fftSize, subcarrier m on FFT bin m (0 ≤ m < M ≤ N): the
 * forward DFT of the zero-padded taps, computed with fft.js per matrix entry. This is the response
 * the OFDM time-domain path (IFFT, CP, convolution, CP removal, FFT) realises when CP ≥ L − 1.
 */
import type { CMatBatch } from '../../linalg/cmat.js';
import { fftPlan } from '../ofdm/fft.js';

/**
 * Fill H (count·M matrices, index g·M + m) from taps (count·L matrices, index g·L + l), both Nr×Nt.
 * With L = 1 every subcarrier gets the single tap (no FFT needed).
 */
export function tapsToFrequency(taps: CMatBatch, L: number, M: number, fftSize: number, H: CMatBatch): void {
  const E = taps.rows * taps.cols;
  const sz = 2 * E;
  const groups = taps.count / L;
  const T = taps.data, Hd = H.data;
  if (L === 1) {
    for (let g = 0; g < groups; g++) {
      const src = T.subarray(g * sz, (g + 1) * sz);
      for (let m = 0; m < M; m++) Hd.set(src, (g * M + m) * sz);
    }
    return;
  }
  const plan = fftPlan(fftSize);
  const inp = new Float64Array(2 * fftSize);
  const out = new Float64Array(2 * fftSize);
  for (let g = 0; g < groups; g++) {
    for (let e = 0; e < E; e++) {
      inp.fill(0);
      for (let l = 0; l < L; l++) {
        const s = (g * L + l) * sz + 2 * e;
        inp[2 * l] = T[s]!;
        inp[2 * l + 1] = T[s + 1]!;
      }
      plan.transform(out, inp);
      for (let m = 0; m < M; m++) {
        const d = (g * M + m) * sz + 2 * e;
        Hd[d] = out[2 * m]!;
        Hd[d + 1] = out[2 * m + 1]!;
      }
    }
  }
}
