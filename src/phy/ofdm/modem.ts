/**
 * Time-domain OFDM: IFFT + cyclic prefix (modulate), CP removal + FFT (demodulate).
 *
 * Time signals are interleaved complex Float64Arrays with A layers (antennas), sample-major:
 * sample n of layer a at complex index n·A + a. One OFDM symbol occupies N + cp samples
 * (N = fftSize), so a grid of T symbols becomes T·(N + cp) samples, symbol t starting at t·(N + cp).
 * Subcarrier m sits on FFT bin m (0 ≤ m < M ≤ N), unused bins are zero. The inverse FFT carries 1/N
 * (fft.js), the forward none, so demodulate(modulate(X)) = X and, through a channel with taps h_l
 * (L − 1 ≤ cp), Y[m] = H[m] X[m] with H[m] = Σ_l h_l e^{−j2π l m/N} (channel/frequency.ts).
 */
import { UserInputError } from '../../errors.js';
import { fftPlan } from './fft.js';
import { resourceGrid, type ResourceGrid } from './grid.js';

export interface TimeSignal {
  /** layers (antennas) */
  A: number;
  /** samples per layer */
  samples: number;
  /** interleaved complex, index n·A + a */
  data: Float64Array;
}

export interface OfdmParams {
  /** FFT size N (power of two ≥ 2, ≥ M) */
  fftSize: number;
  /** cyclic-prefix length in samples (0 ≤ cp ≤ N) */
  cp: number;
}

function checkParams(p: OfdmParams, M: number): void {
  fftPlan(p.fftSize, 'ofdm.fftSize');
  if (p.fftSize < M) throw new UserInputError(`ofdm.fftSize: ${p.fftSize} is not allowed; expected ≥ M (${M})`, 'ofdm.fftSize');
  if (!Number.isInteger(p.cp) || p.cp < 0 || p.cp > p.fftSize) {
    throw new UserInputError(`ofdm.cp: ${p.cp} is not allowed; expected an integer in [0, ${p.fftSize}]`, 'ofdm.cp');
  }
}

export function ofdmModulate(grid: ResourceGrid, p: OfdmParams): TimeSignal {
  const { T, M, A } = grid;
  checkParams(p, M);
  const N = p.fftSize, cp = p.cp, Ls = N + cp;
  const plan = fftPlan(N);
  const out: TimeSignal = { A, samples: T * Ls, data: new Float64Array(2 * T * Ls * A) };
  const inp = new Float64Array(2 * N), td = new Float64Array(2 * N);
  const G = grid.data, O = out.data;
  for (let t = 0; t < T; t++) {
    for (let a = 0; a < A; a++) {
      inp.fill(0);
      for (let m = 0; m < M; m++) {
        const g = 2 * ((t * M + m) * A + a);
        inp[2 * m] = G[g]!;
        inp[2 * m + 1] = G[g + 1]!;
      }
      plan.inverseTransform(td, inp);
      const s0 = t * Ls;
      // CP: the last cp samples first, then the N samples.
      for (let n = 0; n < Ls; n++) {
        const src = n < cp ? N - cp + n : n - cp;
        const d = 2 * ((s0 + n) * A + a);
        O[d] = td[2 * src]!;
        O[d + 1] = td[2 * src + 1]!;
      }
    }
  }
  return out;
}

/** Inverse of ofdmModulate: drop each symbol's CP, FFT, keep bins 0..M−1. T = samples / (N + cp). */
export function ofdmDemodulate(sig: TimeSignal, M: number, p: OfdmParams): ResourceGrid {
  checkParams(p, M);
  const N = p.fftSize, cp = p.cp, Ls = N + cp;
  const T = sig.samples / Ls;
  if (!Number.isInteger(T) || T < 1) {
    throw new UserInputError(`ofdmDemodulate: ${sig.samples} samples is not a positive multiple of fftSize + cp = ${Ls}`, 'samples');
  }
  const A = sig.A;
  const grid = resourceGrid(T, M, A);
  const plan = fftPlan(N);
  const inp = new Float64Array(2 * N), fd = new Float64Array(2 * N);
  const S = sig.data, G = grid.data;
  for (let t = 0; t < T; t++) {
    for (let a = 0; a < A; a++) {
      const s0 = t * Ls + cp;
      for (let n = 0; n < N; n++) {
        const s = 2 * ((s0 + n) * A + a);
        inp[2 * n] = S[s]!;
        inp[2 * n + 1] = S[s + 1]!;
      }
      plan.transform(fd, inp);
      for (let m = 0; m < M; m++) {
        const g = 2 * ((t * M + m) * A + a);
        G[g] = fd[2 * m]!;
        G[g + 1] = fd[2 * m + 1]!;
      }
    }
  }
  return grid;
}
