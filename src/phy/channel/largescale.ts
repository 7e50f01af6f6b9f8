/**
 * Large-scale fading: device drop and path loss, drawn once per trial (not per round).
 *
 * Distances are uniform over the *area* of the annulus d_min ≤ d ≤ d_max (a uniform drop in a ring
 * cell), i.e. d = sqrt(d_min² + u·(d_max² − d_min²)), u ~ U[0, 1). Gain
 * β = 10^(−(refLoss + 10·α·log10 d + X)/10), X ~ N(0, σ_sh²) dB log-normal shadowing.
 * Device k draws from its own stream ('positions', trial, 'device', k): distance first, then
 * shadowing, so adding devices never moves existing ones.
 */
import type { RandomStreams } from '../../random/streams.js';
import type { PathLossConfig } from './config.js';

export interface LargeScale {
  /** linear power gain β_k */
  beta: Float64Array;
  /** distance in metres (NaN when path loss is off) */
  distance: Float64Array;
  /** shadowing in dB (0 without) */
  shadowingDb: Float64Array;
}

/** Path-loss gain (linear) at distance d, without shadowing. */
export function pathGain(pl: PathLossConfig, d: number): number {
  return Math.pow(10, -pathLossDb(pl, d) / 10);
}

/** Path loss in dB at distance d (m), without shadowing. */
export function pathLossDb(pl: PathLossConfig, d: number): number {
  const slope = pl.slopeDb ?? 10 * pl.exponent;
  return pl.refLossDb + slope * Math.log10(pl.refDistanceM === undefined ? d : d / pl.refDistanceM);
}

export function drawLargeScale(K: number, pl: PathLossConfig | undefined, streams: RandomStreams, trial: number): LargeScale {
  const beta = new Float64Array(K).fill(1);
  const distance = new Float64Array(K).fill(NaN);
  const shadowingDb = new Float64Array(K);
  if (!pl) return { beta, distance, shadowingDb };
  const a2 = pl.dMin * pl.dMin, b2 = pl.dMax * pl.dMax;
  for (let k = 0; k < K; k++) {
    const rng = streams.stream('positions', trial, 'device', k);
    const d = Math.sqrt(a2 + rng.uniform() * (b2 - a2));
    const x = pl.shadowingDb ? pl.shadowingDb * rng.normal() : 0;
    distance[k] = d;
    shadowingDb[k] = x;
    beta[k] = Math.pow(10, -(pathLossDb(pl, d) + x) / 10);
  }
  return { beta, distance, shadowingDb };
}
