/**
 * Estimating the optimality-gap constants (src/design/bound.ts) from a short ideal run, rather than
 * inventing them:
 *
 *  - Δ₀, μη and F*: fit the ideal run's evaluation-loss curve with F_t = F* + Δ₀ (1 − μη)^t (least
 *    squares; a grid over the contraction, F* and Δ₀ in closed form for each, F* constrained to
 *    [0, min_t F_t] since a cross-entropy cannot be negative). A run too short to show curvature
 *    yields a slow contraction and a low F*: lengthen `estimate_rounds` then. The stochastic-gradient
 *    floor is absorbed into F* (the bound is stated relative to the ideal run's asymptote), so v = 0.
 *  - L: the curvature seen by isotropic parameter error. For e with i.i.d. entries,
 *    E[F(θ + e)] − F(θ) ≈ (L_e/2)·E‖e‖² with L_e = tr(∇²F)/n, which is exactly the constant that
 *    multiplies aggregation error in the bound. Measured at the final global adapters by evaluating
 *    the loss at a few random perturbations of a set relative size (central: ±e, which cancels the
 *    first-order term).
 *  - ε(r): the loss increase from restricting the fine-tuning update to rank r — each adapted module's
 *    learned update ΔW = (α/r_max)·A·B is truncated to its best rank-r approximation (SVD), written
 *    into rank-r adapters, and evaluated: ε(r) = F(θ_r) − F(θ_{r_max}) (clamped at 0).
 *  - g²: the mean squared de-normalisation gain of the uploads, from the ideal run's aggregator
 *    diagnostics (`gain2`).
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { NumericalError } from '../errors.js';
import type { Rng } from '../random/streams.js';

export interface CurveFit {
  fstar: number;
  delta0: number;
  /** 1 − μη */
  q: number;
  rmse: number;
}

/** Least-squares fit of F_t = F* + Δ₀ q^t, t = 0..n−1, over a grid of q. */
export function fitLossCurve(losses: readonly number[]): CurveFit {
  const n = losses.length;
  if (n < 3) throw new NumericalError(`fitLossCurve: need at least 3 evaluation points, got ${n}`);
  if (losses.some((l) => !Number.isFinite(l))) throw new NumericalError('fitLossCurve: non-finite loss in the ideal run');
  // Cross-entropy is ≥ 0 and the asymptote cannot lie above the best loss seen: F* ∈ [0, min F_t].
  const hiF = Math.min(...losses);
  let best: CurveFit | undefined;
  for (let i = 1; i < 2000; i++) {
    const q = i / 2000;
    // linear LS in (F*, Δ₀) with regressors 1 and q^t
    let s1 = 0, sx = 0, sxx = 0, sy = 0, sxy = 0;
    for (let t = 0; t < n; t++) {
      const x = Math.pow(q, t), y = losses[t]!;
      s1 += 1; sx += x; sxx += x * x; sy += y; sxy += x * y;
    }
    const det = s1 * sxx - sx * sx;
    if (Math.abs(det) < 1e-15) continue;
    let delta0 = (s1 * sxy - sx * sy) / det;
    let fstar = (sy - delta0 * sx) / s1;
    if (fstar < 0 || fstar > hiF) {
      // constrained: F* on the violated bound, Δ₀ by least squares given F*
      fstar = Math.min(hiF, Math.max(0, fstar));
      delta0 = (sxy - fstar * sx) / sxx;
    }
    if (delta0 < 0) continue;
    let r = 0;
    for (let t = 0; t < n; t++) r += (losses[t]! - fstar - delta0 * Math.pow(q, t)) ** 2;
    const rmse = Math.sqrt(r / n);
    if (!best || rmse < best.rmse) best = { fstar, delta0, q, rmse };
  }
  if (!best) throw new NumericalError('fitLossCurve: the ideal run did not decrease its loss; cannot estimate the contraction');
  return best;
}

