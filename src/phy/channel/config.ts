/**
 * Channel configuration (plain data; the scenario layer maps YAML onto it) and its validation.
 *
 * Frequency behaviour, chosen by two fields:
 *  - `multipath: undefined`, `iidSubcarriers` unset → block-flat: one Nr×Nt matrix per device per
 *    round, the same on every subcarrier (a 1-tap delay line, L = 1, taps present).
 *  - `iidSubcarriers: true` → the classic broadband-analog-aggregation setting: every subcarrier
 *    draws an independent CN matrix. There is no delay line: the realisation has no `taps` (and
 *    reports L = 1), so the OFDM time-domain path does not apply.
 *  - `multipath: { taps: L, ... }` → tapped delay line with an exponential power-delay profile;
 *    H[m] = Σ_l h_l e^{−j2π l m / N} with N = fftSize, subcarrier m on FFT bin m (0 ≤ m < M ≤ N).
 *  - `tdl: { profile, delaySpreadS }` → a 3GPP TR 38.901 TDL profile (tdl.ts) with its exact tap
 *    delays: H[m] = Σ_l h_l e^{−j2π m Δf τ_l}, Δf = `subcarrierSpacingHz` (no rounding to samples).
 *  `multipath`, `tdl` and `iidSubcarriers` are mutually exclusive.
 *
 * Time variation (mobility.ts): `mobility: { maxDopplerHz }` makes every tap a Clarke/Jakes process
 * (sum of sinusoids), evaluated at any time — across the OFDM symbols of an upload and between rounds
 * (round r's upload starts at r·roundIntervalS). `temporal` (Gauss–Markov per round) is the named
 * alternative; the two are exclusive.
 */
import { UserInputError } from '../../errors.js';
import { checkTdlProfile, tdlKFactorDb, tdlTaps, type TdlProfile } from './tdl.js';

export interface PathLossConfig {
  /** loss at the reference distance (1 m unless refDistanceM) in dB (e.g. 30) */
  refLossDb: number;
  /** path-loss exponent α */
  exponent: number;
  /**
   * reference distance d₀ in metres (default 1): PL = refLoss + 10·α·log10(d/d₀), so a model stated per km
   * (3GPP UMa 128.1 + 37.6·log10(d/km)) is written as it is published, to the last bit
   */
  refDistanceM?: number | undefined;
  /** 10·α in dB per decade when the model states it directly (37.6 for UMa); default 10·exponent */
  slopeDb?: number | undefined;
  /** ring inner radius in metres (> 0) */
  dMin: number;
  /** ring outer radius in metres (≥ dMin) */
  dMax: number;
  /** standard deviation of log-normal shadowing in dB (0 or absent: none) */
  shadowingDb?: number | undefined;
}

export interface CorrelationConfig {
  /** ρ_t: exponential correlation between device (transmit) antennas, in [0, 1] */
  device: number;
  /** ρ_r: exponential correlation between server (receive) antennas, in [0, 1] */
  server: number;
}

export interface MultipathConfig {
  /** number of taps L ≥ 1 (at most fftSize) */
  taps: number;
  /** power decay per tap in dB: p_l ∝ 10^(−decayDb·l/10) */
  decayDb?: number | undefined;
  /**
   * decay constant τ in samples: p_l ∝ e^{−l/τ} (τ is the RMS delay spread of the untruncated
   * continuous exponential profile). Give at most one of decayDb / rmsDelaySamples; neither means a
   * uniform profile.
   */
  rmsDelaySamples?: number | undefined;
}

