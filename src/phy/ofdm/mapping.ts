/**
 * Symbol mapping: a real vector of length D ↔ complex symbols on a resource grid of
 * T OFDM symbols × M subcarriers × S streams, T = ceil(D / (2·M·S)).
 *
 * Order: real entries (x[2i], x[2i+1]) form complex symbol i = (re, im); symbol i sits at OFDM
 * symbol t, subcarrier m, stream s with i = (t·M + m)·S + s (stream fastest, then subcarrier, then
 * OFDM symbol), so each (m, t) owns a contiguous S-vector starting at complex index (t·M + m)·S.
 * The interleaved buffer is therefore x itself followed by zeros: mapping is a copy plus zero
 * padding, demapping drops the padding. Same layout as ResourceGrid (grid.ts) with layers = S.
 *
 * Normalisation (Yang et al.; Zhu et al.; see papers.md §1.3): device k sends
 *   s_k = (x_k − μ_k) / c_k,   μ_k = mean of the D entries,  c_k = sqrt(2·var_k)
 * (population variance over the D real entries), so each real entry has mean square 1/2 and each
 * complex symbol has unit average power E|s|² = 1 over the D/2 data symbols. Padding symbols are
 * zero and excluded (the grid's average power is D/(2·T·M·S) ≤ 1). μ_k, c_k travel on an
 * error-free side channel. A constant vector has c_k = 0: it sends zeros and is restored exactly
 * from the offset.
 *
 * The server receives (an estimate of) Σ_k w_k s_k, so the precoder weights must fold the scales:
 *   Σ_k φ_k x_k = Σ_k (φ_k c_k) s_k + Σ_k φ_k μ_k.
 * aggregationTarget() returns w_k = φ_k c_k / g, offset o = Σ φ_k μ_k and gain g (by default the
 * common scale g = Σ φ_k c_k, which keeps Σ w_k = 1 so the designs see weights on the usual scale);
 * the aggregation code uses w_k in place of φ_k and the server computes x̂ = g · ŷ + o per entry.
 */
import { NumericalError, UserInputError } from '../../errors.js';

export interface SymbolLayout {
  /** real entries */
  D: number;
  /** subcarriers */
  M: number;
  /** streams */
  S: number;
  /** OFDM symbols T = ceil(D / (2·M·S)) */
  T: number;
  /** complex symbols on the grid, T·M·S (≥ D/2) */
  symbols: number;
}

export function symbolLayout(D: number, M: number, S: number): SymbolLayout {
  for (const [v, f] of [[D, 'D'], [M, 'M'], [S, 'S']] as const) {
    if (!Number.isInteger(v) || v < 1) throw new UserInputError(`symbolLayout.${f}: ${v} is not allowed; expected an integer ≥ 1`, f);
  }
  const T = Math.ceil(D / (2 * M * S));
  return { D, M, S, T, symbols: T * M * S };
}

/** Complex index of (OFDM symbol t, subcarrier m, stream s); the real part is at 2× this. */
export function symbolIndex(layout: SymbolLayout, t: number, m: number, s: number): number {
  return (t * layout.M + m) * layout.S + s;
}

function checkLength(a: ArrayLike<number>, n: number, what: string): void {
  if (a.length !== n) throw new UserInputError(`${what}: length ${a.length} is not allowed; expected ${n}`, what);
}

/** Interleaved complex symbols (length 2·symbols) from x (length D), zero padded. */
export function mapToSymbols(x: Float64Array, layout: SymbolLayout, out?: Float64Array): Float64Array {
  checkLength(x, layout.D, 'mapToSymbols.x');
  const o = out ?? new Float64Array(2 * layout.symbols);
  checkLength(o, 2 * layout.symbols, 'mapToSymbols.out');
  o.set(x);
  if (out) o.fill(0, layout.D);
  return o;
}

/** The D real entries back from the symbol buffer (padding dropped). */
export function demapSymbols(sym: Float64Array, layout: SymbolLayout, out?: Float64Array): Float64Array {
  if (sym.length < layout.D) checkLength(sym, 2 * layout.symbols, 'demapSymbols.sym');
  const o = out ?? new Float64Array(layout.D);
  checkLength(o, layout.D, 'demapSymbols.out');
  o.set(sym.subarray(0, layout.D));
  return o;
}

/** Side-channel statistics of one device. */
export interface NormStats {
  /** μ_k */
  mean: number;
  /** c_k = sqrt(2·var_k): symbols are (x − μ)/c */
  scale: number;
}

