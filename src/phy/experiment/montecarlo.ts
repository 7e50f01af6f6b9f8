/**
 * Monte-Carlo of the PHY alone: K synthetic update vectors → map → design → precode → channel →
 * superpose + noise → combine → de-map, for every trial × server-antenna count × SNR (or power) point
 * × scheme, with the aggregate NMSE ‖x̂ − Σφ_k x_k‖² / ‖Σφ_k x_k‖² per run.
 *
 * Common random numbers (paired comparisons): within a trial the update vectors, the channel (one
 * realisation per server-antenna count, streams named by trial — the channel generator) and the noise
 * (stream ('noise', trial, 'nr', N_r, 'S', S): unit-variance draws scaled by σ, so also common across
 * the SNR points of a sweep) are the same for every scheme, and no stream is named after a scheme, so
 * the order of schemes in a scenario changes no result.
 *
 * Synthetic updates: x_k = √ρ c + √(1−ρ) e_k with c, e_k i.i.d. N(0, 1) entries (stream ('data',
 * trial, 'common' | 'device', k)); ρ = `updateCorrelation` (0: independent devices). Each device
 * normalises (mapping.ts), so the schemes realise the effective weights w_k = φ_k c_k / Σφ_j c_j.
 *
 * Three NMSE columns per trial:
 *  - `nmse`: realised, ‖x̂ − Σφx‖²/‖Σφx‖² of the de-mapped aggregate (the whole chain);
 *  - `nmse_conditional`: its expectation given the channel (conditional.ts): the design's MSE on the
 *    true channel, so CSI error counts, and no payload noise;
 *  - `nmse_analytic_on_estimate`: the MSE the design predicts on the channel it saw (Ĥ); with CSI
 *    error it is optimistic (4–5 dB at csi_error 0.1), so it is labelled for what it is.
 * The realised per-trial NMSE is a ratio of two finite sums, biased upwards for short payloads (+0.1 dB
 * in the median, +0.3 dB in the mean with 16 complex symbols per trial); `defaultPayload` keeps at
 * least 4096 complex symbols per trial, which leaves < 0.02 dB (checked against the conditional
 * expectation in test/phy.reference.test.ts).
 *
 * NMSE vs OFDM-symbol index (`bySymbol`): per trial, the symbol-domain NMSE of each OFDM symbol t of
 * the upload (data entries only), summarised over trials per scheme × N_r × point × t. With a static
 * channel it is flat; with mobility (channel ageing: the design is made at t = 0, symbol t goes through
 * H(t)) it grows with t, which is why a larger rank (longer upload) sees more ageing.
 *
 * Summary: mean (log-scale 95% interval, never below 0) and median (order-statistic interval) of each
 * column. A scheme whose NMSE has no finite mean — zero-forcing precoders with S = N_t (the design
 * reports `channel_inversion`), or a Hill tail index below 2 — gets `heavy_tail` = 1 and the median as
 * its `headline`; the `nmse_headline_*` columns hold the headline figure and its interval.
 */
import { UserInputError } from '../../errors.js';
import { RandomStreams } from '../../random/streams.js';
import { summarize, toDb } from '../../stats/summary.js';
import { checkTails } from '../../stats/tails.js';
import { applyDesign, weightedSum, type ReceivePath } from '../aircomp/apply.js';
import type { AirCompScheme, PowerMode } from '../aircomp/types.js';
import { generateChannel } from '../channel/generate.js';
import type { ChannelConfig } from '../channel/config.js';
import { aggregationTarget, denormalizeAggregate, normalizeAndMap, symbolLayout, type AggregationTarget, type SymbolLayout } from '../ofdm/mapping.js';
import { conditionalNmse } from './conditional.js';

/**
 * Default payload (real entries per device update): 8 OFDM symbols' worth (16·M·S), and at least
 * 8192 entries (4096 complex symbols) so that the per-trial NMSE ratio is unbiased to < 0.02 dB.
 */
export function defaultPayload(M: number, S: number): number {
  return Math.max(16 * M * S, 8192);
}

export interface PhySweepPoint {
  /** stable name of the point, used in stream names and tables, e.g. 'snr=10' */
  label: string;
  snrDb: number | null;
  powerDbm: number | null;
  /** per-subcarrier power budget (see DesignContext.P) */
  P: number;
  /** noise variance per subcarrier */
  sigma2: number;
}

export interface PhySchemeEntry {
  label: string;
  /** streams this scheme uses (tci: 1) */
  S: number;
  scheme: AirCompScheme;
}

