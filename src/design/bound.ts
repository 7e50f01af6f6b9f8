/**
 * Optimality-gap bound of AirFL-LoRA (papers.md §1.3, reconstructed [I]: the paper's exact bound is
 * not available; this is the standard form for an L-smooth objective satisfying the PL condition
 * with constant μ, trained by FedAvg whose aggregate carries an additive zero-mean error e_t):
 *
 *   Gap_T(r) = (1 − μη)^T · Δ₀
 *            + Σ_{t<T} (1 − μη)^{T−1−t} · [ (L/2) · E‖e_t(r)‖²  +  v ]
 *            + ε(r)
 *
 *  - Δ₀ = F(θ₀) − F*: initial gap;
 *  - μη: per-round contraction (learning rate folded in);
 *  - L: smoothness (curvature) constant — the loss increase per unit of isotropic parameter error is
 *    (L/2)·E‖e‖², which is also how it is estimated (see src/airfl/constants.ts);
 *  - v: stochastic-gradient variance floor per round (η²Lσ²/2), independent of r and of the radio;
 *  - ε(r): LoRA expressiveness (truncation) term, decreasing in r: the loss increase caused by limiting
 *    the fine-tuning update to rank r, measured on the ideal run's update (see constants.ts);
 *  - E‖e_t(r)‖²: aggregation error energy on the D(r) uploaded entries. With per-device normalisation
 *    (ofdm/mapping.ts: x̂ = g·ŷ + o, g = Σ φ_k c_k) and per-subcarrier MSE_m per S-stream symbol
 *    vector, each real entry carries g²·MSE_m/(2S) on average, so
 *        E‖e‖² = D(r) · g² · mean_m(MSE_m) / (2S)
 *    — linear in the rank for fixed transceivers: the rank trade-off of the paper.
 * With a constant per-round error the sum is geometric: Σ_{t<T} (1−μη)^{T−1−t} = (1 − (1−μη)^T)/(μη).
 */
import { UserInputError } from '../errors.js';

export interface BoundConstants {
  /** initial gap Δ₀ = F(θ₀) − F* */
  delta0: number;
  /** per-round contraction μη ∈ (0, 1] */
  contraction: number;
  /** smoothness L (loss per squared parameter error, ×2) */
  L: number;
  /** variance floor per round v */
  variance: number;
  /** ε(r) for the ranks on the grid (interpolated log-linearly between them) */
  truncation: { r: number; eps: number }[];
  /** mean squared de-normalisation gain g² (update scale) per round */
  gain2: number;
}

export interface BoundInput {
  r: number;
  /** rounds T */
  rounds: number;
  /** D(r): real entries uploaded per device */
  entries: number;
  /** mean per-subcarrier MSE per S-stream symbol vector (normalised symbols) */
  mseMean: number;
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
}

export function aggregationErrorEnergy(entries: number, gain2: number, mseMean: number, S: number): number {
  return (entries * gain2 * mseMean) / (2 * S);
}

/** ε(r) from the measured points: exact at the grid, log-linear in r between, clamped outside. */
export function truncationAt(c: BoundConstants, r: number): number {
  const pts = [...c.truncation].sort((a, b) => a.r - b.r);
  if (pts.length === 0) return 0;
  if (r <= pts[0]!.r) return pts[0]!.eps;
  if (r >= pts[pts.length - 1]!.r) return pts[pts.length - 1]!.eps;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!, b = pts[i]!;
    if (r <= b.r) {
      const f = (Math.log(r) - Math.log(a.r)) / (Math.log(b.r) - Math.log(a.r));
      if (a.eps > 0 && b.eps > 0) return Math.exp(Math.log(a.eps) + f * (Math.log(b.eps) - Math.log(a.eps)));
      return a.eps + f * (b.eps - a.eps);
    }
  }
  return pts[pts.length - 1]!.eps;
}

export function optimalityGap(c: BoundConstants, x: BoundInput): BoundTerms {
  if (!(c.contraction > 0 && c.contraction <= 1)) {
    throw new UserInputError(`design.constants.contraction: ${c.contraction} is not allowed; expected a number in (0, 1]`, 'design.constants.contraction');
  }
  const q = 1 - c.contraction;
  const decay = Math.pow(q, x.rounds);
  const geo = c.contraction === 1 ? 1 : (1 - decay) / c.contraction;
  const errorEnergy = aggregationErrorEnergy(x.entries, c.gain2, x.mseMean, x.S);
  const initial = decay * c.delta0;
  const aggregation = geo * (c.L / 2) * errorEnergy;
  const variance = geo * c.variance;
  const truncation = truncationAt(c, x.r);
  return { total: initial + aggregation + variance + truncation, initial, aggregation, variance, truncation, errorEnergy };
}
