/**
 * Shapes shared by the PHY layer. The channel *generator* (src/phy/channel/) produces a
 * ChannelRealization; transceiver design (src/phy/aircomp/) reads `Hhat` (what the server
 * believes), and the code that *applies* the channel uses `H` (what the signal goes through), so
 * one realisation serves every aggregation scheme compared in a run.
 */
import type { CMatBatch } from '../linalg/cmat.js';

export interface ChannelDims {
  /** number of devices K */
  K: number;
  /** server (receive) antennas N_r */
  Nr: number;
  /** device (transmit) antennas N_t */
  Nt: number;
  /** subcarriers M */
  M: number;
}

export interface ChannelRealization extends ChannelDims {
  /**
   * True frequency-domain channel: K·M matrices of Nr × Nt, matrix index k·M + m
   * (device-major, then subcarrier). Includes large-scale gain sqrt(β_k).
   */
  H: CMatBatch;
  /** Channel known to the transceiver design, Ĥ = H + E (same layout). Equals H with perfect CSI. */
  Hhat: CMatBatch;
  /** Large-scale power gain β_k (linear, ≤ 1 with path loss; 1 without). */
  beta: Float64Array;
  /** Device distances in metres (NaN when path loss is off). */
  distance: Float64Array;
  /**
   * Time-domain taps when the channel is frequency-selective: K·L matrices of Nr × Nt, index
   * k·L + l. Absent for flat (i.i.d. per subcarrier) fading.
   */
  taps?: CMatBatch;
  /** number of taps L (1 for flat fading) */
  L: number;
  /** FFT size N used to map taps to subcarriers (subcarrier m on bin m); absent when not applicable */
  fftSize?: number;
  /**
   * Time-varying channel (mobility): `H` is the channel at the start of the upload (what the
   * transceivers are designed on, through `Hhat`); `evolution.at(dt)` is the true channel dt seconds
   * later. Absent: the channel is constant over the upload.
   */
  evolution?: ChannelEvolution;
}

export interface ChannelEvolution {
  /** OFDM symbol duration in seconds (symbol t of the upload is at t·symbolS) */
  symbolS: number;
  maxDopplerHz: number;
  /** the true channel (K·M matrices, layout of H) dtS seconds after the upload start */
  at(dtS: number): CMatBatch;
}

/** Index of H_{k,m} in ChannelRealization.H / Hhat. */
export function chIndex(ch: ChannelDims, k: number, m: number): number {
  return k * ch.M + m;
}