export interface PhyExperiment {
  seed: number;
  trials: number;
  K: number;
  Nt: number;
  /** one run per server antenna count */
  serverAntennas: number[];
  M: number;
  /** real entries per device update (default: defaultPayload(M, largest S of the schemes)) */
  D?: number;
  /** channel options (K, Nr, Nt, M are filled in per run) */
  channel: Omit<ChannelConfig, 'K' | 'Nr' | 'Nt' | 'M'>;
  points: PhySweepPoint[];
  powerMode: PowerMode;
  /** aggregation weights φ (length K) */
  phi: Float64Array;
  updateCorrelation: number;
  receivePath: ReceivePath;
  schemes: PhySchemeEntry[];
}

export interface PhyTrialRow {
  [key: string]: string | number | null;
  trial: number;
  server_antennas: number;
  point: string;
  snr_db: number | null;
  power_dbm: number | null;
  scheme: string;
  streams: number;
  /** NMSE of the de-mapped real aggregate */
  nmse: number;
  nmse_db: number;
  /** NMSE on the normalised symbols (data entries only) */
  nmse_symbols: number;
  /** E[NMSE | channel]: the design's MSE on the true channel over the target power (conditional.ts) */
  nmse_conditional: number;
  /** the design's own prediction: its MSE on the estimate Ĥ over the realised target power (optimistic under CSI error) */
  nmse_analytic_on_estimate: number;
  /** 1 when the design inverts the channel (zero-forcing precoders) */
  channel_inversion: number;
}

export interface PhySummaryRow {
  [key: string]: string | number | null;
  scheme: string;
  streams: number;
  server_antennas: number;
  point: string;
  snr_db: number | null;
  power_dbm: number | null;
  trials: number;
  nmse_mean: number;
  nmse_ci_low: number;
  nmse_ci_high: number;
  nmse_median: number;
  nmse_median_low: number;
  nmse_median_high: number;
  nmse_mean_db: number;
  nmse_ci_low_db: number;
  nmse_ci_high_db: number;
  nmse_median_db: number;
  nmse_median_low_db: number;
  nmse_median_high_db: number;
  /** exact coverage of the median interval (≥ 0.95 from 6 trials on) */
  nmse_median_coverage: number;
  nmse_conditional_mean: number;
  nmse_conditional_db: number;
  nmse_conditional_median_db: number;
  nmse_analytic_on_estimate_mean: number;
  nmse_analytic_on_estimate_db: number;
  /** 1 when the NMSE has no finite mean (S = N_t with channel inversion) or a Hill tail index < 2 */
  heavy_tail: number;
  /** Hill estimate of the NMSE's tail index (null below 20 trials or when unbounded) */
  tail_index: number | null;
  /** which statistic is the headline: 'median' for heavy tails, else 'mean' */
  headline: 'mean' | 'median';
  nmse_headline_db: number;
  nmse_headline_ci_low_db: number;
  nmse_headline_ci_high_db: number;
}

/** NMSE of OFDM symbol t of the upload, over trials (mean, log-scale 95% interval, median). */
export interface PhySymbolRow {
  [key: string]: string | number | null;
  scheme: string;
  streams: number;
  server_antennas: number;
  point: string;
  /** OFDM-symbol index t within the upload (0 = when the transceivers were designed) */
  symbol: number;
  /** t · T_sym in seconds (null when the channel carries no timing: a static channel) */
  time_s: number | null;
  trials: number;
  nmse_mean: number;
  nmse_ci_low: number;
  nmse_ci_high: number;
  nmse_median: number;
  nmse_mean_db: number;
  nmse_ci_low_db: number;
  nmse_ci_high_db: number;
}

export interface PhyResult {
  rows: PhyTrialRow[];
  summary: PhySummaryRow[];
  /** NMSE vs OFDM-symbol index (channel ageing) */
  bySymbol: PhySymbolRow[];
}

export interface RunOptions {
  /** called after every (trial, N_r) block with work done and total (for a progress bar) */
  onProgress?: (done: number, total: number) => void;
}

function syntheticUpdates(streams: RandomStreams, trial: number, K: number, D: number, rho: number): Float64Array[] {
  const common = rho > 0 ? streams.stream('data', trial, 'common').fillNormal(new Float64Array(D)) : undefined;
  const a = Math.sqrt(rho), b = Math.sqrt(1 - rho);
  return Array.from({ length: K }, (_, k) => {
    const x = streams.stream('data', trial, 'device', k).fillNormal(new Float64Array(D));
    if (common) for (let i = 0; i < D; i++) x[i] = a * common[i]! + b * x[i]!;
    return x;
  });
}

interface Mapped {
  layout: SymbolLayout;
  symbols: Float64Array[];
  target: AggregationTarget;
  /** Σ w_k s_k */
  symTarget: Float64Array;
  symRef: number;
}

