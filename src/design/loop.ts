/**
 * The AirFL-LoRA design loop (`airlora design`, and `airfl.joint` before training):
 *
 *  1. constants (estimateConstants): a short ideal run at a reference rank that is not on the grid
 *     (default: twice the largest rank asked for, at most the adapted matrices' full rank), with the
 *     scenario's own LoRA settings, gives F*, the slowest contraction, the realised aggregation weights
 *     φ_k c_k / g, g², the variance of the ideal aggregate, L (Hessian power iteration along its
 *     trajectory) and ε(r) (its update restricted to each rank); one ideal round per rank gives each
 *     rank's progress relative to the reference (constants.ts, bound.ts);
 *  2. design (designFromConstants): for each rank of the grid and each stream count S of
 *     `airfl.design.streams`, the link budget (budget.ts: T(r) OFDM symbols, air-time, the power an
 *     energy budget leaves) and the transceivers, alternating the receive subspace on the manifold with
 *     the power/scaling step until the MSE settles (transceiver.ts); the bound of each (r, S);
 *  3. rank search with backtracking over the grid (rank.ts) and, beside it, the exhaustive argmin.
 */
import type { TrainingConfig, PreparedTraining } from '../fl/prepare.js';
import { runFederated } from '../fl/trainer.js';
import { evaluateGlobal } from '../fl/evaluate.js';
import { selectedEntries } from '../fl/entries.js';
import { weightedAverage, type AggregationInput, type AggregationResult, type Aggregator } from '../fl/aggregator.js';
import { aggregatorCapabilities, type AggregationSpec } from '../fl/aggregators/index.js';
import { createScheme } from '../phy/aircomp/index.js';
import { alignmentGain } from '../phy/aircomp/mse.js';
import { ChannelSequence } from '../phy/channel/sequence.js';
import type { ChannelRealization } from '../phy/types.js';
import type { RadioConfig } from '../phy/radio.js';
import { loraAtRank, type LoraConfig } from '../lora/config.js';
import { RandomStreams, type Rng } from '../random/streams.js';
import { NumericalError, UserInputError } from '../errors.js';
import { optimalityGap, uncorrelatedMse, type BoundConstants, type BoundTerms, type RankConstants } from './bound.js';
import { linkBudget, type DesignBudgets } from './budget.js';
import { checkGrid, searchRanks } from './rank.js';
import { designTransceivers } from './transceiver.js';
import {
  adaptersAtRank, firstRoundContraction, fitLossCurve, largestHessianEigenvalue, moduleUpdates, noiseCurvature, slowestContraction,
} from './constants.js';
import { evalCounts, evalLossGradient } from './gradient.js';

/** The design loop's settings (`airfl.design`, resolved by the scenario layer). */
export interface DesignSettings {
  /** rank grid it searches */
  ranks: number[];
  /** the scheme whose receive subspace starts the alternation (the scenario's own entry when it has one) */
  scheme: AggregationSpec;
  /** candidate stream counts S (default: phy.streams) */
  streams: number[];
  /** per-device energy and per-round latency budgets */
  budgets: DesignBudgets;
  /** reference rank of the constants' ideal run (default: 2 × the largest rank, at most full rank) */
  referenceRank?: number;
  /** rounds of the reference ideal run */
  estimateRounds: number;
  /** channel draws averaged for each rank's MSE */
  channelDraws: number;
  /** relative MSE change that ends the alternation */
  tolerance: number;
  maxAlternations: number;
  /** grid value the backtracking search starts from (default: the largest rank within the budgets) */
  start?: number;
}

export interface DesignLoopInput {
  training: TrainingConfig;
  prep: PreparedTraining;
  design: DesignSettings;
  /** the run's radio (S = phy.streams) */
  radio: RadioConfig;
  /** every aggregation entry of the run with its streams, so the bound can be checked per scheme */
  schemes: { spec: AggregationSpec; S: number }[];
  /** ranks that will be trained besides the grid (their constants are estimated too) */
  extraRanks?: number[];
}

