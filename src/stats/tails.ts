/**
 * Heavy-tail check for Monte-Carlo figures. A quantity whose tail decays like P(X > x) ~ x^(−α) has a
 * finite mean only for α > 1 and a finite variance only for α > 2; below that a mean and its
 * t-interval say little (zero-forcing's power with S = N_t: α = N_t − S + 1 = 1). The Hill estimator
 * on the top k = max(10, ⌊√n⌋·2) order statistics estimates α:
 *   α̂ = k / Σ_{i<k} ln(X_(n−i) / X_(n−k)).
 * A figure is reported by its median when α̂ < 2 (no finite variance), or when the caller knows the
 * geometry makes the mean infinite.
 */

export interface TailCheck {
  /** Hill estimate of the tail index α (Infinity when the top values are all equal; NaN if n < 20) */
  tailIndex: number;
  /** α̂ < 2, or declared by the caller */
  heavy: boolean;
}

export function hillTailIndex(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 20) return NaN;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const k = Math.min(n - 1, Math.max(10, 2 * Math.floor(Math.sqrt(n))));
  const u = sorted[n - k - 1]!;
  if (!(u > 0)) return NaN;
  let s = 0;
  for (let i = n - k; i < n; i++) s += Math.log(sorted[i]! / u);
  return s > 0 ? k / s : Infinity;
}

/** Heavy when the Hill estimate is below 2 or `known` says so (e.g. the geometry gives an infinite mean). */
export function checkTails(values: ArrayLike<number>, known = false): TailCheck {
  const tailIndex = hillTailIndex(values);
  return { tailIndex, heavy: known || tailIndex < 2 };
}
