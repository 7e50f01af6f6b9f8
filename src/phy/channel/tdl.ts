/**
 * 3GPP TR 38.901 tapped-delay-line profiles TDL-A … TDL-E (Tables 7.7.2-1 to 7.7.2-5), v16/v17.
 *
 * Each row: normalised delay (multiply by the delay spread DS) and power in dB, in the table's order.
 * TDL-A/B/C are NLOS (every tap Rayleigh). TDL-D/E are LOS: their first two rows share delay 0 — the
 * first is the specular line-of-sight component, the second the Rayleigh part of the same tap — and
 * the K-factor of that tap is their power ratio (13.3 dB for TDL-D, 22 dB for TDL-E).
 *
 * The channel uses the taps with their exact delays (no rounding to samples): subcarrier m sees
 * H[m] = Σ_l h_l e^{−j2π m Δf τ_l} (frequency.ts `tapsToFrequencyExact`).
 */
import { UserInputError } from '../../errors.js';

export const TDL_PROFILES = ['A', 'B', 'C', 'D', 'E'] as const;
export type TdlProfile = (typeof TDL_PROFILES)[number];

interface TdlTable {
  los: boolean;
  /** [normalised delay, power dB] */
  rows: readonly (readonly [number, number])[];
}

/** Tables 7.7.2-1 … 7.7.2-5 of 3GPP TR 38.901. */
export const TDL_TABLES: Readonly<Record<TdlProfile, TdlTable>> = {
  A: {
    los: false,
    rows: [
      [0.0, -13.4], [0.3819, 0.0], [0.4025, -2.2], [0.5868, -4.0], [0.461, -6.0], [0.5375, -8.2],
      [0.6708, -9.9], [0.575, -10.5], [0.7618, -7.5], [1.5375, -15.9], [1.8978, -6.6], [2.2242, -16.7],
      [2.1718, -12.4], [2.4942, -15.2], [2.5119, -10.8], [3.0582, -11.3], [4.081, -12.7], [4.4579, -16.2],
      [4.5695, -18.3], [4.7966, -18.9], [5.0066, -16.6], [5.3043, -19.9], [9.6586, -29.7],
    ],
  },
  B: {
    los: false,
    rows: [
      [0.0, 0.0], [0.1072, -2.2], [0.2155, -4.0], [0.2095, -3.2], [0.287, -9.8], [0.2986, -1.2],
      [0.3752, -3.4], [0.5055, -5.2], [0.3681, -7.6], [0.3697, -3.0], [0.57, -8.9], [0.5283, -9.0],
      [1.1021, -4.8], [1.2756, -5.7], [1.5474, -7.5], [1.7842, -1.9], [2.0169, -7.6], [2.8294, -12.2],
      [3.0219, -9.8], [3.6187, -11.4], [4.1067, -14.9], [4.279, -9.2], [4.7834, -11.3],
    ],
  },
  C: {
    los: false,
    rows: [
      [0.0, -4.4], [0.2099, -1.2], [0.2219, -3.5], [0.2329, -5.2], [0.2176, -2.5], [0.6366, 0.0],
      [0.6448, -2.2], [0.656, -3.9], [0.6584, -7.4], [0.7935, -7.1], [0.8213, -10.7], [0.9336, -11.1],
      [1.2285, -5.1], [1.3083, -6.8], [2.1704, -8.7], [2.7105, -13.2], [4.2589, -13.9], [4.6003, -13.9],
      [5.4902, -15.8], [5.6077, -17.1], [6.3065, -16.0], [6.6374, -15.7], [7.0427, -21.6], [8.6523, -22.8],
    ],
  },
  D: {
    los: true,
    rows: [
      [0.0, -0.2], [0.0, -13.5], [0.035, -18.8], [0.612, -21.0], [1.363, -22.8], [1.405, -17.9],
      [1.804, -20.1], [2.596, -21.9], [1.775, -22.9], [4.042, -27.8], [7.937, -23.6], [9.424, -24.8],
      [9.708, -30.0], [12.525, -27.7],
    ],
  },
  E: {
    los: true,
    rows: [
      [0.0, -0.03], [0.0, -22.03], [0.5133, -15.8], [0.544, -18.1], [0.563, -19.8], [0.544, -22.9],
      [0.7112, -22.4], [1.9092, -18.6], [1.9293, -20.8], [1.9589, -22.6], [2.6426, -22.3], [3.7136, -25.6],
      [5.4524, -20.2], [12.0034, -29.8], [20.6519, -29.2],
    ],
  },
};

/** One tap of a resolved profile: delay in seconds, linear power (all taps sum to 1), LOS flag. */
export interface ChannelTap {
  delayS: number;
  power: number;
  los: boolean;
}

export function checkTdlProfile(p: unknown, field = 'phy.channel.tdl.profile'): TdlProfile {
  if (typeof p !== 'string' || !(TDL_PROFILES as readonly string[]).includes(p)) {
    throw new UserInputError(`${field}: ${String(p)} is not allowed; expected one of ${TDL_PROFILES.join(', ')}`, field);
  }
  return p as TdlProfile;
}

/** The profile's taps with delays × delay spread and powers normalised to sum 1 (table order). */
export function tdlTaps(profile: TdlProfile, delaySpreadS: number): ChannelTap[] {
  const t = TDL_TABLES[checkTdlProfile(profile)];
  const lin = t.rows.map(([, db]) => Math.pow(10, db / 10));
  const tot = lin.reduce((a, b) => a + b, 0);
  return t.rows.map(([d], i) => ({ delayS: d * delaySpreadS, power: lin[i]! / tot, los: t.los && i === 0 }));
}

/** K-factor of the LOS tap in dB (specular over Rayleigh power at delay 0); null for NLOS profiles. */
export function tdlKFactorDb(profile: TdlProfile): number | null {
  const t = TDL_TABLES[checkTdlProfile(profile)];
  if (!t.los) return null;
  return t.rows[0]![1] - t.rows[1]![1];
}

/** |Σ_l p_l e^{−j2π Δf τ_l}|: the normalised frequency correlation of a tap profile at lag Δf (Hz). */
export function profileFrequencyCorrelation(taps: readonly ChannelTap[], lagHz: number): number {
  let re = 0, im = 0;
  for (const t of taps) {
    re += t.power * Math.cos(2 * Math.PI * lagHz * t.delayS);
    im -= t.power * Math.sin(2 * Math.PI * lagHz * t.delayS);
  }
  return Math.hypot(re, im);
}
