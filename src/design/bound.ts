/**
 * Optimality-gap bound of AirFL-LoRA at rank r (derivation and assumptions: docs/airfl.md, "The
 * optimality-gap bound"). With θ_{t+1} = Φ_r(θ_t) + s·e_t — Φ_r the ideal FedAvg round at rank r
 * (minibatch noise included), e_t the aggregation error on the uploaded entries, zero-mean and white
 * given the round (A2) — the second-order cost of white noise along the trajectory (A1: ℓ, measured)
 * and a contraction of the realised ideal round toward the rank-r floor F*_r = F* + ε(r) in
 * expectation (A3: E F(Φ_r(θ)) − F*_r ≤ q_r (F(θ) − F*_r)) give, unrolled over T rounds,
 *
 *   E F(θ_T) − F*  ≤  q_r^T Δ₀  +  (1 − q_r^T) ε(r)  +  Σ_{t<T} q_r^{T−1−t} (ℓ/2) E‖s·e_t‖²
 *
 *  - Δ₀ = F(θ₀) − F*  (every rank starts from the same model: B = 0);
 *  - q_r = 1 − (1 − q_ref)·κ(r): q_ref the slowest per-round contraction of the reference run, κ(r) ≤ 1
 *    the first-round progress of rank r relative to the reference's (constants.ts). Both are measured on
 *    realised rounds, so the minibatch noise of the ideal round is inside q_r; it is not charged again
 *    (the `variance` term is kept in the report at 0; Var(Δ̄_r) stays a reported diagnostic);
 *  - E‖s·e_t‖² = s²·D(r)·g²(r)·MSE/(2S): D(r) uploaded real entries, each carrying g²·MSE_m/(2S)
 *    (per-device normalisation, mapping.ts: x̂ = g·ŷ + o), s the server step (serverLr for delta/gradient
 *    uploads, 1 for weights), MSE the designed per-subcarrier MSE with the realised weights φ_k c_k/g;
 *  - ℓ = max(`Lnoise`, ℓ_r): the curvature white noise on the uploaded entries actually sees, 2·(E F(x + σz) −
 *    F(x))/(σ²n), measured by antithetic probes along the reference trajectory (upper 95% confidence
 *    limit, largest over points and noise scales; constants.ts `noiseCurvature`), and ℓ_r the same at
 *    rank r's own points (loop.ts `estimateConstants`). Without it (older
 *    reports) the largest Hessian eigenvalue L is used, which is valid for any noise but charges white
 *    noise at its worst direction (about 10³× too much on the shipped scenarios; docs/airfl.md);
 *  - ε(r): the loss cost of restricting the reference update to rank r (SVD tail, constants.ts).
 * The sum is geometric: Σ_{t<T} q^{T−1−t} = (1 − q^T)/(1 − q) (= T when q = 1).
 *
 * Biased transceivers (MMSE): the aggregate is c̄·(ideal) + e⊥ with e⊥ uncorrelated with the target
 * (alignment gain c̄ < 1). Under A5 (F convex on the segment from θ to the ideal round's Φ_r(θ)),
 * F(θ + c̄(Φ_r(θ) − θ)) ≤ (1 − c̄)F(θ) + c̄F(Φ_r(θ)), so q_r becomes 1 − c̄(1 − q_r) and e⊥ is charged
 * as above. With c̄ = 1 this is the zero-forcing bound unchanged.
 */
import { UserInputError } from '../errors.js';

/** What the bound needs at one rank. */
export interface RankConstants {
  r: number;
  /** κ(r) ∈ [0, 1]: first-round progress relative to the reference */
  kappa: number;
  /** ε(r) ≥ 0 */
  eps: number;
  /** Var(Δ̄_r): variance (squared norm) of the ideal aggregate per round (diagnostic: inside q_r) */
  variance: number;
  /** g²(r): squared de-normalisation gain per round (largest expected over the rounds) */
  gain2: number;
  /**
   * ℓ_r: white-noise curvature at rank r's own points (its θ₀, the rank-r truncation of the reference
   * run's endpoint, the middle and end of its own short ideal run; upper 95% limit, largest over points
   * and noise scales). The bound uses
   * max(ℓ_r, ℓ): per uploaded entry, the curvature grows as the rank falls (at rank 1 one row of B
   * carries the whole update, and every entry of A is multiplied by it), 10²–10³× the reference rank's
   * on the shipped scenarios. Absent in older reports (ℓ alone).
   */
  ell?: number;
}

export interface BoundConstants {
  /** F(θ₀): loss of the starting model */
  f0: number;
  /** F*: the reference run's asymptote (≤ every loss it reached) */
  fstar: number;
  /** 1 − q_ref ∈ [0, 1]: the reference run's slowest per-round contraction */
  contraction: number;
  /** L: largest Hessian eigenvalue (magnitude) along the reference trajectory (diagnostic; the bound's
   * curvature when `Lnoise` is absent) */
  L: number;
  /** ℓ: effective curvature of white noise on the uploaded entries (upper confidence limit, measured) */
  Lnoise?: number;
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
  /**
   * Alignment gain c̄ of the transceivers (phy/aircomp/mse.ts `alignmentGain`; default 1, zero forcing).
   * c̄ < 1 (an MMSE transceiver) shrinks the aggregate: the round moves c̄ of the way to the ideal round
   * (A5: convexity along that segment), so the contraction becomes 1 − c̄·(1 − q_r), and only the error
   * uncorrelated with the target, `msePerp`, is charged as white noise. c̄ ≥ 1 is not a shrink: the
   * whole MSE is charged as noise at q_r.
   */
  shrink?: number;
  /** E‖Uᴴy − c̄·Σ w_k s_k‖² per symbol vector, mean over subcarriers: MSE − (1 − c̄)²·S·Σ w_k² */
  msePerp?: number;
}

export interface BoundTerms {
  total: number;
  initial: number;
  aggregation: number;
  variance: number;
  truncation: number;
  /** E‖e‖² per round */
  errorEnergy: number;
  /** contraction per round actually used: q_r, or 1 − c̄·(1 − q_r) under a shrink c̄ < 1 */
  q: number;
  /** c̄ used (≤ 1) */
  shrink: number;
}

/** MSE uncorrelated with the target under alignment gain c̄ (Pythagoras; `weightEnergy` = Σ w_k²). */
export function uncorrelatedMse(mse: number, shrink: number, S: number, weightEnergy: number): number {
  if (!(shrink < 1)) return mse;
  return Math.max(0, mse - (1 - shrink) ** 2 * S * weightEnergy);
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
  const shrink = x.shrink !== undefined && x.shrink < 1 ? Math.max(0, x.shrink) : 1;
  const noiseMse = shrink < 1 ? (x.msePerp ?? x.mse) : x.mse;
  const q = 1 - shrink * c.contraction * Math.min(1, Math.max(0, k.kappa));
  const T = x.rounds;
  const decay = Math.pow(q, T);
  const geo = q === 1 ? T : (1 - decay) / (1 - q);
  const errorEnergy = aggregationErrorEnergy(x.entries, k.gain2, noiseMse, x.S, c.step2);
  const initial = decay * (c.f0 - c.fstar);
  const ell = Math.max(c.Lnoise ?? c.L, k.ell ?? 0);
  const aggregation = geo * (ell / 2) * errorEnergy;
  // the ideal round's minibatch noise is inside the measured contraction q_r (A3 on realised rounds)
  const variance = 0;
  const truncation = (1 - decay) * k.eps;
  const total = initial + aggregation + variance + truncation;
  return { total, initial, aggregation, variance, truncation, errorEnergy, q, shrink };
}