export interface EstimatedConstants {
  bound: BoundConstants;
  /** realised aggregation weights φ_k c_k / g per client (mean over the reference rounds) */
  weights: number[];
  /** uploaded real entries per device at rank 1 (D(r) = r·D(1)) */
  entriesPerRank: number;
  referenceRank: number;
  estimateRounds: number;
  /** the reference run's evaluation losses, round 0..n */
  referenceLosses: number[];
  qFit: number;
  fitRmse: number;
  /** L at each trajectory point */
  curvature: { round: number; L: number }[];
  /** ℓ (white-noise curvature) at each trajectory point and probe scale σ: mean and upper 95% limit */
  noiseCurvature?: NoiseCurvatureRow[];
  /** ℓ_r probes at each rank's own points */
  rankNoiseCurvature?: RankNoiseCurvatureRow[];
  /** first-round loss of each rank (and of the reference) */
  firstRound: { r: number; f1: number }[];
}

export interface RankNoiseCurvatureRow {
  rank: number;
  /** 'start' (θ₀ at that rank), 'truncated-reference' (the reference endpoint restricted to the rank), or
   * 'own-middle' / 'own-end' (the rank's own `estimate_rounds`-round ideal run) */
  point: string;
  sigma: number;
  mean: number;
  upper: number;
  probes: number;
}

export interface NoiseCurvatureRow {
  round: number;
  sigma: number;
  mean: number;
  upper: number;
  probes: number;
}

/** Probe scales of ℓ, as fractions of s·g (the per-entry scale of one round's aggregate): the aggregation
 * noise per entry is s·g·√(MSE/(2S)), i.e. 0.1–0.3 s·g for MSE/(2S) between 0.01 and 0.09. */
const NOISE_SCALES = [0.3, 0.1];
const NOISE_PROBES = 6;

export interface StreamOption {
  streams: number;
  entries: number;
  ofdm_symbols: number;
  latency_s: number;
  energy_j: number;
  power_per_subcarrier: number;
  energy_limited: boolean;
  feasible: boolean;
  mse: number;
  bound: number;
  terms: BoundTerms;
  alternations: number;
  converged: boolean;
  /** channel draws on which the warm-start scheme's own design beat the alternation (and is used) */
  warm_start_kept: number;
}

export interface RankReport {
  rank: number;
  /** evaluated by the backtracking search (every rank is evaluated by the exhaustive pass) */
  evaluated: boolean;
  bound: number;
  /** designed aggregation MSE, linear, mean over subcarriers and channel draws (at the chosen S) */
  mse: number;
  ofdm_symbols: number;
  latency_s: number;
  /** per-device transmit energy per round of the binding device (mean over draws) */
  energy_j: number;
  feasible: boolean;
  /** the stream count chosen for this rank */
  streams: number;
  entries: number;
  power_per_subcarrier: number;
  energy_limited: boolean;
  terms: BoundTerms;
  options: StreamOption[];
}

export interface DesignReport {
  format: 'airlora-design/2';
  scheme: string;
  chosen_rank: number;
  chosen_streams: number;
  exhaustive_rank: number;
  exhaustive_streams: number;
  search_order: number[];
  rounds: number;
  budgets: { energy_budget_j: number | null; latency_budget_s: number | null };
  constants: BoundConstants & { reference_rank: number; estimate_rounds: number; q_fit: number; fit_rmse: number; entries_per_rank: number; weights: number[]; reference_losses: number[]; curvature: { round: number; L: number }[]; noise_curvature: NoiseCurvatureRow[]; rank_noise_curvature?: RankNoiseCurvatureRow[] };
  ranks: RankReport[];
  /** objective (designed MSE) per alternation for every (rank, S) designed */
  alternation: { rank: number; streams: number; iteration: number; objective: number }[];
  /** each over-the-air scheme's own designed MSE at each rank (its streams, that rank's power) */
  /** each over-the-air scheme's own designed MSE at each rank (its streams, that rank's power), its
   * alignment gain c̄ (1: zero forcing; < 1: the aggregate is shrunk, e.g. MMSE) and the MSE uncorrelated
   * with the target, MSE − (1 − c̄)²·S·Σw² (what the bound charges as noise when c̄ < 1) */
  scheme_mse: { scheme: string; streams: number; rank: number; mse: number; shrink?: number; mse_perp?: number; power_per_subcarrier: number }[];
  /** after training: the bound against the measured gap for every trained rank and scheme */
  check?: BoundCheck[];
}