export function normalizationStats(x: Float64Array): NormStats {
  const n = x.length;
  if (n === 0) throw new UserInputError('normalizationStats.x: empty vector is not allowed', 'x');
  // One pass with the shifted-data method (shift by x[0]): stable when |mean| ≫ std.
  const c = x[0]!;
  let s = 0, ss = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - c;
    s += d;
    ss += d * d;
  }
  const mean = c + s / n;
  const scale = Math.sqrt(Math.max(0, (2 * (ss - (s * s) / n)) / n));
  if (!Number.isFinite(mean) || !Number.isFinite(scale)) {
    throw new NumericalError(`normalizationStats: non-finite update vector (mean ${mean}, scale ${scale})`);
  }
  return { mean, scale };
}

/** Normalise x (zero mean, unit power per complex symbol) and map it onto the grid in one pass. */
export function normalizeAndMap(x: Float64Array, layout: SymbolLayout, out?: Float64Array): { symbols: Float64Array; stats: NormStats } {
  checkLength(x, layout.D, 'normalizeAndMap.x');
  const stats = normalizationStats(x);
  const o = out ?? new Float64Array(2 * layout.symbols);
  checkLength(o, 2 * layout.symbols, 'normalizeAndMap.out');
  const { mean, scale } = stats;
  const D = layout.D;
  if (scale > 0) {
    const inv = 1 / scale;
    for (let i = 0; i < D; i++) o[i] = (x[i]! - mean) * inv;
  } else {
    o.fill(0, 0, D);
  }
  if (out) o.fill(0, D);
  return { symbols: o, stats };
}

/**
 * All devices at once: symbols[k] and stats[k] for update vectors xs[k] (each of length D).
 * `out`, when given, supplies reusable symbol buffers (length 2·symbols each).
 */
export function normalizeAndMapAll(xs: readonly Float64Array[], layout: SymbolLayout, out?: readonly Float64Array[]): { symbols: Float64Array[]; stats: NormStats[] } {
  if (out && out.length !== xs.length) throw new UserInputError(`normalizeAndMapAll.out: ${out.length} buffers is not allowed; expected ${xs.length}`, 'out');
  const symbols: Float64Array[] = [], stats: NormStats[] = [];
  for (let k = 0; k < xs.length; k++) {
    const r = normalizeAndMap(xs[k]!, layout, out?.[k]);
    symbols.push(r.symbols);
    stats.push(r.stats);
  }
  return { symbols, stats };
}

/** Inverse of normalizeAndMap for one device: x = c·s + μ over the D entries. */
export function denormalizeSymbols(sym: Float64Array, layout: SymbolLayout, stats: NormStats, out?: Float64Array): Float64Array {
  const o = out ?? new Float64Array(layout.D);
  checkLength(o, layout.D, 'denormalizeSymbols.out');
  const { mean, scale } = stats;
  for (let i = 0; i < layout.D; i++) o[i] = scale * sym[i]! + mean;
  return o;
}

export interface AggregationTarget {
  /** effective weights w_k the aggregation must realise on the normalised symbols */
  weights: Float64Array;
  /** o = Σ φ_k μ_k, added to every entry at the server */
  offset: number;
  /** g: the server scales the aggregate of normalised symbols by g */
  gain: number;
}

/**
 * Effective weights and de-normalisation for target Σ φ_k x_k. With `commonScale` (default) the
 * weights are φ_k c_k / g with g = Σ φ_k c_k; otherwise g = 1 and w_k = φ_k c_k.
 */
export function aggregationTarget(phi: ArrayLike<number>, stats: readonly NormStats[], opts: { commonScale?: boolean } = {}): AggregationTarget {
  const K = phi.length;
  if (stats.length !== K) throw new UserInputError(`aggregationTarget.stats: length ${stats.length} is not allowed; expected ${K} (one per weight)`, 'stats');
  const w = new Float64Array(K);
  let offset = 0, g = 0;
  for (let k = 0; k < K; k++) {
    const p = phi[k]!;
    if (!Number.isFinite(p)) throw new NumericalError(`aggregationTarget: weight φ_${k} = ${p}`);
    w[k] = p * stats[k]!.scale;
    offset += p * stats[k]!.mean;
    g += w[k]!;
  }
  let gain = 1;
  if ((opts.commonScale ?? true) && g !== 0) {
    gain = g;
    for (let k = 0; k < K; k++) w[k] = w[k]! / g;
  }
  return { weights: w, offset, gain };
}

/** Server side: x̂_i = g · Re/Im-entry i of the aggregate + o, for the D data entries. */
export function denormalizeAggregate(agg: Float64Array, layout: SymbolLayout, target: AggregationTarget, out?: Float64Array): Float64Array {
  if (agg.length < layout.D) checkLength(agg, 2 * layout.symbols, 'denormalizeAggregate.agg');
  const o = out ?? new Float64Array(layout.D);
  checkLength(o, layout.D, 'denormalizeAggregate.out');
  const { gain, offset } = target;
  for (let i = 0; i < layout.D; i++) o[i] = gain * agg[i]! + offset;
  return o;
}
