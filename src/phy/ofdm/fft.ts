/**
 * fft.js plans, cached by size. fft.js needs a power of two ≥ 2; we check and raise a
 * UserInputError naming the field instead of its generic Error.
 *
 * Conventions (fft.js): forward X[k] = Σ_n x[n] e^{−j2πkn/N} (unscaled); inverse includes 1/N, so
 * inverse(forward(x)) = x. Buffers are interleaved (re, im) Float64Arrays of length 2N.
 */
import FFT from 'fft.js';
import { UserInputError } from '../../errors.js';

const plans = new Map<number, FFT>();

export function fftPlan(n: number, field = 'fftSize'): FFT {
  let p = plans.get(n);
  if (!p) {
    if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) {
      throw new UserInputError(`${field}: ${n} is not allowed; expected a power of two ≥ 2`, field);
    }
    p = new FFT(n);
    plans.set(n, p);
  }
  return p;
}

/** out = DFT(input), both interleaved length 2n (must not alias). */
export function fft(n: number, input: Float64Array, out: Float64Array): void {
  fftPlan(n).transform(out, input);
}

/** out = IDFT(input) including the 1/n factor, both interleaved length 2n (must not alias). */
export function ifft(n: number, input: Float64Array, out: Float64Array): void {
  fftPlan(n).inverseTransform(out, input);
}