export interface BoundCheck {
  scheme: string;
  rank: number;
  mse: number;
  /** alignment gain c̄ the bound used (1: zero forcing) */
  shrink: number;
  bound: number;
  measured: number;
  bound_above: boolean;
}

/** c_k = √(2·var(x_k)): the per-device normalisation scale (phy/ofdm/mapping.ts). */
function scaleOf(v: Float32Array): number {
  let s = 0, s2 = 0;
  for (const x of v) {
    s += x;
    s2 += x * x;
  }
  const mean = s / v.length;
  return Math.sqrt(2 * Math.max(0, s2 / v.length - mean * mean));
}

/** Ideal aggregation that records what the bound needs from the uploads. */
class ReferenceProbe implements Aggregator {
  readonly name = 'ideal';
  aggregates: Float32Array[] = [];
  gain2: number[] = [];
  /** last round's uploads, weights and client ids */
  vectors: Float32Array[] = [];
  weights: Float64Array = new Float64Array(0);
  clients: number[] = [];
  weightSum = new Map<number, { w: number; n: number }>();

  aggregate({ vectors, weights, context }: AggregationInput): AggregationResult {
    const scales = vectors.map(scaleOf);
    let g = 0;
    scales.forEach((c, k) => (g += weights[k]! * c));
    this.gain2.push(g * g);
    context.clients.forEach((id, k) => {
      const e = this.weightSum.get(id) ?? { w: 0, n: 0 };
      e.w += g > 0 ? (weights[k]! * scales[k]!) / g : weights[k]!;
      e.n += 1;
      this.weightSum.set(id, e);
    });
    this.vectors = vectors.map((v) => Float32Array.from(v));
    this.weights = Float64Array.from(weights);
    this.clients = [...context.clients];
    const out = Float32Array.from(weightedAverage(vectors, weights));
    this.aggregates.push(out);
    return { aggregate: out, diagnostics: { nmse: 0, gain2: g * g } };
  }
}

/** The global adapters after each round, replayed from the aggregates (trainer.ts serverUpdate). */
function trajectory(theta0: Float32Array, aggregates: readonly Float32Array[], entries: Uint32Array | null, upload: 'delta' | 'weights' | 'gradient', serverLr: number): Float32Array[] {
  const out = [theta0];
  let cur = theta0;
  for (const agg of aggregates) {
    const next = Float32Array.from(cur);
    const n = entries ? entries.length : cur.length;
    for (let j = 0; j < n; j++) {
      const i = entries ? entries[j]! : j;
      if (upload === 'weights') next[i] = agg[j]!;
      else if (upload === 'delta') next[i] = cur[i]! + serverLr * agg[j]!;
      else next[i] = cur[i]! - serverLr * agg[j]!;
    }
    out.push(next);
    cur = next;
  }
  return out;
}

function frozenA(model: ReturnType<ReturnType<PreparedTraining['makeModel']>>, lora: LoraConfig): Map<string, Float32Array> | undefined {
  if (lora.train_A ?? true) return undefined;
  const m = new Map<string, Float32Array>();
  for (const mod of model.adaptedModules()) m.set(mod, Float32Array.from(model.adapter(mod)!.A.dataSync() as Float32Array));
  return m;
}

function uploadedEntries(layout: { factor: 'A' | 'B'; shape: number[] }[], factors: readonly ('A' | 'B')[]): number {
  let D = 0;
  for (const b of layout) if (factors.includes(b.factor)) D += b.shape.reduce((p, q) => p * q, 1);
  return D;
}

/**
 * ℓ(x, σ) at one point x of the adapters (antithetic probes, constants.ts `noiseCurvature`), at each
 * probe scale NOISE_SCALES × `scale`; `stream(i)` is the probe stream of scale i.
 */