export function runPhyExperiment(exp: PhyExperiment, opts: RunOptions = {}): PhyResult {
  const steps = phyExperimentSteps(exp, opts);
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/**
 * The same Monte-Carlo, giving the event loop a turn after every trial (a run's SIGINT/SIGTERM handlers
 * can then act mid-run); identical results.
 */
export async function runPhyExperimentAsync(exp: PhyExperiment, opts: RunOptions = {}): Promise<PhyResult> {
  const steps = phyExperimentSteps(exp, opts);
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    await new Promise<void>((res) => setImmediate(res));
  }
}

/** The Monte-Carlo as steps: yields after every trial, returns the result. */
function* phyExperimentSteps(exp: PhyExperiment, opts: RunOptions = {}): Generator<void, PhyResult, void> {
  const { K, M, Nt, phi } = exp;
  const D = exp.D ?? defaultPayload(M, Math.max(...exp.schemes.map((s) => s.S)));
  if (phi.length !== K) throw new UserInputError(`phy.weights: length ${phi.length} is not allowed; expected K = ${K}`, 'phy.weights');
  const streams = new RandomStreams(exp.seed);
  const rows: PhyTrialRow[] = [];
  const total = exp.trials * exp.serverAntennas.length;
  let done = 0;
  const streamCounts = [...new Set(exp.schemes.map((s) => s.S))];
  const perSymbol = new Map<string, { S: number; Nr: number; point: string; scheme: string; symbolS: number | null; trials: Float64Array[] }>();
  for (let trial = 0; trial < exp.trials; trial++) {
    const x = syntheticUpdates(streams, trial, K, D, exp.updateCorrelation);
    const ref = new Float64Array(D);
    for (let k = 0; k < K; k++) for (let i = 0; i < D; i++) ref[i] += phi[k]! * x[k]![i]!;
    let refPow = 0;
    for (let i = 0; i < D; i++) refPow += ref[i]! * ref[i]!;
    const mapped = new Map<number, Mapped>();
    for (const S of streamCounts) {
      const layout = symbolLayout(D, M, S);
      const m = x.map((v) => normalizeAndMap(v, layout));
      const target = aggregationTarget(phi, m.map((r) => r.stats));
      const symbols = m.map((r) => r.symbols);
      const symTarget = weightedSum(symbols, target.weights);
      let symRef = 0;
      for (let i = 0; i < D; i++) symRef += symTarget[i]! ** 2;
      mapped.set(S, { layout, symbols, target, symTarget, symRef });
    }
    for (const Nr of exp.serverAntennas) {
      const ch = generateChannel({ ...exp.channel, K, Nr, Nt, M }, streams, { trial, round: 0 });
      for (const p of exp.points) {
        for (const entry of exp.schemes) {
          const mp = mapped.get(entry.S)!;
          const ctx = { phi: mp.target.weights, sigma2: p.sigma2, P: p.P, powerMode: exp.powerMode, S: entry.S };
          const design = entry.scheme.design(ch, ctx);
          const noise = streams.stream('noise', trial, 'nr', Nr, 'S', entry.S);
          const est = applyDesign(ch, design, ctx, mp.symbols, noise, { path: exp.receivePath });
          const xhat = denormalizeAggregate(est, mp.layout, mp.target);
          let err = 0;
          for (let i = 0; i < D; i++) err += (xhat[i]! - ref[i]!) ** 2;
          let serr = 0;
          for (let i = 0; i < D; i++) serr += (est[i]! - mp.symTarget[i]!) ** 2;
          const key = `${entry.label}\u0000${Nr}\u0000${p.label}`;
          let ps = perSymbol.get(key);
          if (!ps) perSymbol.set(key, (ps = { S: entry.S, Nr, point: p.label, scheme: entry.label, symbolS: ch.evolution?.symbolS ?? null, trials: [] }));
          ps.trials.push(symbolNmse(est, mp.symTarget, D, 2 * M * entry.S));
          let amse = 0;
          for (let m = 0; m < M; m++) amse += design.analyticMse[m]!;
          // per complex symbol: analytic MSE per symbol vector / S, over the realised target power per symbol
          const analytic = (amse / M / entry.S) / (mp.symRef / (D / 2));
          const nmse = err / refPow;
          rows.push({
            trial, server_antennas: Nr, point: p.label, snr_db: p.snrDb, power_dbm: p.powerDbm,
            scheme: entry.label, streams: entry.S, nmse, nmse_db: toDb(nmse), nmse_symbols: serr / mp.symRef,
            nmse_conditional: conditionalNmse(ch, design, mp.target.weights, p.sigma2, exp.updateCorrelation, mp.layout),
            nmse_analytic_on_estimate: analytic,
            channel_inversion: design.info?.channel_inversion === 1 ? 1 : 0,
          });
        }
      }
      done++;
      opts.onProgress?.(done, total);
    }
    yield;
  }
  const bySymbol: PhySymbolRow[] = [];
  for (const ps of perSymbol.values()) {
    const T = ps.trials[0]!.length;
    for (let t = 0; t < T; t++) {
      const st = summarize(ps.trials.map((a) => a[t]!), { nonNegative: true });
      bySymbol.push({
        scheme: ps.scheme, streams: ps.S, server_antennas: ps.Nr, point: ps.point, symbol: t,
        time_s: ps.symbolS === null ? null : t * ps.symbolS, trials: st.n,
        nmse_mean: st.mean, nmse_ci_low: st.ciLow, nmse_ci_high: st.ciHigh, nmse_median: st.median,
        nmse_mean_db: toDb(st.mean), nmse_ci_low_db: toDb(st.ciLow), nmse_ci_high_db: toDb(st.ciHigh),
      });
    }
  }
  return { rows, summary: summarizePhy(exp, rows), bySymbol };
}

