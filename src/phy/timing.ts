/**
 * Air-time and energy of one upload round (shared by the over-the-air and the digital schemes).
 *
 * Δf is the one subcarrier spacing, `phy.subcarrier_spacing_khz` (also the noise bandwidth, the digital
 * rate and the TDL channel's grid). An OFDM symbol lasts T_sym = (1 + cp) / Δf: the useful part 1/Δf plus a cyclic prefix that is a
 * fraction `cp` of it (LTE normal CP ≈ 0.07). Over-the-air aggregation of D real entries on M
 * subcarriers × S streams needs T(D) = ceil(D / (2·M·S)) OFDM symbols — all devices transmit at once,
 * so the round's air-time is T(D)·T_sym whatever K is, and it grows linearly with the LoRA rank
 * through D.
 */
import { UserInputError } from '../errors.js';

export interface OfdmTiming {
  /** subcarrier spacing Δf in Hz */
  subcarrierSpacingHz: number;
  /** cyclic-prefix length as a fraction of the useful symbol (default 0.07) */
  cpFraction?: number;
}

export function ofdmSymbolSeconds(t: OfdmTiming): number {
  const df = t.subcarrierSpacingHz;
  const cp = t.cpFraction ?? 0.07;
  if (!(df > 0)) throw new UserInputError(`phy.subcarrier_spacing_khz: ${df / 1e3} is not allowed; expected a number > 0`, 'phy.subcarrier_spacing_khz');
  if (!(cp >= 0)) throw new UserInputError(`phy.cp_fraction: ${cp} is not allowed; expected a number ≥ 0`, 'phy.cp_fraction');
  return (1 + cp) / df;
}

/** OFDM symbols T(D) = ceil(D / (2·M·S)) for an over-the-air upload of D real entries. */
export function airCompSymbols(D: number, M: number, S: number): number {
  return Math.ceil(D / (2 * M * S));
}

/** Air-time in seconds of an over-the-air upload. */
export function airCompLatencySeconds(D: number, M: number, S: number, t: OfdmTiming): number {
  return airCompSymbols(D, M, S) * ofdmSymbolSeconds(t);
}

/**
 * Transmit energy in joules of an over-the-air upload: device k radiates Σ_m ‖V_{k,m}‖² (power per
 * subcarrier, in W when P is in W; unit-power symbols) during each of the T OFDM symbols.
 * `precoderPower[k]` is Σ_m ‖V_{k,m}‖_F².
 */
export function airCompEnergyJoules(precoderPower: ArrayLike<number>, symbols: number, t: OfdmTiming): Float64Array {
  const ts = ofdmSymbolSeconds(t);
  return Float64Array.from(precoderPower as ArrayLike<number>, (p) => p * symbols * ts);
}