function probeWhiteNoise(
  model: ReturnType<ReturnType<PreparedTraining['makeModel']>>, base: Float32Array, entries: Uint32Array | null,
  data: PreparedTraining['data'], scale: number, stream: (i: number) => Rng,
): { sigma: number; mean: number; upper: number; probes: number }[] {
  const n = entries ? entries.length : base.length;
  const lossAt = (x: Float64Array | null) => {
    const f = Float32Array.from(base);
    if (x) for (let j = 0; j < n; j++) f[entries ? entries[j]! : j] += x[j]!;
    return evaluateGlobal(model, f, data).loss;
  };
  return NOISE_SCALES.map((frac, i) => {
    const nc = noiseCurvature(lossAt, n, frac * scale, stream(i), NOISE_PROBES);
    return { sigma: frac * scale, mean: nc.mean, upper: nc.upper, probes: NOISE_PROBES };
  });
}

/** Step 1: the bound's constants from a short ideal run at the reference rank (see the file comment). */
export async function estimateConstants(input: DesignLoopInput, log: (l: string) => void = () => {}, onProgress?: (done: number, total: number) => void): Promise<EstimatedConstants> {
  const { training: ts, prep, design: a } = input;
  const grid = checkGrid(a.ranks);
  const ranks = [...new Set([...grid, ...(input.extraRanks ?? [])])].sort((x, y) => x - y);
  const slots = Math.min(ts.fl.clients, 8);
  const upload = ts.fl.algorithm === 'fedsgd' ? 'gradient' : ts.fl.upload;
  const factors = ts.fl.aggregateFactors;

  // D(1) and the adapted matrices' full rank, from a rank-1 model with the scenario's LoRA settings
  const probeModel = prep.makeModel(loraAtRank(ts.lora, 1))(1);
  let D1: number, fullRank: number;
  try {
    const layout = probeModel.adapterLayout();
    D1 = uploadedEntries(layout, factors);
    fullRank = Math.min(...layout.filter((b) => b.factor === 'B').map((b) => {
      const din = (probeModel.adapter(b.module)!.A.shape as number[]).at(-2)!;
      return Math.min(din, b.shape[1]!);
    }));
  } finally {
    probeModel.dispose();
  }
  if (!(D1 > 0)) throw new UserInputError('fl.aggregate_factors: the scenario uploads no adapter entries', 'fl.aggregate_factors');
  const rRef = Math.min(a.referenceRank ?? 2 * ranks[ranks.length - 1]!, fullRank);
  const loraRef = loraAtRank(ts.lora, rRef);

  // the reference ideal run
  const probe = new ReferenceProbe();
  log(`design: reference ideal run at rank ${rRef} (${a.estimateRounds} rounds; LoRA train_A = ${ts.lora.train_A ?? true}, factors ${factors.join('+')})`);
  const est = await runFederated({
    config: { ...ts.fl, rounds: a.estimateRounds, evalEvery: 1 }, data: prep.data, streams: prep.streams.child('design-reference'),
    aggregator: probe, makeModel: prep.makeModel(loraRef), log: (l) => log(`design: ${l}`),
    // progress in steps: the reference run's rounds, then one per grid rank, then the transceiver design
    ...(onProgress ? { onProgress: (d: number) => onProgress(d, a.estimateRounds + ranks.length + 1) } : {}),
  });
  const losses = est.rows.map((r) => Number(r['eval_loss']));
  if (losses.some((x) => !Number.isFinite(x))) throw new NumericalError('design: the reference run has a missing or non-finite evaluation loss');
  const fit = fitLossCurve(losses);
  const fstar = fit.fstar;
  const qRef = slowestContraction(losses, fstar, fit.q);
  const f0 = losses[0]!;

  const modelRef = prep.makeModel(loraRef)(slots);
  let L = 0, Lnoise = 0;
  const curvature: { round: number; L: number }[] = [];
  const noiseRows: NoiseCurvatureRow[] = [];
  const gRef = Math.sqrt(Math.max(0, ...probe.gain2));
  const sRef = upload === 'weights' ? 1 : ts.fl.serverLr;
  let updates: ReturnType<typeof moduleUpdates>;
  try {
    const entries = selectedEntries(modelRef.adapterLayout(), factors, modelRef.adapterSize);
    const theta0 = modelRef.getAdapters(0);
    const traj = trajectory(theta0, probe.aggregates, entries, upload, ts.fl.serverLr);
    const n = entries ? entries.length : modelRef.adapterSize;
    const counts = evalCounts(modelRef, prep.data);
    const points = [...new Set([0, Math.floor(traj.length / 2), traj.length - 1])];
    for (const t of points) {
      const base = traj[t]!;
      const grad = (x: Float64Array) => {
        const flat = Float32Array.from(base);
        for (let j = 0; j < n; j++) flat[entries ? entries[j]! : j] += x[j]!;
        const g = evalLossGradient(modelRef, flat, prep.data, counts);
        return entries ? Float64Array.from(entries, (i) => g[i]!) : g;
      };
      let norm = 0;
      for (let j = 0; j < n; j++) norm += base[entries ? entries[j]! : j]! ** 2;
      // finite-difference step: small against the adapters (0.1% of their norm), large against float32
      // gradient noise (at least 1e-2)
      const step = Math.max(1e-2, 1e-3 * Math.sqrt(norm));
      const lt = largestHessianEigenvalue(grad, n, prep.streams.stream('design-curvature', t), { iterations: 8, step });
      curvature.push({ round: t, L: lt });
      L = Math.max(L, lt);
      // ℓ: what white noise of the aggregation's size costs at this point (antithetic probes)
      if (sRef * gRef > 0) {
        for (const row of probeWhiteNoise(modelRef, base, entries, prep.data, sRef * gRef, (i) => prep.streams.stream('design-noise-curvature', t, i))) {
          noiseRows.push({ round: t, ...row });
          Lnoise = Math.max(Lnoise, row.upper);
        }
      }
    }
    updates = moduleUpdates(modelRef.adapterLayout(), est.global, modelRef.scale, frozenA(modelRef, loraRef));
  } finally {
    modelRef.dispose();
  }
  const fRef = losses[losses.length - 1]!;

  // Each rank (and the reference) trains one ideal round from θ₀ twice, on two independent minibatch
  // streams: the mean first-round loss gives its progress κ(r); half the squared difference of every
  // client's two updates estimates that client's minibatch variance, so Var(Δ̄_r) = Σ_k φ_k² Var(Δ_k);
  // the round's de-normalisation gain, scaled by how much the reference's gain grew over its rounds,
  // gives g²(r).
  const oneRound = async (lora: LoraConfig, which: string) => {
    const rec = new ReferenceProbe();
    const res = await runFederated({
      config: { ...ts.fl, rounds: 1, evalEvery: 1 }, data: prep.data, streams: prep.streams.child('design-progress', which),
      aggregator: rec, makeModel: prep.makeModel(lora),
    });
    return { f1: Number(res.rows[res.rows.length - 1]!['eval_loss']), rec };
  };
  const pair = async (lora: LoraConfig) => {
    const x = await oneRound(lora, 'a'), y = await oneRound(lora, 'b');
    // pairs are matched by client id (with partial participation the two runs may select different
    // clients; only clients in both contribute)
    let v = 0;
    x.rec.vectors.forEach((xa, k) => {
      const j = y.rec.clients.indexOf(x.rec.clients[k]!);
      if (j < 0) return;
      const xb = y.rec.vectors[j]!;
      let d2 = 0;
      for (let i = 0; i < xa.length; i++) d2 += (xa[i]! - xb[i]!) ** 2;
      v += x.rec.weights[k]! ** 2 * (d2 / 2);
    });
    return { f1: (x.f1 + y.f1) / 2, variance: v, gain2: Math.max(x.rec.gain2[0]!, y.rec.gain2[0]!) };
  };
  const ref1 = await pair(loraRef);
  const firstRound: { r: number; f1: number }[] = [{ r: rRef, f1: ref1.f1 }];
  const progressRef = 1 - firstRoundContraction(f0, ref1.f1, fstar);
  const gainGrowth = ref1.gain2 > 0 ? Math.max(1, ...probe.gain2.map((g) => g / ref1.gain2)) : 1;
  const perRank: RankConstants[] = [];
  const rankNoiseRows: RankNoiseCurvatureRow[] = [];
  for (const r of ranks) {
    const lora = loraAtRank(ts.lora, r);
    // the rank's own short ideal run: the points its training visits, for ℓ_r (a rank-r adapter grows
    // its own B, which the truncated reference does not reproduce)
    const own = new ReferenceProbe();
    if (gRef > 0) {
      await runFederated({
        config: { ...ts.fl, rounds: a.estimateRounds, evalEvery: a.estimateRounds }, data: prep.data,
        streams: prep.streams.child('design-rank-trajectory', r), aggregator: own, makeModel: prep.makeModel(lora),
      });
    }
    const model = prep.makeModel(lora)(slots);
    let eps: number, ellR = 0;
    try {
      const flat = adaptersAtRank(updates, { layout: model.adapterLayout(), size: model.adapterSize, scale: model.scale, frozenA: frozenA(model, lora) });
      eps = Math.max(0, evaluateGlobal(model, flat, prep.data).loss - fRef);
      // ℓ_r at the rank's own points: where it starts (B = 0), the rank-r truncation of where the
      // reference got, and the middle and end of its own run; same probe scales as ℓ
      if (gRef > 0) {
        const entries = selectedEntries(model.adapterLayout(), factors, model.adapterSize);
        const theta0 = model.getAdapters(0);
        const path = trajectory(theta0, own.aggregates, entries, upload, ts.fl.serverLr);
        const points: [string, Float32Array][] = [
          ['start', theta0], ['truncated-reference', flat],
          ['own-middle', path[Math.floor(path.length / 2)]!], ['own-end', path[path.length - 1]!],
        ];
        for (const [pi, [label, base]] of points.entries()) {
          for (const row of probeWhiteNoise(model, base, entries, prep.data, sRef * gRef, (i) => prep.streams.stream('design-noise-curvature-rank', r, pi, i))) {
            rankNoiseRows.push({ rank: r, point: label, ...row });
            ellR = Math.max(ellR, row.upper);
          }
        }
      }
    } finally {
      model.dispose();
    }
    const p = await pair(lora);
    firstRound.push({ r, f1: p.f1 });
    const pr = 1 - firstRoundContraction(f0, p.f1, fstar);
    const kappa = progressRef > 0 ? Math.min(1, Math.max(0, pr / progressRef)) : 1;
    perRank.push({ r, kappa, eps, variance: p.variance, gain2: p.gain2 * gainGrowth, ...(gRef > 0 ? { ell: ellR } : {}) });
    log(`design: rank ${r}: κ = ${kappa.toFixed(3)}, ε = ${eps.toExponential(3)}, Var(Δ̄) = ${p.variance.toExponential(3)}, g² = ${(p.gain2 * gainGrowth).toExponential(3)}, ℓ_r = ${ellR.toExponential(3)}`);
    onProgress?.(a.estimateRounds + perRank.length, a.estimateRounds + ranks.length + 1);
  }

  const K = ts.fl.clients;
  const sizes = prep.data.clients.map((c) => c.size);
  const tot = sizes.reduce((x, y) => x + y, 0);
  const w = Array.from({ length: K }, (_, k) => {
    const e = probe.weightSum.get(k);
    return e && e.n > 0 ? e.w / e.n : sizes[k]! / tot;
  });
  const ws = w.reduce((x, y) => x + y, 0);
  const bound: BoundConstants = {
    f0, fstar, contraction: 1 - qRef, L, ...(noiseRows.length > 0 ? { Lnoise } : {}), step2: upload === 'weights' ? 1 : ts.fl.serverLr ** 2, perRank,
  };
  log(`design: F(θ₀) = ${f0.toFixed(4)}, F* = ${fstar.toFixed(4)}, q_ref = ${qRef.toFixed(4)}, L = ${L.toExponential(3)}, ℓ = ${Lnoise.toExponential(3)}`);
  return {
    bound, weights: w.map((x) => x / ws), entriesPerRank: D1, referenceRank: rRef, estimateRounds: a.estimateRounds,
    referenceLosses: losses, qFit: fit.q, fitRmse: fit.rmse, curvature, noiseCurvature: noiseRows, rankNoiseCurvature: rankNoiseRows, firstRound,
  };
}

