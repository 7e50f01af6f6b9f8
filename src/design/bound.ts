/**
 * Optimality-gap bound of AirFL-LoRA at rank r (derivation and assumptions: docs/airfl.md, "The
 * optimality-gap bound"). With θ_{t+1} = Φ_r(θ_t) + e_t — Φ_r the ideal FedAvg round at rank r, e_t the
 * aggregation error on the uploaded entries, zero-mean given the round (A2) — L-smoothness along the
 * trajectory (A1), a contraction of the ideal round toward the rank-r floor F*_r = F* + ε(r) (A3:
 * F(Φ_r(θ)) − F*_r ≤ q_r (F(θ) − F*_r) + v(r)) give, unrolled over T rounds,
 *
 *   E F(θ_T) − F*  ≤  q_r^T Δ₀  +  (1 − q_r^T) ε(r)  +  Σ_{t<T} q_r^{T−1−t} [ (L/2) E‖e_t‖² + v(r) ]
 *
 *  - Δ₀ = F(θ₀) − F*  (every rank starts from the same model: B = 0);
 *  - q_r = 1 − (1 − q_ref)·κ(r): q_ref the slowest per-round contraction of the reference run, κ(r) ≤ 1
 *    the first-round progress of rank r relative to the reference's (constants.ts);
 *  - E‖e_t‖² = s²·D(r)·g²(r)·MSE/(2S): D(r) uploaded real entries, each carrying g²·MSE_m/(2S) (per-device
 *    normalisation, mapping.ts: x̂ = g·ŷ + o), s the server step (serverLr for delta/gradient uploads,
 *    1 for weights), MSE the designed per-subcarrier MSE with the realised weights φ_k c_k/g;
 *  - v(r) = (L/2)·s²·Var(Δ̄_r): the minibatch variance of the ideal aggregate at rank r, from pairs of
 *    independent local-training runs of every client from the same start (constants.ts);
 *  - ε(r): the loss cost of restricting the reference update to rank r (SVD tail, constants.ts).
 * The sum is geometric: Σ_{t<T} q^{T−1−t} = (1 − q^T)/(1 − q) (= T when q = 1).
 */
import { UserInputError } from '../errors.js';

/** What the bound needs at one rank. */
export interface RankConstants {
  r: number;
  /** κ(r) ∈ [0, 1]: first-round progress relative to the reference */
  kappa: number;
  /** ε(r) ≥ 0 */
  eps: number;
  /** Var(Δ̄_r): variance (squared norm) of the ideal aggregate per round */
  variance: number;
  /** g²(r): squared de-normalisation gain per round (largest expected over the rounds) */
  gain2: number;
}

export interface BoundConstants {
  /** F(θ₀): loss of the starting model */
  f0: number;
  /** F*: the reference run's asymptote (≤ every loss it reached) */
  fstar: number;
  /** 1 − q_ref ∈ [0, 1]: the reference run's slowest per-round contraction */
  contraction: number;
  /** L: largest Hessian eigenvalue (magnitude) along the reference trajectory */
  L: number;
  /** s²: squared server step applied to the aggregate */
  step2: number;
  perRank: RankConstants[];
}

export interface BoundInput {
  r: number;
  /** rounds T */
  rounds: number;
  /** D(r): real entries uploaded per device */
  entries: number;
  /** designed MSE per S-stream symbol vector (mean over subcarriers) */
  mse: number;
  S: number;
}

export interface BoundTerms {
  total: number;
  initial: number;
  aggregation: number;
  variance: number;
  truncation: number;
  /** E‖e‖² per round */
  errorEnergy: number;
  /** q_r */
  q: number;
}

export function aggregationErrorEnergy(entries: number, gain2: number, mse: number, S: number, step2 = 1): number {
  return (step2 * entries * gain2 * mse) / (2 * S);
}

export function rankConstants(c: BoundConstants, r: number): RankConstants {
  const k = c.perRank.find((p) => p.r === r);
  if (!k) throw new UserInputError(`design: no constants estimated for rank ${r}; estimated ranks: [${c.perRank.map((p) => p.r).join(', ')}]`, 'airfl.design.ranks');
  return k;
}

export function optimalityGap(c: BoundConstants, x: BoundInput): BoundTerms {
  if (!(c.contraction >= 0 && c.contraction <= 1)) {
    throw new UserInputError(`design.constants.contraction: ${c.contraction} is not allowed; expected a number in [0, 1]`, 'design.constants.contraction');
  }
  const k = rankConstants(c, x.r);
  const q = 1 - c.contraction * Math.min(1, Math.max(0, k.kappa));
  const T = x.rounds;
  const decay = Math.pow(q, T);
  const geo = q === 1 ? T : (1 - decay) / (1 - q);
  const errorEnergy = aggregationErrorEnergy(x.entries, k.gain2, x.mse, x.S, c.step2);
  const initial = decay * (c.f0 - c.fstar);
  const aggregation = geo * (c.L / 2) * errorEnergy;
  const variance = geo * (c.L / 2) * c.step2 * k.variance;
  const truncation = (1 - decay) * k.eps;
  const total = initial + aggregation + variance + truncation;
  return { total, initial, aggregation, variance, truncation, errorEnergy, q };
}
