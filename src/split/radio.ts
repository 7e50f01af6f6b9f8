/**
 * Single-antenna FDMA uplink of split federated fine-tuning: per-round large- and small-scale gains.
 *
 * Device k sits at distance d_k (drawn once per trial, uniform in area of an annulus) with path loss
 * PL(d) = 128.1 + 37.6 log10(d / 1 km) dB (3GPP urban macro, the convention of papers.md §2.3). Each
 * round redraws Rayleigh block fading |h|² ~ Exp(1), constant over the round (block fading). What a
 * scheduler needs is the received SNR density s_k = p_k g_k / N0 in Hz: the rate over bandwidth b is
 * b log2(1 + s_k / b).
 */
import { RandomStreams } from '../random/streams.js';
import { UserInputError } from '../errors.js';
import { dbmToWatts } from '../phy/noise.js';

/** The split uplink's radio (named apart from the PHY's RadioConfig of an AirComp training run). */
export interface SplitRadio {
  /** number of devices K */
  devices: number;
  /** total uplink bandwidth B (Hz) */
  bandwidthHz: number;
  /** device transmit power (dBm), same for every device */
  txPowerDbm: number;
  /** noise power spectral density (dBm/Hz) */
  noiseDbmPerHz: number;
  /** device distances are drawn uniformly over the annulus [minM, maxM] around the server (m) */
  minDistanceM: number;
  maxDistanceM: number;
}

export const defaultRadio: SplitRadio = {
  devices: 20,
  bandwidthHz: 10e6,
  txPowerDbm: 23,
  noiseDbmPerHz: -174,
  minDistanceM: 50,
  maxDistanceM: 500,
};

/** Path loss in dB at distance `dM` metres: 128.1 + 37.6 log10(d in km). */
export function pathLossDb(dM: number): number {
  return 128.1 + 37.6 * Math.log10(dM / 1000);
}

export function validateRadio(r: SplitRadio, field = 'split.radio'): void {
  const pos = (v: number, name: string) => {
    if (!(Number.isFinite(v) && v > 0)) {
      throw new UserInputError(`${field}.${name} = ${v}: must be a positive finite number`, `${field}.${name}`);
    }
  };
  if (!Number.isInteger(r.devices) || r.devices < 1) {
    throw new UserInputError(`${field}.devices = ${r.devices}: must be an integer ≥ 1`, `${field}.devices`);
  }
  pos(r.bandwidthHz, 'bandwidthHz');
  pos(r.minDistanceM, 'minDistanceM');
  pos(r.maxDistanceM, 'maxDistanceM');
  if (r.maxDistanceM < r.minDistanceM) {
    throw new UserInputError(`${field}.maxDistanceM = ${r.maxDistanceM}: must be ≥ minDistanceM (${r.minDistanceM})`, `${field}.maxDistanceM`);
  }
  if (!Number.isFinite(r.txPowerDbm)) throw new UserInputError(`${field}.txPowerDbm = ${r.txPowerDbm}: must be finite`, `${field}.txPowerDbm`);
  if (!Number.isFinite(r.noiseDbmPerHz)) throw new UserInputError(`${field}.noiseDbmPerHz = ${r.noiseDbmPerHz}: must be finite`, `${field}.noiseDbmPerHz`);
}

/**
 * Device distances of one trial (stream 'split-position', trial, 'device', k): uniform over the
 * annulus area, so d = sqrt(u (R² − r²) + r²).
 */
export function drawDistances(streams: RandomStreams, trial: number, r: SplitRadio): Float64Array {
  const d = new Float64Array(r.devices);
  const lo2 = r.minDistanceM ** 2;
  const hi2 = r.maxDistanceM ** 2;
  for (let k = 0; k < r.devices; k++) {
    const u = streams.stream('split-position', trial, 'device', k).uniform();
    d[k] = Math.sqrt(lo2 + u * (hi2 - lo2));
  }
  return d;
}

/** Linear large-scale gains 10^(−PL/10) for given distances. */
export function largeScaleGains(distM: Float64Array): Float64Array {
  const g = new Float64Array(distM.length);
  for (let k = 0; k < g.length; k++) g[k] = 10 ** (-pathLossDb(distM[k]!) / 10);
  return g;
}

/**
 * SNR densities s_k = p g_k |h_k|² / N0 (Hz) of one round. Rayleigh: |h|² = −ln(1 − u) ~ Exp(1),
 * one stream per (trial, round, device) named 'split-channel', so every scheduler sees the same draw.
 */
export function drawRoundSnrDensity(
  streams: RandomStreams, trial: number, round: number, r: SplitRadio, largeScale: Float64Array,
): Float64Array {
  const pOverN0 = dbmToWatts(r.txPowerDbm) / dbmToWatts(r.noiseDbmPerHz);
  const s = new Float64Array(r.devices);
  for (let k = 0; k < r.devices; k++) {
    const u = streams.stream('split-channel', trial, round, 'device', k).uniform();
    s[k] = pOverN0 * largeScale[k]! * -Math.log1p(-u);
  }
  return s;
}
