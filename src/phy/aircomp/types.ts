/**
 * Over-the-air aggregation: the transceiver-design interface every scheme implements.
 *
 * Per subcarrier m the server receives y_m = Σ_k H_{k,m} V_{k,m} s_{k,m} + n_m and forms
 * U_mᴴ y_m as its estimate of Σ_k φ_k s_{k,m}. A scheme only *designs* (U, V) from the channel the
 * server knows (Ĥ); `apply.ts` pushes symbols through the true channel H. One design therefore serves
 * the analytic MSE, the Monte-Carlo and the trainer's aggregator alike (Flower-style strategy object).
 */
import type { CMatBatch } from '../../linalg/cmat.js';
import type { ChannelRealization } from '../types.js';

/** How the per-device power budget applies. */
export type PowerMode = 'subcarrier' | 'symbol';

export interface DesignContext {
  /** aggregation weights φ_k (length K), e.g. data-size weights; need not sum to 1 */
  phi: Float64Array;
  /** noise variance σ² per receive antenna per subcarrier (linear) */
  sigma2: number;
  /**
   * Per-device transmit power budget P, as *average power per subcarrier* (linear, same unit as σ²·|H|⁻²).
   * 'subcarrier': ‖V_{k,m}‖_F² ≤ P on every subcarrier.
   * 'symbol':     Σ_m ‖V_{k,m}‖_F² ≤ M·P across the OFDM symbol (the same total energy, freely
   *               spread). Stating P per subcarrier in both modes keeps SNR = P/σ² comparable.
   */
  P: number;
  powerMode: PowerMode;
  /** spatial streams S per subcarrier (≤ N_r) */
  S: number;
}

export interface TransceiverDesign {
  scheme: string;
  S: number;
  /** receive combiners: M matrices N_r × S */
  U: CMatBatch;
  /** precoders: K·M matrices N_t × S, index k·M + m (same layout as ChannelRealization.H) */
  V: CMatBatch;
  /**
   * Per subcarrier: E‖Uᴴy − Σφ_k s_k‖² per symbol vector, for unit-power i.i.d. symbols
   * (E[s sᴴ] = I, independent across devices), evaluated on the channel the design saw (Ĥ). With
   * imperfect CSI this is the *designed* MSE; `conditionalMse(ch.H, …)` gives the one on the true H.
   */
  analyticMse: Float64Array;
  /** tci: 1 where device k is silent on subcarrier m, index k·M + m */
  silent?: Uint8Array;
  /**
   * The error-free reference: `applyDesign` returns Σφ_k s_k exactly, U and V are empty (count 0)
   * and no noise is drawn.
   */
  exact?: boolean;
  /** scheme-specific scalars for reports (e.g. eta, iterations, fraction silent) */
  info?: Record<string, number>;
}

/**
 * What a scheme can do, declared by the scheme itself so that the scenario layer and the design loop
 * ask instead of branching on names.
 */
export interface SchemeCapabilities {
  /**
   * Largest number of streams S the scheme supports, relative to the geometry: 'device-antennas' (S ≤ N_t,
   * the design inverts or projects onto an S-dimensional subspace of each device's N_t antennas),
   * 'single' (S = 1 only), or 'server-antennas' (S ≤ N_r only, the general limit).
   */
  maxStreams: 'single' | 'device-antennas' | 'server-antennas';
  /** the aggregate is exact (no noise, no design): the error-free reference */
  exact: boolean;
  /** the design trades MSE against the channel (a candidate transceiver for the AirFL design loop) */
  designable: boolean;
}

export interface AirCompScheme {
  readonly name: string;
  readonly capabilities: SchemeCapabilities;
  design(ch: ChannelRealization, ctx: DesignContext): TransceiverDesign;
}
