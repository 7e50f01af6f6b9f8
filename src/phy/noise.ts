/**
 * Units and receiver noise.
 *
 * Two ways to set the noise variance σ² per subcarrier (per complex sample, the variance of
 * n ~ CN(0, σ² I)):
 *  - SNR mode (no path loss): σ² = P / 10^(SNR/10), P the reference transmit power (default 1), so
 *    SNR is the per-device transmit-power-to-noise ratio on a unit-gain channel.
 *  - physical mode: σ² = 10^((−174 + 10·log10(Δf) + NF)/10) mW, i.e. thermal noise density
 *    −174 dBm/Hz over one subcarrier spacing Δf plus the receiver noise figure; returned in watts
 *    so it pairs with transmit powers from dbmToWatts and channels that include β.
 */
import { UserInputError } from '../errors.js';

export const THERMAL_NOISE_DBM_PER_HZ = -174;

export function dbToLinear(db: number): number {
  return Math.pow(10, db / 10);
}

export function linearToDb(x: number): number {
  return x > 0 ? 10 * Math.log10(x) : -Infinity;
}

export function dbmToWatts(dbm: number): number {
  return Math.pow(10, (dbm - 30) / 10);
}

export function wattsToDbm(w: number): number {
  return w > 0 ? 10 * Math.log10(w) + 30 : -Infinity;
}

/** σ² = P / 10^(snrDb/10). */
export function noiseVarianceFromSnr(snrDb: number, power = 1, field = 'snr_db'): number {
  if (!Number.isFinite(snrDb)) throw new UserInputError(`${field}: ${snrDb} is not allowed; expected a finite number of dB`, field);
  if (!(power > 0) || !Number.isFinite(power)) throw new UserInputError(`power: ${power} is not allowed; expected a finite value > 0`, 'power');
  return power / dbToLinear(snrDb);
}

/** Thermal noise power in dBm over `bandwidthHz` with noise figure `noiseFigureDb`. */
export function thermalNoiseDbm(bandwidthHz: number, noiseFigureDb = 0): number {
  if (!(bandwidthHz > 0) || !Number.isFinite(bandwidthHz)) {
    throw new UserInputError(`subcarrierSpacingHz: ${bandwidthHz} is not allowed; expected a bandwidth > 0 in Hz`, 'subcarrierSpacingHz');
  }
  if (!Number.isFinite(noiseFigureDb) || noiseFigureDb < 0) {
    throw new UserInputError(`noiseFigureDb: ${noiseFigureDb} is not allowed; expected a finite value ≥ 0 dB`, 'noiseFigureDb');
  }
  return THERMAL_NOISE_DBM_PER_HZ + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

/** σ² per subcarrier in watts: −174 dBm/Hz + 10·log10(Δf) + NF. */
export function noiseVariancePhysical(subcarrierSpacingHz: number, noiseFigureDb = 0): number {
  return dbmToWatts(thermalNoiseDbm(subcarrierSpacingHz, noiseFigureDb));
}

export type NoiseSpec =
  | { mode: 'snr'; snrDb: number; power?: number }
  | { mode: 'physical'; subcarrierSpacingHz: number; noiseFigureDb?: number };

/** σ² per subcarrier for either mode (see the file comment). */
export function noiseVariance(spec: NoiseSpec): number {
  if (spec.mode === 'snr') return noiseVarianceFromSnr(spec.snrDb, spec.power ?? 1);
  if (spec.mode === 'physical') return noiseVariancePhysical(spec.subcarrierSpacingHz, spec.noiseFigureDb ?? 0);
  throw new UserInputError(`noise.mode: ${String((spec as { mode: unknown }).mode)} is not allowed; expected 'snr' or 'physical'`, 'noise.mode');
}