export interface DesignFromConstantsInput {
  constants: EstimatedConstants;
  design: DesignSettings;
  radio: RadioConfig;
  /** rounds T the bound is stated for */
  rounds: number;
  seed: number;
  schemes: { spec: AggregationSpec; S: number }[];
  /** ranks (besides the grid) at which each scheme's MSE is wanted (for the bound check) */
  extraRanks?: number[];
}

/** The channel draws every design of a run sees (named stream, independent of the training draws). */
export function designChannels(radio: RadioConfig, seed: number, draws: number): ChannelRealization[] {
  const seq = new ChannelSequence(radio, new RandomStreams(seed).child('design-channel'));
  return Array.from({ length: draws }, (_, d) => seq.at(d + 1));
}

/** Steps 2–3: link budgets, alternated transceivers and bounds for every (rank, S), search and grid. */
export function designFromConstants(inp: DesignFromConstantsInput): DesignReport {
  const { constants: ec, design: a, radio } = inp;
  const grid = checkGrid(a.ranks);
  const channels = designChannels(radio, inp.seed, a.channelDraws);
  const M = radio.channel.M;
  const weights = Float64Array.from(ec.weights);
  let weightEnergy = 0;
  for (const w of weights) weightEnergy += w * w;
  const alternation: DesignReport['alternation'] = [];
  const txCache = new Map<string, ReturnType<typeof designTransceivers>>();
  const warm = createScheme(a.scheme.scheme, a.scheme.options);

  const option = (r: number, S: number): StreamOption => {
    const entries = r * ec.entriesPerRank;
    const lb = linkBudget(entries, M, S, radio.P, radio.timing, a.budgets);
    const key = `${S}|${lb.powerPerSubcarrier}`;
    let tx = txCache.get(key);
    if (!tx) {
      tx = designTransceivers({
        channels, weights, sigma2: radio.sigma2, P: lb.powerPerSubcarrier, powerMode: radio.powerMode, S,
        warmStart: warm, tolerance: a.tolerance, maxAlternations: a.maxAlternations,
      });
      txCache.set(key, tx);
    }
    for (const s of tx.log) alternation.push({ rank: r, streams: S, iteration: s.iteration, objective: s.objective });
    const terms = optimalityGap(ec.bound, { r, rounds: inp.rounds, entries, mse: tx.mse, S, shrink: tx.shrink, msePerp: uncorrelatedMse(tx.mse, tx.shrink, S, weightEnergy) });
    return {
      streams: S, entries, ofdm_symbols: lb.symbols, latency_s: lb.latencyS, energy_j: tx.maxDevicePower * lb.latencyS,
      power_per_subcarrier: lb.powerPerSubcarrier, energy_limited: lb.energyLimited, feasible: lb.feasible,
      mse: tx.mse, bound: terms.total, terms, alternations: tx.alternations, converged: tx.converged, warm_start_kept: tx.warmStartKept,
    };
  };
  const better = (x: StreamOption, y: StreamOption) => (x.feasible !== y.feasible ? x.feasible : x.bound < y.bound);
  const byRank = new Map<number, RankReport>();
  for (const r of grid) {
    const options = a.streams.map((S) => option(r, S));
    let best = options[0]!;
    for (const o of options) if (better(o, best)) best = o;
    byRank.set(r, {
      rank: r, evaluated: false, bound: best.bound, mse: best.mse, ofdm_symbols: best.ofdm_symbols, latency_s: best.latency_s,
      energy_j: best.energy_j, feasible: best.feasible, streams: best.streams, entries: best.entries,
      power_per_subcarrier: best.power_per_subcarrier, energy_limited: best.energy_limited, terms: best.terms, options,
    });
  }
  const search = searchRanks(grid, (r) => byRank.get(r)!, a.start);
  for (const r of search.order) byRank.get(r)!.evaluated = true;

  // every over-the-air scheme of the scenario with its own design, at each rank's power
  const schemeMse: DesignReport['scheme_mse'] = [];
  const checkRanks = [...new Set([...grid, ...(inp.extraRanks ?? [])])].sort((x, y) => x - y);
  for (const { spec, S } of inp.schemes) {
    const caps = aggregatorCapabilities(spec.scheme);
    if (!caps.analyticMse) continue;
    const cache = new Map<number, { mse: number; shrink: number }>();
    for (const r of checkRanks) {
      const P = linkBudget(r * ec.entriesPerRank, M, S, radio.P, radio.timing, a.budgets).powerPerSubcarrier;
      let got = cache.get(P);
      if (got === undefined) {
        if (caps.exact) got = { mse: 0, shrink: 1 };
        else {
          const sch = createScheme(spec.scheme, spec.options);
          let s = 0, c = 0, n = 0;
          for (const ch of channels) {
            const d = sch.design(ch, { phi: weights, sigma2: radio.sigma2, P, powerMode: radio.powerMode, S });
            const gain = alignmentGain(ch, d, weights, ch.Hhat);
            d.analyticMse.forEach((v, m) => {
              s += v;
              c += gain[m]!;
              n++;
            });
          }
          got = { mse: s / n, shrink: c / n };
        }
        cache.set(P, got);
      }
      schemeMse.push({
        scheme: spec.label, streams: S, rank: r, mse: got.mse, shrink: got.shrink,
        mse_perp: uncorrelatedMse(got.mse, got.shrink, S, weightEnergy), power_per_subcarrier: P,
      });
    }
  }
  const chosen = byRank.get(search.chosen)!, ex = byRank.get(search.exhaustive)!;
  return {
    format: 'airlora-design/2',
    scheme: a.scheme.label,
    chosen_rank: chosen.rank, chosen_streams: chosen.streams,
    exhaustive_rank: ex.rank, exhaustive_streams: ex.streams,
    search_order: search.order,
    rounds: inp.rounds,
    budgets: { energy_budget_j: a.budgets.energyJ ?? null, latency_budget_s: a.budgets.latencyS ?? null },
    constants: {
      ...ec.bound, reference_rank: ec.referenceRank, estimate_rounds: ec.estimateRounds, q_fit: ec.qFit, fit_rmse: ec.fitRmse,
      entries_per_rank: ec.entriesPerRank, weights: ec.weights, reference_losses: ec.referenceLosses, curvature: ec.curvature,
      noise_curvature: ec.noiseCurvature ?? [],
      ...(ec.rankNoiseCurvature ? { rank_noise_curvature: ec.rankNoiseCurvature } : {}),
    },
    ranks: grid.map((r) => byRank.get(r)!),
    alternation,
    scheme_mse: schemeMse,
  };
}

