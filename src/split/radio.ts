/**
 * Single-antenna FDMA uplink of split federated fine-tuning: per-round large- and small-scale gains,
 * on the PHY's geometry and units (src/phy/channel/largescale.ts, src/phy/noise.ts).
 *
 * Device k is dropped once per trial uniformly over the area of a ring (the PHY's drawLargeScale) with
 * path loss PL(d) = 128.1 + 37.6 log10(d / 1 km) dB (3GPP urban macro, the convention of papers.md
 * §2.3), i.e. the PHY's PathLossConfig with refLossDb = 128.1 at d₀ = 1 km and 37.6 dB per decade, as
 * published, so the gains are the same to the last bit as the formula's.
 * Each round redraws Rayleigh block fading |h|² ~ Exp(1), constant over the round. What a scheduler
 * needs is the received SNR density s_k = p_k g_k / N0 in Hz: the rate over bandwidth b is
 * b log2(1 + s_k / b).
 */
import { RandomStreams, type StreamKey } from '../random/streams.js';
import { UserInputError } from '../errors.js';
import { dbmToWatts } from '../phy/noise.js';
import { drawLargeScale } from '../phy/channel/largescale.js';
import type { PathLossConfig } from '../phy/channel/config.js';

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
  /** the ring drop and path loss (the PHY's large-scale model) */
  pathLoss: PathLossConfig;
}

/** 3GPP urban-macro path loss 128.1 + 37.6 log10(d/km) dB on the ring [minM, maxM] m, in the PHY's terms. */
export function umaPathLoss(minM: number, maxM: number): PathLossConfig {
  return { refLossDb: 128.1, exponent: 3.76, slopeDb: 37.6, refDistanceM: 1000, dMin: minM, dMax: maxM };
}

export const defaultRadio: SplitRadio = {
  devices: 20,
  bandwidthHz: 10e6,
  txPowerDbm: 23,
  noiseDbmPerHz: -174,
  pathLoss: umaPathLoss(50, 500),
};

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
  pos(r.pathLoss.dMin, 'pathLoss.dMin');
  pos(r.pathLoss.dMax, 'pathLoss.dMax');
  if (r.pathLoss.dMax < r.pathLoss.dMin) {
    throw new UserInputError(`${field}.pathLoss.dMax = ${r.pathLoss.dMax}: must be ≥ dMin (${r.pathLoss.dMin})`, `${field}.pathLoss.dMax`);
  }
  if (!Number.isFinite(r.txPowerDbm)) throw new UserInputError(`${field}.txPowerDbm = ${r.txPowerDbm}: must be finite`, `${field}.txPowerDbm`);
  if (!Number.isFinite(r.noiseDbmPerHz)) throw new UserInputError(`${field}.noiseDbmPerHz = ${r.noiseDbmPerHz}: must be finite`, `${field}.noiseDbmPerHz`);
}

/**
 * The PHY draws device k's drop from ('positions', trial, 'device', k); split runs draw theirs from
 * ('split-position', trial, 'device', k), as they always have, so their device positions (and every
 * result made before split used the PHY's drop) stay the same. Nothing else is renamed.
 */
class SplitDropStreams extends RandomStreams {
  constructor(private readonly inner: RandomStreams) {
    super(inner.seed);
  }
  override stream(...path: StreamKey[]) {
    return this.inner.stream(...(path[0] === 'positions' ? ['split-position', ...path.slice(1)] : path));
  }
}

/** Device distances (m) and linear large-scale gains of one trial (the PHY's ring drop and path loss). */
export function dropDevices(streams: RandomStreams, trial: number, r: SplitRadio): { distanceM: Float64Array; gain: Float64Array } {
  const ls = drawLargeScale(r.devices, r.pathLoss, new SplitDropStreams(streams), trial);
  return { distanceM: ls.distance, gain: ls.beta };
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
