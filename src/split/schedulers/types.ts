/** One interface for every device scheduler of split federated fine-tuning. */
import type { Allocation, Links } from '../bandwidth.js';

/** What a scheduler may look at in round t (current CSI only: the online setting). */
export interface RoundState {
  /** round index t (0-based) */
  round: number;
  /** horizon T (rounds) */
  horizon: number;
  /** SNR densities s_k = p_k g_k / N0 (Hz) of this round */
  snrDensity: Float64Array;
  /** uplink payload of each device if scheduled this round (bits) */
  payloadBits: Float64Array;
  /** total uplink bandwidth B (Hz) */
  bandwidthHz: number;
  /** virtual-queue backlog Q_t (s) */
  queue: number;
  /** average-delay budget τ̄ (s) */
  budgetS: number;
  /** downlink bits per device ([CLS] output and device-side parts; absent: downlink not timed) */
  downBits?: Float64Array | undefined;
  /** downlink spectral efficiency log2(1 + γ_k) per device (bit/s/Hz) */
  downEff?: Float64Array | undefined;
  /** device compute time per device (s) */
  computeS?: Float64Array | undefined;
  /** server compute time per scheduled device (s) */
  serverPerDeviceS?: number | undefined;
}

/** The per-device time model of a round (bandwidth.ts). */
export function linksOf(st: RoundState): Links {
  return { s: st.snrDensity, upBits: st.payloadBits, downBits: st.downBits, downEff: st.downEff, computeS: st.computeS, serverPerDeviceS: st.serverPerDeviceS };
}

export interface Decision extends Allocation {
  /** scheduled devices, ascending */
  scheduled: number[];
}

export interface Scheduler {
  /** stable identifier used in results files ('lyapunov', 'all-in', 'random', ...) */
  readonly name: string;
  decide(state: RoundState): Decision;
}

export type BandwidthRule = 'equal' | 'min-max';
