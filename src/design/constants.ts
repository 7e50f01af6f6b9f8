/**
 * Estimating the optimality-gap constants (bound.ts) from measurements, conservatively and
 * reproducibly (every random choice comes from a named stream of the scenario seed):
 *
 *  - F*: least-squares fit of F_t = F* + Δ₀ q^t to the reference run's evaluation losses, with F*
 *    constrained to [0, min_t F_t] (`fitLossCurve`).
 *  - q_ref: the *slowest* per-round contraction the reference run showed around that F*,
 *    max_t (F_{t+1} − F*)/(F_t − F*), and never faster than the fit (`slowestContraction`).
 *  - L: the largest Hessian eigenvalue (in magnitude) of the evaluation loss over the uploaded entries,
 *    by power iteration on Hessian-vector products from central differences of gradients, at several
 *    points of the reference trajectory; the largest is kept (`largestHessianEigenvalue`).
 *  - ℓ: the curvature white noise on the uploaded entries sees, 2·(E F(x + σz) − F(x))/(σ²n), z ~ N(0, I),
 *    from antithetic pairs F(x + σz) + F(x − σz) − 2F(x) (the odd part cancels exactly, so no Taylor
 *    expansion is involved at the probed scale); upper 95% t-limit over the probes (`noiseCurvature`).
 *  - ε(r): the reference update of every adapted module, ΔW = s·A·B (s = the LoRA scale), restricted to
 *    what a rank-r adapter of the scenario's own LoRA settings can hold — its best rank-r approximation
 *    (SVD) when A is trained, the least-squares fit s_r·A_r·B' with A_r frozen when it is not — written
 *    into rank-r adapters and evaluated: ε(r) = max(0, F(θ_r) − F(θ_ref)) (`adaptersAtRank`).
 */
import { NumericalError } from '../errors.js';
import { cmat, matmul, type CMat } from '../linalg/cmat.js';
import { qr } from '../linalg/qr.js';
import { pinv, svd } from '../linalg/svd.js';
import type { Rng } from '../random/streams.js';
import { tQuantile975 } from '../stats/t.js';

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
  if (losses.some((l) => !Number.isFinite(l))) throw new NumericalError('fitLossCurve: non-finite loss in the reference run');
  // Cross-entropy is ≥ 0 and the asymptote cannot lie above the best loss seen: F* ∈ [0, min F_t].
  const hiF = Math.min(...losses);
  let best: CurveFit | undefined;
  for (let i = 1; i < 2000; i++) {
    const q = i / 2000;
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
      fstar = Math.min(hiF, Math.max(0, fstar));
      delta0 = (sxy - fstar * sx) / sxx;
    }
    if (delta0 < 0) continue;
    let r = 0;
    for (let t = 0; t < n; t++) r += (losses[t]! - fstar - delta0 * Math.pow(q, t)) ** 2;
    const rmse = Math.sqrt(r / n);
    if (!best || rmse < best.rmse) best = { fstar, delta0, q, rmse };
  }
  if (!best) throw new NumericalError('fitLossCurve: the reference run did not decrease its loss; cannot estimate the contraction');
  return best;
}

/**
 * The slowest contraction of a loss curve toward F*: max over rounds of (F_{t+1} − F*)/(F_t − F*),
 * at least `floor` (the fit's q), at most 1 (a round that did not contract gives q = 1: no progress).
 */
export function slowestContraction(losses: readonly number[], fstar: number, floor = 0): number {
  let q = Math.max(0, floor);
  for (let t = 0; t + 1 < losses.length; t++) {
    const a = losses[t]! - fstar, b = losses[t + 1]! - fstar;
    if (!(a > 0)) continue; // already at the floor: nothing to contract
    q = Math.max(q, b / a);
  }
  return Math.min(1, q);
}

/** First-round contraction (F₁ − F*)/(F₀ − F*), clamped to [0, 1]. */
export function firstRoundContraction(f0: number, f1: number, fstar: number): number {
  const a = f0 - fstar;
  if (!(a > 0)) return 1;
  return Math.min(1, Math.max(0, (f1 - fstar) / a));
}

/**
 * |λ|_max of the Hessian of a loss over `n` coordinates by power iteration, with Hessian-vector
 * products from central differences of the gradient: Hv ≈ (∇F(θ + h v) − ∇F(θ − h v)) / (2h), ‖v‖ = 1.
 * `grad(x)` returns ∇F at θ + x (x and the gradient live on the n coordinates). Returns the largest
 * ‖Hv‖ seen, which approaches ‖H‖₂ = max|λ| from below as the iteration converges.
 */