/**
 * L_e from central differences of the loss under random isotropic perturbations:
 * L_e ≈ mean over draws of (F(θ+e) + F(θ−e) − 2F(θ)) / ‖e‖², with ‖e‖ = relSize·‖θ‖ (or absSize).
 */
export function curvatureFromPerturbation(
  lossAt: (flat: Float32Array) => number, theta: Float32Array, rng: Rng,
  opts: { draws?: number; relSize?: number; absSize?: number } = {},
): number {
  const draws = opts.draws ?? 4;
  let norm = 0;
  for (const v of theta) norm += v * v;
  norm = Math.sqrt(norm);
  const size = opts.absSize ?? (opts.relSize ?? 0.1) * Math.max(norm, 1e-3);
  const f0 = lossAt(theta);
  let acc = 0;
  for (let d = 0; d < draws; d++) {
    const e = new Float64Array(theta.length);
    rng.fillNormal(e);
    let en = 0;
    for (const v of e) en += v * v;
    const s = size / Math.sqrt(en);
    const plus = Float32Array.from(theta, (v, i) => v + s * e[i]!);
    const minus = Float32Array.from(theta, (v, i) => v - s * e[i]!);
    acc += (lossAt(plus) + lossAt(minus) - 2 * f0) / (size * size);
  }
  const L = acc / draws;
  if (!Number.isFinite(L)) throw new NumericalError('curvature estimate is not finite');
  return Math.max(L, 0);
}

export interface AdapterBlockLike {
  module: string;
  factor: 'A' | 'B';
  offset: number;
  shape: number[];
}

/**
 * Rank-r adapters carrying the best rank-r approximation of each module's update.
 * From: layout/flat at rank r0 with scale s0 (= α/r0). To: layout of a rank-r model with scale s1.
 * ΔW = s0·A·B (A: in×r0, B: r0×out) = U Σ Vᵀ → A' = U_r Σ_r^{1/2}, B' = Σ_r^{1/2} V_rᵀ / s1.
 */
export function truncateAdapters(
  from: { layout: readonly AdapterBlockLike[]; flat: Float32Array; scale: number },
  to: { layout: readonly AdapterBlockLike[]; size: number; scale: number },
): Float32Array {
  const out = new Float32Array(to.size);
  const modules = [...new Set(from.layout.map((b) => b.module))];
  for (const mod of modules) {
    const a = from.layout.find((b) => b.module === mod && b.factor === 'A');
    const b = from.layout.find((x) => x.module === mod && x.factor === 'B');
    const a2 = to.layout.find((x) => x.module === mod && x.factor === 'A');
    const b2 = to.layout.find((x) => x.module === mod && x.factor === 'B');
    if (!a || !b || !a2 || !b2) throw new Error(`truncateAdapters: module ${mod} needs A and B in both layouts`);
    const [din, r0] = a.shape as [number, number];
    const dout = b.shape[1]!;
    const r = a2.shape[1]!;
    const A = new Matrix(din, r0), B = new Matrix(r0, dout);
    for (let i = 0; i < din; i++) for (let j = 0; j < r0; j++) A.set(i, j, from.flat[a.offset + i * r0 + j]!);
    for (let i = 0; i < r0; i++) for (let j = 0; j < dout; j++) B.set(i, j, from.flat[b.offset + i * dout + j]!);
    const dW = A.mmul(B).mul(from.scale);
    const svd = new SingularValueDecomposition(dW, { autoTranspose: true });
    const U = svd.leftSingularVectors, V = svd.rightSingularVectors, s = svd.diagonal;
    for (let c = 0; c < r; c++) {
      const sv = c < s.length ? Math.sqrt(Math.max(s[c]!, 0)) : 0;
      for (let i = 0; i < din; i++) out[a2.offset + i * r + c] = c < s.length ? U.get(i, c) * sv : 0;
      for (let j = 0; j < dout; j++) out[b2.offset + c * dout + j] = c < s.length ? (V.get(j, c) * sv) / to.scale : 0;
    }
  }
  return out;
}