export interface ChannelConfig {
  /** devices */
  K: number;
  /** server antennas */
  Nr: number;
  /** device antennas */
  Nt: number;
  /** subcarriers */
  M: number;
  pathLoss?: PathLossConfig | undefined;
  correlation?: CorrelationConfig | undefined;
  multipath?: MultipathConfig | undefined;
  /** independent fading on every subcarrier (exclusive with multipath) */
  iidSubcarriers?: boolean | undefined;
  /**
   * CSI error variance ε²: Ĥ = H + E with E ~ CN(0, ε²·β_k) per entry by default (relative to the
   * device's large-scale gain: the normalised-error convention, so ε² is an error-to-channel power
   * ratio), or CN(0, ε²) with `csiErrorMode: 'absolute'`.
   */
  csiError?: number | undefined;
  csiErrorMode?: 'relative' | 'absolute' | undefined;
  /** Gauss–Markov across rounds: G_t = ρ G_{t−1} + sqrt(1−ρ²) W_t, ρ in [0, 1] */
  temporal?: { rho: number } | undefined;
  /** FFT size N ≥ M, power of two; defaults to M. Only used with multipath. */
  fftSize?: number | undefined;
  /** 3GPP TDL profile with its delay spread in seconds (exclusive with multipath / iidSubcarriers) */
  tdl?: { profile: TdlProfile; delaySpreadS: number } | undefined;
  /** subcarrier spacing Δf in Hz (TDL phases, OFDM symbol time); default 15 kHz */
  subcarrierSpacingHz?: number | undefined;
  /** cyclic prefix as a fraction of the useful symbol (OFDM symbol time (1 + cp)/Δf); default 0.07 */
  cpFraction?: number | undefined;
  /** Clarke/Jakes time variation (exclusive with temporal and iidSubcarriers) */
  mobility?: MobilityConfig | undefined;
}

export interface MobilityConfig {
  /** maximum Doppler shift f_D = v·f_c/c in Hz (≥ 0) */
  maxDopplerHz: number;
  /** time between the starts of consecutive rounds' uploads in seconds (default 1) */
  roundIntervalS?: number | undefined;
  /** sinusoids per tap and antenna pair (default 16) */
  sinusoids?: number | undefined;
}

export type FrequencyMode = 'flat' | 'iid' | 'taps' | 'tdl';

/** Validated configuration with defaults filled in. */
export interface ResolvedChannelConfig {
  K: number;
  Nr: number;
  Nt: number;
  M: number;
  mode: FrequencyMode;
  /** taps in the delay line (1 for flat, 0 for iid subcarriers: no delay line) */
  L: number;
  fftSize: number;
  /** normalised power-delay profile (length L, sums to 1); empty for iid */
  pdp: Float64Array;
  pathLoss: PathLossConfig | undefined;
  rhoDevice: number;
  rhoServer: number;
  csiError: number;
  csiErrorMode: 'relative' | 'absolute';
  temporalRho: number | undefined;
  /** tap delays in seconds (tdl mode; length L) */
  delays: Float64Array;
  /** index of the specular LOS tap (tdl D/E: 0), −1 without */
  losTap: number;
  /** K-factor of the LOS tap in dB (null without) */
  kFactorDb: number | null;
  subcarrierSpacingHz: number;
  /** OFDM symbol duration (1 + cp)/Δf in seconds */
  symbolS: number;
  /** resolved mobility (undefined: static within a round) */
  mobility: { maxDopplerHz: number; roundIntervalS: number; sinusoids: number } | undefined;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

function posInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new UserInputError(`${field}: ${String(v)} is not allowed; expected an integer ≥ 1`, field);
  }
  return v;
}

function finite(v: unknown, field: string, lo = -Infinity, hi = Infinity, what = ''): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    const range = what || `a finite number in [${lo}, ${hi}]`;
    throw new UserInputError(`${field}: ${String(v)} is not allowed; expected ${range}`, field);
  }
  return v;
}