export function largestHessianEigenvalue(
  grad: (offset: Float64Array) => Float64Array, n: number, rng: Rng,
  opts: { iterations?: number; step?: number } = {},
): number {
  const iterations = opts.iterations ?? 8;
  const h = opts.step ?? 1e-2;
  let v = new Float64Array(n);
  rng.fillNormal(v);
  let nv = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  if (!(nv > 0)) throw new NumericalError('power iteration: zero start vector');
  for (let i = 0; i < n; i++) v[i] = v[i]! / nv;
  let best = 0;
  for (let it = 0; it < iterations; it++) {
    const plus = grad(Float64Array.from(v, (x) => h * x));
    const minus = grad(Float64Array.from(v, (x) => -h * x));
    const hv = new Float64Array(n);
    for (let i = 0; i < n; i++) hv[i] = (plus[i]! - minus[i]!) / (2 * h);
    nv = Math.sqrt(hv.reduce((s, x) => s + x * x, 0));
    if (!Number.isFinite(nv)) throw new NumericalError('power iteration: non-finite Hessian-vector product');
    best = Math.max(best, nv);
    if (nv === 0) break;
    for (let i = 0; i < n; i++) hv[i] = hv[i]! / nv;
    v = hv;
  }
  return best;
}

export interface AdapterBlockLike {
  module: string;
  factor: 'A' | 'B';
  offset: number;
  shape: number[];
}

/** One module's update ΔW = s·A·B as U diag(σ) Vᵀ (thin, rank ≤ r0), from QR of A and Bᵀ. */
export interface ModuleUpdate {
  module: string;
  din: number;
  dout: number;
  /** din × k, column-major by singular vector: U[c*din + i] */
  U: Float64Array;
  V: Float64Array;
  sigma: Float64Array;
}

function realCmat(rows: number, cols: number, get: (i: number, j: number) => number): CMat {
  const m = cmat(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.data[2 * (i * cols + j)] = get(i, j);
  return m;
}

/**
 * SVD of every module's update s·A·B (A: din × r0, B: r0 × dout). `frozenA` supplies A for modules
 * whose A is not in the flat vector (train_A: false).
 */
export function moduleUpdates(
  layout: readonly AdapterBlockLike[], flat: ArrayLike<number>, scale: number,
  frozenA?: ReadonlyMap<string, Float32Array>,
): ModuleUpdate[] {
  const out: ModuleUpdate[] = [];
  for (const b of layout.filter((x) => x.factor === 'B')) {
    const [r0, dout] = b.shape as [number, number];
    const a = layout.find((x) => x.module === b.module && x.factor === 'A');
    const fa = frozenA?.get(b.module);
    if (!a && !fa) throw new NumericalError(`design: module ${b.module} has no A factor (neither trained nor frozen)`);
    const din = a ? a.shape[0]! : fa!.length / r0;
    const Aget = a ? (i: number, j: number) => flat[a.offset + i * r0 + j]! : (i: number, j: number) => fa![i * r0 + j]!;
    // ΔW = s·A·B = s·Qa (Ra Rbᵀ) Qbᵀ: the SVD of the small r0 × r0 core gives the thin SVD of ΔW
    const qa = qr(realCmat(din, r0, Aget));
    const qb = qr(realCmat(dout, r0, (i, j) => flat[b.offset + j * dout + i]!));
    const core = matmul(qa.R, realCmat(r0, r0, (i, j) => qb.R.data[2 * (j * r0 + i)]!));
    const { U: Uc, s, V: Vc } = svd(core);
    const Ut = matmul(qa.Q, Uc), Vt = matmul(qb.Q, Vc);
    const k = s.length;
    const U = new Float64Array(din * k), V = new Float64Array(dout * k);
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < din; i++) U[c * din + i] = Ut.data[2 * (i * k + c)]!;
      for (let j = 0; j < dout; j++) V[c * dout + j] = Vt.data[2 * (j * k + c)]!;
    }
    out.push({ module: b.module, din, dout, U, V, sigma: Float64Array.from(s, (x) => x * scale) });
  }
  return out;
}

/** Σ_{i>r} σ_i² over all modules (the squared Frobenius norm of what rank r cuts off). */
export function tailEnergy(updates: readonly ModuleUpdate[], r: number): number {
  let e = 0;
  for (const u of updates) for (let i = r; i < u.sigma.length; i++) e += u.sigma[i]! ** 2;
  return e;
}

