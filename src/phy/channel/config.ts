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
 *  `multipath` and `iidSubcarriers` are mutually exclusive.
 */
import { UserInputError } from '../../errors.js';

export interface PathLossConfig {
  /** loss at 1 m in dB (e.g. 30) */
  refLossDb: number;
  /** path-loss exponent α */
  exponent: number;
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
}

export type FrequencyMode = 'flat' | 'iid' | 'taps';

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
  if (mode === 'taps' && L === 1) mode = 'flat';
  return { K, Nr, Nt, M, mode, L, fftSize, pdp, pathLoss, rhoDevice, rhoServer, csiError, csiErrorMode, temporalRho };
}
