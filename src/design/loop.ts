/**
 * The AirFL-LoRA design loop (`airlora design`, and `airfl.joint` before training):
 *
 *  1. a short ideal run at the largest rank of the grid (`airfl.design.estimate_rounds` rounds, both
 *     LoRA factors trained) estimates the bound's constants (constants.ts): loss-curve fit → Δ₀, μη, F*;
 *     perturbation curvature at the final adapters → L; SVD truncation of the learned update to every
 *     rank of the grid → ε(r); the uploads' de-normalisation gain → g²;
 *  2. the transceivers (`airfl.design.scheme`, manifold by default: Grassmann beamformer alternating
 *     with the closed-form ZF power scale η) are designed on `channel_draws` channel draws of all K
 *     clients; their per-subcarrier MSE (with normalised symbols it does not depend on the payload) is
 *     summarised;
 *  3. backtracking over the rank grid (design/rank.ts) minimises the bound, under the optional per-round
 *     air-time budget. Every rank tried is reported with its bound terms.
 */
import type { TrainingConfig, PreparedTraining } from '../fl/prepare.js';
import { runFederated } from '../fl/trainer.js';
import { evaluateGlobal } from '../fl/evaluate.js';
import { weightedAverage, type AggregationInput, type AggregationResult, type Aggregator } from '../fl/aggregator.js';
import { aggregatorCapabilities, type AggregationSpec } from '../fl/aggregators/index.js';
import { createScheme, type AirCompScheme } from '../phy/aircomp/index.js';
import { ChannelSequence } from '../phy/channel/sequence.js';
import type { RadioConfig } from '../phy/radio.js';
import { loraAtRank } from '../lora/config.js';
import { RandomStreams } from '../random/streams.js';
import { airCompLatencySeconds } from '../phy/timing.js';
import type { BoundConstants, BoundTerms } from './bound.js';
import { selectRank } from './rank.js';
import { summarize } from '../stats/summary.js';
import { curvatureFromPerturbation, fitLossCurve, truncateAdapters } from './constants.js';

/** The design loop's settings (`airfl.design`, resolved by the scenario layer). */
export interface DesignSettings {
  /** rank grid it searches */
  ranks: number[];
  /** the transceiver design evaluated for each rank (the scenario's own entry of that scheme when it has one) */
  scheme: AggregationSpec;
  /** per-round air-time budget */
  latencyBudgetS?: number;
  /** rounds of the short ideal run that estimates the bound's constants */
  estimateRounds: number;
  /** channel draws averaged for each rank's MSE */
  channelDraws: number;
  /** grid value the backtracking search starts from */
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
}

export interface DesignCandidate {
  r: number;
  entries: number;
  latencyS: number;
  mseMean: number;
  feasible: boolean;
  bound: BoundTerms;
}

export interface DesignReport {
  scheme: string;
  chosen: number;
  constants: BoundConstants & { fstar: number; fitRmse: number; estimateRounds: number; estimateRank: number; epsFull: number };
  /** per-subcarrier analytic MSE (normalised symbols) over the channel draws */
  msePerSubcarrier: { mean: number; median: number; min: number; max: number; ciLow: number; ciHigh: number; n: number };
  candidates: DesignCandidate[];
  /** mean per-subcarrier analytic MSE of every over-the-air scheme of the scenario (same draws) */
  schemeMse: Record<string, number>;
  /** D(r) for every rank of the grid */
  entriesByRank: Record<string, number>;
  rounds: number;
  S: number;
  /** manifold design objective per iteration on the first channel draw (design.csv) */
  convergence: { method: string; iteration: number; objective: number }[];
  /** filled after training: bound vs measured gap per trained rank and scheme */
  check?: { scheme: string; r: number; mseMean: number; bound: number; measured: number; boundAbove: boolean }[];
}