/**
 * Rank-r adapters (layout `to`, LoRA scale `scale`) carrying each module's update restricted to rank r:
 *  - A trained: A' = U_r Σ_r^{1/2}, B' = Σ_r^{1/2} V_rᵀ / s  (the best rank-r approximation, Eckart–Young);
 *  - A frozen (`frozenA` gives A_r, din × r): B' = A_r⁺ ΔW / s  (least squares in the span A_r allows).
 */
export function adaptersAtRank(
  updates: readonly ModuleUpdate[],
  to: { layout: readonly AdapterBlockLike[]; size: number; scale: number; frozenA?: ReadonlyMap<string, Float32Array> },
): Float32Array {
  const out = new Float32Array(to.size);
  for (const u of updates) {
    const b2 = to.layout.find((x) => x.module === u.module && x.factor === 'B');
    if (!b2) throw new NumericalError(`design: module ${u.module} missing from the rank-r layout`);
    const r = b2.shape[0]!;
    const a2 = to.layout.find((x) => x.module === u.module && x.factor === 'A');
    const k = u.sigma.length;
    if (a2) {
      for (let c = 0; c < r; c++) {
        const sv = c < k ? Math.sqrt(Math.max(u.sigma[c]!, 0)) : 0;
        for (let i = 0; i < u.din; i++) out[a2.offset + i * r + c] = c < k ? u.U[c * u.din + i]! * sv : 0;
        for (let j = 0; j < u.dout; j++) out[b2.offset + c * u.dout + j] = c < k ? (u.V[c * u.dout + j]! * sv) / to.scale : 0;
      }
      continue;
    }
    const fa = to.frozenA?.get(u.module);
    if (!fa) throw new NumericalError(`design: module ${u.module} has neither a trained nor a frozen A at rank ${r}`);
    // B' = A_r⁺ U diag(σ) Vᵀ / s
    const Ap = pinv(realCmat(u.din, r, (i, j) => fa[i * r + j]!)); // r × din
    const PU = new Float64Array(r * k); // A_r⁺ U, r × k
    for (let i = 0; i < r; i++) {
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let l = 0; l < u.din; l++) s += Ap.data[2 * (i * u.din + l)]! * u.U[c * u.din + l]!;
        PU[i * k + c] = s * u.sigma[c]!;
      }
    }
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < u.dout; j++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += PU[i * k + c]! * u.V[c * u.dout + j]!;
        out[b2.offset + i * u.dout + j] = s / to.scale;
      }
    }
  }
  return out;
}

export interface NoiseCurvature {
  /** mean of the per-probe estimates */
  mean: number;
  /** upper 95% t-limit of the mean (≥ 0): what the bound uses */
  upper: number;
  /** per-probe estimates 2·(½(F(x+σz) + F(x−σz)) − F(x))/(σ²n) */
  samples: number[];
  sigma: number;
}

/**
 * Effective curvature of white Gaussian noise of per-entry standard deviation σ on `n` coordinates at
 * a point x: ℓ(σ) = 2·(E F(x + σz) − F(x))/(σ²n), so that E F(x + e) = F(x) + (ℓ/2)·E‖e‖² for e = σz.
 * Each probe z gives the unbiased estimate 2·(½(F(x+σz) + F(x−σz)) − F(x))/(σ²n) (z and −z are equally
 * likely, so the pair's mean has the same expectation as F(x + σz)). `loss(offset)` returns F(x + offset).
 * ℓ is tr(H)/n to second order: the Hessian's mean eigenvalue, not its largest.
 */
export function noiseCurvature(
  loss: (offset: Float64Array | null) => number, n: number, sigma: number, rng: Rng, probes = 6,
): NoiseCurvature {
  if (!(sigma > 0) || !(probes >= 2)) throw new NumericalError(`noiseCurvature: need σ > 0 and at least 2 probes (σ = ${sigma}, probes = ${probes})`);
  const f0 = loss(null);
  const samples: number[] = [];
  const z = new Float64Array(n);
  for (let p = 0; p < probes; p++) {
    rng.fillNormal(z);
    const plus = loss(Float64Array.from(z, (x) => sigma * x));
    const minus = loss(Float64Array.from(z, (x) => -sigma * x));
    const c = (plus + minus - 2 * f0) / (sigma * sigma * n);
    if (!Number.isFinite(c)) throw new NumericalError('noiseCurvature: non-finite loss at a probe');
    samples.push(c);
  }
  const mean = samples.reduce((a, b) => a + b, 0) / probes;
  const sd = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (probes - 1));
  const upper = Math.max(0, mean + tQuantile975(probes - 1) * sd / Math.sqrt(probes));
  return { mean, upper, samples, sigma };
}