/** Per OFDM symbol (blocks of `per` interleaved reals, data entries < D only): ‖est − target‖²/‖target‖². */
export function symbolNmse(est: Float64Array, target: Float64Array, D: number, per: number): Float64Array {
  const T = Math.ceil(D / per);
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let e = 0, r = 0;
    const end = Math.min(D, (t + 1) * per);
    for (let i = t * per; i < end; i++) {
      const d = est[i]! - target[i]!;
      e += d * d;
      r += target[i]! * target[i]!;
    }
    out[t] = r > 0 ? e / r : 0;
  }
  return out;
}

/** One summary row per scheme × N_r × point, in scenario order (scheme-major). */
export function summarizePhy(exp: Pick<PhyExperiment, 'schemes' | 'serverAntennas' | 'points' | 'Nt'>, rows: PhyTrialRow[]): PhySummaryRow[] {
  const groups = new Map<string, PhyTrialRow[]>();
  for (const r of rows) {
    const key = `${r.scheme}\u0000${r.server_antennas}\u0000${r.point}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const out: PhySummaryRow[] = [];
  for (const s of exp.schemes) {
    for (const Nr of exp.serverAntennas) {
      for (const p of exp.points) {
        const g = groups.get(`${s.label}\u0000${Nr}\u0000${p.label}`);
        if (!g) continue;
        const nm = g.map((r) => r.nmse);
        const st = summarize(nm, { nonNegative: true });
        const co = summarize(g.map((r) => r.nmse_conditional), { nonNegative: true });
        const an = summarize(g.map((r) => r.nmse_analytic_on_estimate), { nonNegative: true });
        // zero-forcing power with S = N_t: E tr[(A Aᴴ)⁻¹] = ∞ for a square complex Gaussian A
        const infiniteMean = s.S >= exp.Nt && g.some((r) => r.channel_inversion === 1);
        const tails = checkTails(nm, infiniteMean);
        const median = tails.heavy;
        out.push({
          scheme: s.label, streams: s.S, server_antennas: Nr, point: p.label, snr_db: p.snrDb, power_dbm: p.powerDbm, trials: st.n,
          nmse_mean: st.mean, nmse_ci_low: st.ciLow, nmse_ci_high: st.ciHigh,
          nmse_median: st.median, nmse_median_low: st.medianLow, nmse_median_high: st.medianHigh,
          nmse_mean_db: toDb(st.mean), nmse_ci_low_db: toDb(st.ciLow), nmse_ci_high_db: toDb(st.ciHigh),
          nmse_median_db: toDb(st.median), nmse_median_low_db: toDb(st.medianLow), nmse_median_high_db: toDb(st.medianHigh),
          nmse_median_coverage: st.medianCoverage,
          nmse_conditional_mean: co.mean, nmse_conditional_db: toDb(co.mean), nmse_conditional_median_db: toDb(co.median),
          nmse_analytic_on_estimate_mean: an.mean, nmse_analytic_on_estimate_db: toDb(an.mean),
          heavy_tail: tails.heavy ? 1 : 0,
          tail_index: Number.isFinite(tails.tailIndex) ? tails.tailIndex : null,
          headline: median ? 'median' : 'mean',
          nmse_headline_db: toDb(median ? st.median : st.mean),
          nmse_headline_ci_low_db: toDb(median ? st.medianLow : st.ciLow),
          nmse_headline_ci_high_db: toDb(median ? st.medianHigh : st.ciHigh),
        });
      }
    }
  }
  return out;
}
