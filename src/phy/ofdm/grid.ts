/**
 * Resource grid: T OFDM symbols × M subcarriers × A layers (streams or antennas).
 *
 * Buffer layout: interleaved complex Float64Array of length 2·T·M·A; entry (t, m, a) at complex
 * index (t·M + m)·A + a (layer fastest, then subcarrier, then OFDM symbol) — the same order as the
 * symbol mapping, so the A-vector of (m, t) is contiguous.
 */
import { UserInputError } from '../../errors.js';

export interface ResourceGrid {
  /** OFDM symbols */
  T: number;
  /** subcarriers */
  M: number;
  /** layers (streams S, or antennas) */
  A: number;
  data: Float64Array;
}

export function resourceGrid(T: number, M: number, A: number, data?: Float64Array): ResourceGrid {
  for (const [v, f] of [[T, 'T'], [M, 'M'], [A, 'A']] as const) {
    if (!Number.isInteger(v) || v < 1) throw new UserInputError(`resourceGrid.${f}: ${v} is not allowed; expected an integer ≥ 1`, f);
  }
  const n = 2 * T * M * A;
  if (data && data.length !== n) throw new UserInputError(`resourceGrid.data: length ${data.length} is not allowed; expected ${n}`, 'data');
  return { T, M, A, data: data ?? new Float64Array(n) };
}

/** Complex index of (t, m, a); real part at 2×, imaginary at 2× + 1. */
export function gridIndex(g: { M: number; A: number }, t: number, m: number, a: number): number {
  return (t * g.M + m) * g.A + a;
}