/** Ideal aggregation that also records g² = (Σ_k φ_k c_k)², c_k = √(2·var(x_k)) (mapping.ts). */
class GainProbe implements Aggregator {
  readonly name = 'ideal';
  gains: number[] = [];
  aggregate({ vectors, weights }: AggregationInput): AggregationResult {
    let g = 0;
    vectors.forEach((v, k) => {
      let s = 0, s2 = 0;
      for (const x of v) {
        s += x;
        s2 += x * x;
      }
      const mean = s / v.length;
      g += weights[k]! * Math.sqrt(2 * Math.max(0, s2 / v.length - mean * mean));
    });
    this.gains.push(g * g);
    return { aggregate: Float32Array.from(weightedAverage(vectors, weights)), diagnostics: { nmse: 0, gain2: g * g } };
  }
}

export async function runDesignLoop(input: DesignLoopInput, opts: { log?: (l: string) => void } = {}): Promise<DesignReport> {
  const log = opts.log ?? (() => {});
  const { training: ts, prep, design: a, radio } = input;
  const grid = [...new Set(a.ranks)].sort((x, y) => x - y);
  const rMax = grid[grid.length - 1]!;
  const loraMax = { ...loraAtRank(ts.lora, rMax), train_A: true };
  const probe = new GainProbe();
  const cfg = { ...ts.fl, rounds: a.estimateRounds, evalEvery: 1 };
  log(`design: estimating the bound's constants with an ideal run (rank ${rMax}, ${cfg.rounds} rounds)`);
  const est = await runFederated({
    config: cfg, data: prep.data, streams: prep.streams.child('design-estimate'), aggregator: probe,
    makeModel: prep.makeModel(loraMax), log: (l) => log(`design: ${l}`),
  });
  const losses = est.rows.map((r) => Number(r['eval_loss'])).filter((x) => Number.isFinite(x));
  const fit = fitLossCurve(losses);

  const slots = Math.min(ts.fl.clients, 8);
  const modelMax = prep.makeModel(loraMax)(slots);
  let L: number, fullLoss: number;
  const truncation: { r: number; eps: number }[] = [];
  const entriesOf = new Map<number, number>();
  const factors = ts.fl.aggregateFactors;
  try {
    const lossMax = (flat: Float32Array) => evaluateGlobal(modelMax, flat, prep.data).loss;
    fullLoss = lossMax(est.global);
    L = curvatureFromPerturbation(lossMax, est.global, prep.streams.stream('design-curvature'), { draws: 3, relSize: 0.02 });
    for (const r of grid) {
      const model = prep.makeModel({ ...loraAtRank(ts.lora, r), train_A: true })(slots);
      try {
        const flat = truncateAdapters(
          { layout: modelMax.adapterLayout(), flat: est.global, scale: ts.lora.lora_alpha / ts.lora.r },
          { layout: model.adapterLayout(), size: model.adapterSize, scale: ts.lora.lora_alpha / ts.lora.r },
        );
        const eps = Math.max(0, evaluateGlobal(model, flat, prep.data).loss - fullLoss);
        truncation.push({ r, eps });
        // D(r): the entries this scenario uploads at rank r (its factors; A is not sent when frozen)
        let D = 0;
        for (const b of model.adapterLayout()) {
          if (!factors.includes(b.factor) || (b.factor === 'A' && !ts.lora.train_A)) continue;
          D += b.shape.reduce((p, q) => p * q, 1);
        }
        entriesOf.set(r, D);
      } finally {
        model.dispose();
      }
    }
  } finally {
    modelMax.dispose();
  }
  const gain2 = probe.gains.reduce((x, y) => x + y, 0) / Math.max(1, probe.gains.length);
  const constants = {
    delta0: fit.delta0, contraction: 1 - fit.q, L, variance: 0, truncation, gain2,
    fstar: fit.fstar, fitRmse: fit.rmse, estimateRounds: cfg.rounds, estimateRank: rMax, epsFull: fullLoss,
  };
  log(`design: F* ≈ ${fit.fstar.toFixed(4)}, Δ₀ ≈ ${fit.delta0.toFixed(4)}, μη ≈ ${(1 - fit.q).toFixed(4)}, L ≈ ${L.toExponential(3)}, g² ≈ ${gain2.toExponential(3)}`);

  // Transceiver MSE per subcarrier on `channel_draws` draws of all K clients (data-size weights).
  const seq = new ChannelSequence(radio, new RandomStreams(ts.seed).child('design-channel'));
  const sizes = prep.data.clients.map((c) => c.size);
  const tot = sizes.reduce((x, y) => x + y, 0);
  const phi = Float64Array.from(sizes, (n) => n / tot);
  /** per-subcarrier analytic MSE of a scheme over the draws; `first` sees the scheme after draw 1 */
  const msePerSubcarrier = (sch: AirCompScheme, S: number, first?: (sch: AirCompScheme) => void): number[] => {
    const out: number[] = [];
    for (let d = 1; d <= a.channelDraws; d++) {
      out.push(...sch.design(seq.at(d), { phi, sigma2: radio.sigma2, P: radio.P, powerMode: radio.powerMode, S }).analyticMse);
      if (d === 1) first?.(sch);
    }
    return out;
  };
  let convergence: { method: string; iteration: number; objective: number }[] = [];
  const perSc = msePerSubcarrier(createScheme(a.scheme.scheme, a.scheme.options), radio.S, (sch) => {
    // iterative designs expose their objective per iteration (Σ over η-groups of the weakest device's
    // cost, ∝ MSE) on the first draw; iteration 0 is the zf eigenspace they start from
    const h = (sch as { lastHistory?: number[] }).lastHistory;
    if (!h || h.length === 0) return;
    convergence = [
      ...h.map((objective, iteration) => ({ method: sch.name, iteration, objective })),
      ...h.map((_, iteration) => ({ method: 'zf (warm start)', iteration, objective: h[0]! })),
    ];
  });
  const ms = summarize(perSc);
  // Each over-the-air scheme of the scenario on the same draws, so the bound can be checked per
  // scheme against its own measured gap (ideal: MSE 0; digital has no AirComp MSE and is skipped).
  const schemeMse: Record<string, number> = {};
  for (const { spec, S } of input.schemes) {
    const caps = aggregatorCapabilities(spec.scheme);
    if (!caps.analyticMse) continue;
    schemeMse[spec.label] = caps.exact ? 0
      : spec.scheme === a.scheme.scheme && spec.label === a.scheme.label && S === radio.S ? ms.mean
        : summarize(msePerSubcarrier(createScheme(spec.scheme, spec.options), S)).mean;
  }
  const M = radio.channel.M;
  const sel = selectRank({
    grid,
    entries: (r) => entriesOf.get(r)!,
    designMse: () => ms.mean,
    latencyS: (r) => airCompLatencySeconds(entriesOf.get(r)!, M, radio.S, radio.timing),
    latencyBudgetS: a.latencyBudgetS,
    constants,
    rounds: ts.fl.rounds,
    S: radio.S,
    ...(a.start !== undefined ? { start: grid.indexOf(Math.round(a.start)) >= 0 ? grid.indexOf(Math.round(a.start)) : undefined } : {}),
  });
  return {
    scheme: a.scheme.scheme,
    chosen: sel.chosen.r,
    constants,
    msePerSubcarrier: { mean: ms.mean, median: ms.median, min: ms.min, max: ms.max, ciLow: ms.ciLow, ciHigh: ms.ciHigh, n: ms.n },
    convergence,
    schemeMse,
    entriesByRank: Object.fromEntries(entriesOf),
    rounds: ts.fl.rounds,
    S: radio.S,
    candidates: sel.tried.map((c) => ({ r: c.r, entries: c.entries, latencyS: c.latencyS, mseMean: c.mseMean, feasible: c.feasible, bound: c.bound })),
  };
}
