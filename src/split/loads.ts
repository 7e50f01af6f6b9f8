/**
 * What each device would send, receive and compute if scheduled in a round: the load model a
 * scheduler sees (payload.ts gives the message sizes). Keeps the state that makes loads change from
 * round to round: with 'cached-embeddings', the embedding rows the server already holds.
 */
import type { RoundPayload, UplinkMode } from './payload.js';
import type { RoundState } from './schedulers/types.js';
import type { IntBatch } from '../data/federated.js';

/** One key per example row of a batch: its tokens (the frozen embedding is a function of them). */
export function rowKeys(b: IntBatch): string[] {
  const T = b.seqLen;
  return Array.from({ length: b.size }, (_, i) => b.tokens.subarray(i * T, (i + 1) * T).join(','));
}

export interface LoadModel {
  /** uplink bits of each device if it were scheduled in `round` */
  upBits(round: number): Float64Array;
  /** the round's other timed loads (downlink, compute), given its uplink SNR densities */
  extras(snrDensity: Float64Array): Partial<RoundState>;
  /** the scheduled devices sent their messages in `round` (the server caches their embedding rows) */
  commit(round: number, scheduled: number[]): void;
  /** the same model with empty state (for another scheduler or simulation) */
  fresh(): LoadModel;
}

/** The same uplink every round, nothing else timed (the model of a channel-only study). */
export function fixedLoads(bits: Float64Array): LoadModel {
  return { upBits: () => bits, extras: () => ({}), commit: () => {}, fresh: () => fixedLoads(bits) };
}

export interface TimingModel {
  /** device compute time per round (s) */
  deviceComputeS: number;
  /** server compute time per scheduled device (s) */
  serverPerDeviceS: number;
  /** time the downlink ([CLS] output + device-side parts) */
  downlink: boolean;
  /**
   * downlink SNR per unit of uplink SNR density: γ_k = s_k · P_server / (P_device · B) (reciprocal
   * channel, the server's power spread evenly over the band B)
   */
  downSnrPerUplinkDensity: number;
}

export interface SplitLoadOptions {
  devices: number;
  payload: RoundPayload;
  mode: UplinkMode;
  timing: TimingModel;
  /** the token rows of device k's batch in round t (a string key per row); needed for 'cached-embeddings' */
  rows?: (round: number, k: number) => string[];
}

/** The split protocol's loads under one uplink mode and timing model. */
export class SplitLoads implements LoadModel {
  private readonly cache: Set<string>[];
  private readonly downBits: Float64Array;
  private readonly computeS: Float64Array;
  private readonly memo = new Map<number, string[][]>();

  constructor(readonly opts: SplitLoadOptions) {
    if (opts.mode === 'cached-embeddings' && !opts.rows) throw new Error('SplitLoads: cached-embeddings needs the batch rows');
    this.cache = Array.from({ length: opts.devices }, () => new Set<string>());
    this.downBits = new Float64Array(opts.devices).fill(opts.payload.downEncoderBits + opts.payload.downBroadcastBits);
    this.computeS = new Float64Array(opts.devices).fill(opts.timing.deviceComputeS);
  }

  private rowsOf(round: number): string[][] {
    let r = this.memo.get(round);
    if (!r) {
      this.memo.clear();
      r = Array.from({ length: this.opts.devices }, (_, k) => this.opts.rows!(round, k));
      this.memo.set(round, r);
    }
    return r;
  }

  /** Rows of device k's batch in `round` the server does not hold yet (a batch may repeat a row). */
  newRows(round: number, k: number): number {
    const seen = new Set<string>();
    let n = 0;
    for (const key of this.rowsOf(round)[k]!) {
      if (!this.cache[k]!.has(key) && !seen.has(key)) n++;
      seen.add(key);
    }
    return n;
  }

  upBits(round: number): Float64Array {
    const p = this.opts.payload;
    const K = this.opts.devices;
    const out = new Float64Array(K);
    if (this.opts.mode === 'per-round-embeddings') return out.fill(p.uplinkBits);
    if (this.opts.mode === 'gradients-only') return out.fill(p.upGradientBits);
    for (let k = 0; k < K; k++) {
      const rows = this.rowsOf(round)[k]!.length;
      const fresh = this.newRows(round, k);
      out[k] = p.upGradientBits + fresh * p.upEmbeddingRowBits + (rows - fresh) * p.rowReferenceBits;
    }
    return out;
  }

  extras(s: Float64Array): Partial<RoundState> {
    const t = this.opts.timing;
    const out: Partial<RoundState> = {};
    if (t.downlink) {
      out.downBits = this.downBits;
      out.downEff = Float64Array.from(s, (x) => Math.log2(1 + x * t.downSnrPerUplinkDensity));
    }
    if (t.deviceComputeS > 0) out.computeS = this.computeS;
    if (t.serverPerDeviceS > 0) out.serverPerDeviceS = t.serverPerDeviceS;
    return out;
  }

  commit(round: number, scheduled: number[]): void {
    if (this.opts.mode !== 'cached-embeddings') return;
    const rows = this.rowsOf(round);
    for (const k of scheduled) for (const key of rows[k]!) this.cache[k]!.add(key);
  }

  fresh(): SplitLoads {
    return new SplitLoads(this.opts);
  }
}
