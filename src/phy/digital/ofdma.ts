/**
 * Digital upload over OFDMA, the baseline over-the-air aggregation is compared against.
 *
 * Each device quantises its update to `bits` bits per entry (unbiased stochastic uniform quantiser
 * over the vector's [min, max]; min and max travel as two 32-bit floats), and uploads it error-free at
 * the Shannon rate of its own subcarriers; the server averages the dequantised vectors with the weights
 * φ_k. The only aggregation error is quantisation error; the price is air-time, because devices share
 * the band instead of superposing.
 *
 * Resource split (documented choice; the papers do not say): with M ≥ K, device k gets the
 * interleaved subcarriers {m : m mod K = k} and all devices upload in parallel; with M < K, devices
 * take turns (TDMA) on the whole band. A device spends the same energy per OFDM symbol as in
 * over-the-air transmission: its budget M·P is spread evenly over its subcarriers and N_t antennas
 * (no water-filling), so per subcarrier the rate is log2 det(I + (P_sc / (N_t σ²)) Hᴴ H) bit/s/Hz.
 * Useful-time efficiency 1/(1 + cp) accounts for the cyclic prefix.
 */
import { NumericalError, UserInputError } from '../../errors.js';
import { batchItem, cmat } from '../../linalg/cmat.js';
import { gramInto } from '../../linalg/small.js';
import { logdetHPD } from '../../linalg/cholesky.js';
import type { Rng } from '../../random/streams.js';
import type { ChannelRealization } from '../types.js';
import { ofdmSymbolSeconds, type OfdmTiming } from '../timing.js';

export interface DigitalOptions extends OfdmTiming {
  /** quantiser resolution in bits per entry (1..32); 32 means float32 without quantisation */
  bits: number;
  /** per-device power budget P per subcarrier on average (linear, same unit as σ²) */
  P: number;
  /** noise variance per subcarrier */
  sigma2: number;
}

export interface DigitalUploadResult {
  /** Σ_k φ_k Q(x_k) */
  estimate: Float64Array;
  /** round latency: slowest device (FDMA) or sum over devices (TDMA), seconds */
  latencyS: number;
  /** per-device upload time in seconds */
  deviceLatencyS: Float64Array;
  /** per-device rate in bit/s */
  rateBps: Float64Array;
  /** per-device transmit energy in joules (power M·P while transmitting) */
  energyJ: Float64Array;
  /** bits each device sends */
  payloadBits: number;
  access: 'fdma' | 'tdma';
}

/** Spectral efficiency (bit/s/Hz) of device k on subcarrier m with power pSc on that subcarrier. */
export function mimoSpectralEfficiency(ch: ChannelRealization, k: number, m: number, pSc: number, sigma2: number): number {
  const H = batchItem(ch.H, k * ch.M + m);
  const G = cmat(ch.Nt, ch.Nt);
  // I + (p/(Nt σ²)) Hᴴ H: gram with loading, scaled
  gramInto(H, G, 'AHA');
  const a = pSc / (ch.Nt * sigma2);
  for (let i = 0; i < G.data.length; i++) G.data[i] *= a;
  for (let i = 0; i < ch.Nt; i++) G.data[2 * (i * ch.Nt + i)] += 1;
  return logdetHPD(G) / Math.LN2;
}

/** Unbiased stochastic uniform quantiser: E[Q(x)] = x, |Q(x) − x| ≤ step. */
export function quantize(x: Float64Array | Float32Array, bits: number, rng: Rng): Float64Array {
  const out = new Float64Array(x.length);
  if (bits >= 32) {
    for (let i = 0; i < x.length; i++) out[i] = Math.fround(x[i]!);
    return out;
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of x) {
    if (!Number.isFinite(v)) throw new NumericalError('digital upload: non-finite entry in an update vector');
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  lo = Math.fround(lo);
  hi = Math.fround(hi);
  if (!(hi > lo)) {
    out.fill(lo);
    return out;
  }
  const levels = 2 ** bits - 1;
  const step = (hi - lo) / levels;
  for (let i = 0; i < x.length; i++) {
    const u = (x[i]! - lo) / step;
    const f = Math.floor(u);
    const q = Math.min(levels, f + (rng.uniform() < u - f ? 1 : 0));
    out[i] = lo + q * step;
  }
  return out;
}

export function digitalUpload(
  ch: ChannelRealization,
  vectors: readonly (Float64Array | Float32Array)[],
  phi: ArrayLike<number>,
  opts: DigitalOptions,
  quantRng: (k: number) => Rng,
): DigitalUploadResult {
  const { K, M } = ch;
  if (!Number.isInteger(opts.bits) || opts.bits < 1 || opts.bits > 32) {
    throw new UserInputError(`digital.bits: ${opts.bits} is not allowed; expected an integer in [1, 32]`, 'digital.bits');
  }
  if (vectors.length !== K) throw new RangeError(`digitalUpload: ${vectors.length} vectors for K = ${K} devices`);
  const D = vectors[0]?.length ?? 0;
  const payloadBits = D * opts.bits + (opts.bits < 32 ? 64 : 0);
  const access = M >= K ? 'fdma' : 'tdma';
  const tsym = ofdmSymbolSeconds(opts);
  const df = opts.subcarrierSpacingHz;
  const efficiency = 1 / (tsym * df); // useful fraction 1/(1+cp)
  const rate = new Float64Array(K);
  const lat = new Float64Array(K);
  const energy = new Float64Array(K);
  const totalPower = M * opts.P;
  for (let k = 0; k < K; k++) {
    const mine: number[] = [];
    if (access === 'fdma') for (let m = k; m < M; m += K) mine.push(m);
    else for (let m = 0; m < M; m++) mine.push(m);
    const pSc = totalPower / mine.length;
    let se = 0;
    for (const m of mine) se += mimoSpectralEfficiency(ch, k, m, pSc, opts.sigma2);
    rate[k] = se * df * efficiency;
    lat[k] = rate[k]! > 0 ? payloadBits / rate[k]! : Infinity;
    energy[k] = totalPower * lat[k]!;
  }
  let latency = 0;
  for (let k = 0; k < K; k++) latency = access === 'fdma' ? Math.max(latency, lat[k]!) : latency + lat[k]!;
  const estimate = new Float64Array(D);
  for (let k = 0; k < K; k++) {
    const q = quantize(vectors[k]!, opts.bits, quantRng(k));
    const w = phi[k]!;
    for (let i = 0; i < D; i++) estimate[i] += w * q[i]!;
  }
  return { estimate, latencyS: latency, deviceLatencyS: lat, rateBps: rate, energyJ: energy, payloadBits, access };
}