/** Normalised exponential power-delay profile (sums to 1). */
export function exponentialPdp(L: number, opts: { decayDb?: number | undefined; rmsDelaySamples?: number | undefined } = {}): Float64Array {
  const p = new Float64Array(L);
  let s = 0;
  for (let l = 0; l < L; l++) {
    let v = 1;
    if (opts.decayDb !== undefined) v = Math.pow(10, (-opts.decayDb * l) / 10);
    else if (opts.rmsDelaySamples !== undefined) v = opts.rmsDelaySamples > 0 ? Math.exp(-l / opts.rmsDelaySamples) : l === 0 ? 1 : 0;
    p[l] = v;
    s += v;
  }
  for (let l = 0; l < L; l++) p[l] = p[l]! / s;
  return p;
}

export function resolveChannelConfig(cfg: ChannelConfig, path = 'channel'): ResolvedChannelConfig {
  const K = posInt(cfg.K, `${path}.K`);
  const Nr = posInt(cfg.Nr, `${path}.Nr`);
  const Nt = posInt(cfg.Nt, `${path}.Nt`);
  const M = posInt(cfg.M, `${path}.M`);

  let pathLoss: PathLossConfig | undefined;
  if (cfg.pathLoss) {
    const p = cfg.pathLoss;
    const f = `${path}.pathLoss`;
    const dMin = finite(p.dMin, `${f}.dMin`, Number.MIN_VALUE, Infinity, 'a distance > 0 in metres');
    const dMax = finite(p.dMax, `${f}.dMax`, dMin, Infinity, `a distance ≥ dMin (${dMin}) in metres`);
    pathLoss = {
      refLossDb: finite(p.refLossDb, `${f}.refLossDb`),
      exponent: finite(p.exponent, `${f}.exponent`, 0, 10),
      dMin,
      dMax,
      shadowingDb: p.shadowingDb === undefined ? 0 : finite(p.shadowingDb, `${f}.shadowingDb`, 0, 100),
    };
  }

  const rhoDevice = cfg.correlation ? finite(cfg.correlation.device, `${path}.correlation.device`, 0, 1) : 0;
  const rhoServer = cfg.correlation ? finite(cfg.correlation.server, `${path}.correlation.server`, 0, 1) : 0;

  if (cfg.tdl && (cfg.multipath || cfg.iidSubcarriers)) {
    throw new UserInputError(`${path}.tdl: not allowed together with ${path}.${cfg.multipath ? 'multipath' : 'iid_subcarriers'}; choose one frequency model`, `${path}.tdl`);
  }
  if (cfg.multipath && cfg.iidSubcarriers) {
    throw new UserInputError(`${path}.iidSubcarriers: true is not allowed together with ${path}.multipath; choose one`, `${path}.iidSubcarriers`);
  }
  let mode: FrequencyMode = cfg.iidSubcarriers ? 'iid' : cfg.multipath ? 'taps' : 'flat';
  let L = mode === 'iid' ? 0 : 1;
  let pdp: Float64Array = mode === 'iid' ? new Float64Array(0) : Float64Array.of(1);
  let fftSize = M;
  if (cfg.fftSize !== undefined) {
    fftSize = posInt(cfg.fftSize, `${path}.fftSize`);
  }
  if (cfg.multipath) {
    const f = `${path}.multipath`;
    L = posInt(cfg.multipath.taps, `${f}.taps`);
    const { decayDb, rmsDelaySamples } = cfg.multipath;
    if (decayDb !== undefined && rmsDelaySamples !== undefined) {
      throw new UserInputError(`${f}: give decayDb or rmsDelaySamples, not both`, f);
    }
    if (decayDb !== undefined) finite(decayDb, `${f}.decayDb`, 0, 1000);
    if (rmsDelaySamples !== undefined) finite(rmsDelaySamples, `${f}.rmsDelaySamples`, 0);
    pdp = exponentialPdp(L, { decayDb, rmsDelaySamples });
    if (L > 1) {
      if (!isPowerOfTwo(fftSize) || fftSize < 2) {
        throw new UserInputError(`${path}.fftSize: ${fftSize} is not allowed; expected a power of two ≥ 2 (fft.js) — set fftSize when M is not one`, `${path}.fftSize`);
      }
      if (L > fftSize) {
        throw new UserInputError(`${f}.taps: ${L} is not allowed; expected at most fftSize (${fftSize})`, `${f}.taps`);
      }
    }
  }
  if (fftSize < M) {
    throw new UserInputError(`${path}.fftSize: ${fftSize} is not allowed; expected ≥ M (${M})`, `${path}.fftSize`);
  }

  const csiError = cfg.csiError === undefined ? 0 : finite(cfg.csiError, `${path}.csiError`, 0);
  const csiErrorMode = cfg.csiErrorMode ?? 'relative';
  if (csiErrorMode !== 'relative' && csiErrorMode !== 'absolute') {
    throw new UserInputError(`${path}.csiErrorMode: ${String(csiErrorMode)} is not allowed; expected 'relative' or 'absolute'`, `${path}.csiErrorMode`);
  }
  const temporalRho = cfg.temporal ? finite(cfg.temporal.rho, `${path}.temporal.rho`, 0, 1) : undefined;
  const subcarrierSpacingHz = cfg.subcarrierSpacingHz === undefined ? 15000 : finite(cfg.subcarrierSpacingHz, 'phy.subcarrier_spacing_khz', Number.MIN_VALUE, Infinity, 'a spacing > 0');
  const cp = cfg.cpFraction === undefined ? 0.07 : finite(cfg.cpFraction, 'airfl.cp_fraction', 0, 10);
  const symbolS = (1 + cp) / subcarrierSpacingHz;
  let delays = new Float64Array(L);
  let losTap = -1;
  let kFactorDb: number | null = null;
  if (cfg.tdl) {
    const f = `${path}.tdl`;
    const profile = checkTdlProfile(cfg.tdl.profile, `${f}.profile`);
    const ds = finite(cfg.tdl.delaySpreadS, `${f}.delaySpreadS`, 0, 1e-3, 'a delay spread in seconds, ≥ 0 and ≤ 1e-3');
    const taps = tdlTaps(profile, ds);
    mode = 'tdl';
    L = taps.length;
    pdp = Float64Array.from(taps, (t) => t.power);
    delays = Float64Array.from(taps, (t) => t.delayS);
    losTap = taps.findIndex((t) => t.los);
    kFactorDb = tdlKFactorDb(profile);
  } else if (mode === 'taps') {
    // integer-sample taps: τ_l = l/(N·Δf), the same phases as the FFT mapping
    for (let l = 0; l < L; l++) delays[l] = l / (fftSize * subcarrierSpacingHz);
  }
  let mobility: ResolvedChannelConfig['mobility'];
  if (cfg.mobility) {
    const f = `${path}.mobility`;
    if (mode === 'iid') throw new UserInputError(`${f}: not allowed with iid_subcarriers (no delay line to make time-varying); use tdl or multipath`, f);
    if (temporalRho !== undefined) throw new UserInputError(`${f}: not allowed together with ${path}.temporal_rho (Gauss–Markov); choose one time model`, f);
    const maxDopplerHz = finite(cfg.mobility.maxDopplerHz, `${f}.max_doppler_hz`, 0, 1e6, 'a Doppler shift ≥ 0 Hz');
    const roundIntervalS = cfg.mobility.roundIntervalS === undefined ? 1 : finite(cfg.mobility.roundIntervalS, `${f}.round_interval_s`, 0, 1e9, 'a time ≥ 0 s');
    const sinusoids = cfg.mobility.sinusoids === undefined ? 16 : posInt(cfg.mobility.sinusoids, `${f}.sinusoids`);
    mobility = { maxDopplerHz, roundIntervalS, sinusoids };
  }
  if (mode === 'taps' && L === 1) mode = 'flat';
  return { K, Nr, Nt, M, mode, L, fftSize, pdp, pathLoss, rhoDevice, rhoServer, csiError, csiErrorMode, temporalRho, delays, losTap, kFactorDb, subcarrierSpacingHz, symbolS, mobility };
}
