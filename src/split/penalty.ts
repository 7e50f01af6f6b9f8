/**
 * Learning penalty of a round's participation, the V-weighted term of drift-plus-penalty.
 *
 * The convergence bound of split federated LoRA (papers.md §2.3) has the shape
 *   Σ_t w_t Φ(|S_t|),   w_t = ρ^{T−1−t},  ρ = 1 − μη,
 * so the rounds near the horizon weigh most. The papers' exact Φ is not available; we use the
 * standard partial-participation variance factor of FedAvg with sampling without replacement
 * (Li et al., "On the convergence of FedAvg on non-IID data", ICLR 2020, Lemma 5):
 *   Φ(n) = (K − n) / (n (K − 1)),   Φ(1) = 1, Φ(K) = 0, convex and decreasing in n,
 * and, as an option, the linear form (K − n)/K that papers.md also lists.
 */
import { UserInputError } from '../errors.js';

export type PenaltyKind = 'sampling' | 'linear';

/** Φ(n) for n scheduled devices out of K; +∞ for n = 0 (a round without any device learns nothing). */
export function participationPenalty(n: number, K: number, kind: PenaltyKind = 'sampling'): number {
  if (n <= 0) return Infinity;
  if (K <= 1) return 0;
  if (kind === 'linear') return (K - n) / K;
  return (K - n) / (n * (K - 1));
}

/** w_t = ρ^{T−1−t} (1 for every round when ρ = 1). */
export function roundWeight(t: number, horizon: number, decay: number): number {
  if (!(decay > 0 && decay <= 1)) {
    throw new UserInputError(`split.scheduler.decay = ${decay}: must be in (0, 1]`, 'split.scheduler.decay');
  }
  return decay ** Math.max(0, horizon - 1 - t);
}