export async function runDesignLoop(input: DesignLoopInput, opts: { log?: (l: string) => void; onProgress?: (done: number, total: number) => void } = {}): Promise<DesignReport> {
  const log = opts.log ?? (() => {});
  const constants = await estimateConstants(input, log, opts.onProgress);
  const report = designFromConstants({
    constants, design: input.design, radio: input.radio, rounds: input.training.fl.rounds, seed: input.training.seed,
    schemes: input.schemes, ...(input.extraRanks ? { extraRanks: input.extraRanks } : {}),
  });
  log(`design: search chose rank ${report.chosen_rank} (S = ${report.chosen_streams}); grid argmin rank ${report.exhaustive_rank}`);
  const steps = input.design.estimateRounds + new Set([...input.design.ranks, ...(input.extraRanks ?? [])]).size + 1;
  opts.onProgress?.(steps, steps);
  return report;
}

/** The bound at a trained (rank, scheme) from a design report, against the measured final loss. */
export function boundAt(report: DesignReport, rank: number, scheme: string): { bound: number; mse: number; shrink: number } | undefined {
  const row = report.scheme_mse.find((s) => s.scheme === scheme && s.rank === rank);
  if (!row) return undefined;
  const c = report.constants;
  const entries = rank * c.entries_per_rank;
  const align = row.shrink !== undefined ? { shrink: row.shrink, msePerp: row.mse_perp ?? row.mse } : {};
  const terms = optimalityGap(c, { r: rank, rounds: report.rounds, entries, mse: row.mse, S: row.streams, ...align });
  return { bound: terms.total, mse: row.mse, shrink: terms.shrink };
}
