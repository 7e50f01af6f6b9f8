/**
 * Joint MMSE AirComp transceiver (the standard design of the MIMO AirComp literature: Zhu & Huang,
 * "MIMO over-the-air computation for high-mobility multimodal sensing", IEEE IoT-J 2019; Chen, Yu,
 * Zhao, Li, "Uniform-forcing transceiver design for over-the-air function computation", 2018):
 * receive combiner U and power-limited precoders V minimising
 *
 *   MSE_m(U, V) = Σ_k ‖U_mᴴ Ĥ_{k,m} V_{k,m} − φ_k I‖_F² + σ² ‖U_m‖_F²
 *
 * on the channel the server knows (Ĥ).
 * - Precoders for a fixed combiner (devices decouple): with A = U_mᴴ Ĥ_{k,m}, min ‖A V − φ I‖² under
 *   the budget is the regularised inversion V = φ (AᴴA + μ I)⁻¹ Aᴴ = φ Aᴴ Q diag(1/(d_i+μ)) Qᴴ
 *   (A Aᴴ = Q diag(d) Qᴴ), μ ≥ 0 the smallest value meeting the budget (solveMu): power
 *   φ² Σ d_i/(d_i+μ)², misalignment φ² Σ μ²/(d_i+μ)². Per subcarrier budget: one μ per (k, m). Per
 *   OFDM symbol budget (Σ_m ‖V_{k,m}‖² ≤ M·P): one μ_k per device across its subcarriers, the KKT
 *   multiplier of its sum constraint — the only place the per-symbol budget couples subcarriers.
 * - Combiner for fixed precoders: the MMSE receiver U_m = (Σ_k Ĥ V Vᴴ Ĥᴴ + σ² I)⁻¹ Σ_k φ_k Ĥ_{k,m} V_{k,m}.
 *
 * Plain alternation of the two steps crawls (on K = 8, N_t = 4, N_r = 8, S = 2, 10 dB it is still
 * 0.6 dB from its own limit after 20 alternations), so the precoders are eliminated and the reduced
 * objective f(U) = min_V MSE is minimised by L-BFGS with Armijo backtracking. By Danskin's theorem (the
 * budget set does not depend on U) its gradient is the partial gradient at the optimal V:
 *   ∂f/∂U_m* = σ² U_m − Σ_k φ_k² Ĥ_{k,m} Aᴴ Q diag(μ/(d_i+μ)²) Qᴴ.
 *
 * Per subcarrier budget: one small problem (2·N_r·S real unknowns) per subcarrier. Per symbol budget:
 * one problem over all subcarriers (the per-device multipliers couple them). Splitting the per-symbol problem into
 * per-subcarrier ones was tried and is slower (see below), so the problem stays whole and each
 * evaluation is made cheap: allocation-free L-BFGS, the stream geometry of an accepted point reused by
 * the polish (no second eigendecomposition), and the polish stops once the MSE changes by less than
 * `polishTol`.
 *
 * Tried and rejected for the per-symbol budget (K = 20, N_r = 16, N_t = S = 4, M = 256, 10 dB; MSE
 * after a matched amount of work, lower is better): majorise–minimise over the power split (per-
 * subcarrier problems with the power each device spends there fixed, re-split every round: monotone
 * but 0.339 after 30 rounds of 4 iterations vs 0.329 for 120 iterations of the whole problem); fixed
 * prices μ_k per round (the Lagrangian, 0.343); per-subcarrier initial Hessian scaling (0.335 vs 0.330
 * at 100 iterations); the MMSE covariance R_m⁻¹ as the L-BFGS initial Hessian (0.332); block-diagonal
 * dense BFGS (0.44 at 300); memory 30 instead of 8 (no change); safeguarded Anderson acceleration
 * (memory 6) of the alternation (0.339 after 150 steps). Per evaluation, a Jacobi eigensolver
 * warm-started from the previous point's eigenvectors (S > 2) gave the same MSE at no lower CPU time. The per-subcarrier problems are
 * themselves ill-conditioned (≈ 240 L-BFGS iterations each with the per-subcarrier budget), so
 * decomposing does not remove the work.
 *
 * Then the two alternation steps are repeated until the MSE stops decreasing, so the result is a fixed
 * point of the alternation: U is the MMSE combiner for its V and V is power-optimal for its U.
 *
 * Start: the fixed-subspace design (`mmse-fixed`: ZF receive subspace, MSE-optimal η, regularised
 * precoders); every accepted step lowers the MSE, so the result is never worse than it (nor than zf).
 */
import { batch, type CMatBatch } from '../../linalg/cmat.js';
import { choleskyAt, cholSolveAt } from '../../linalg/cholesky.js';
import { mulAt } from '../../linalg/batch.js';
import { eighAt } from '../../linalg/eigh.js';
import { NumericalError, UserInputError } from '../../errors.js';
import type { ChannelRealization } from '../types.js';
import { checkContext } from './context.js';
import { conditionalMse } from './mse.js';
import { mmseGivenF, solveMu } from './mmse-fixed.js';
import { dominantSubspace } from './subspace.js';
import type { DesignContext, TransceiverDesign } from './types.js';

export interface JointMmseOptions {
  /** most L-BFGS iterations per problem (default 300) */
  maxIter?: number;
  /** stop when an iteration lowers the MSE by less than this fraction (default 1e-10) */
  tol?: number;
  /** most alternation steps after L-BFGS (default 50) */
  maxAlternations?: number;
  /** stop the alternation when a step lowers the MSE by less than this fraction (default 1e-8) */
  polishTol?: number;
}

/** Reduced objective f(U) of one problem (a group of subcarriers sharing the budget coupling). */
class Reduced {
  readonly n: number;
  private readonly A: Float64Array;
  private readonly AAh: Float64Array;
  private readonly d: Float64Array;
  private readonly Q: Float64Array;
  private readonly mu: Float64Array;
  private readonly W: Float64Array;
  private readonly Z: Float64Array;
  private readonly HZ: Float64Array;
  private readonly vals: Float64Array;
  private readonly R: Float64Array;
  /** the U whose geometry A, d, Q, μ hold (valid while `cached`) */
  private readonly at: Float64Array;
  private cached = false;

  constructor(
    private readonly ch: ChannelRealization,
    private readonly ctx: DesignContext,
    /** subcarriers of this problem */
    readonly ms: number[],
  ) {
    const { K, Nt, Nr } = ch;
    const S = ctx.S, G = ms.length;
    this.n = 2 * Nr * S * G;
    this.A = new Float64Array(2 * K * G * S * Nt);
    this.AAh = new Float64Array(2 * S * S);
    this.d = new Float64Array(K * G * S);
    this.Q = new Float64Array(2 * K * G * S * S);
    this.mu = new Float64Array(K * G);
    this.W = new Float64Array(2 * Nt * S);
    this.Z = new Float64Array(2 * Nt * S);
    this.HZ = new Float64Array(2 * Nr * S);
    this.vals = new Float64Array(S);
    this.R = new Float64Array(2 * Nr * Nr);
    this.at = new Float64Array(this.n);
  }

  /** Stream gains d, eigenvectors Q and multipliers μ of the optimal precoders for U = x. */
  private geometry(x: Float64Array, xo: number): void {
    const n = this.n, at = this.at;
    if (this.cached) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (at[i] !== x[xo + i]) {
          same = false;
          break;
        }
      }
      if (same) return;
    }
    for (let i = 0; i < n; i++) at[i] = x[xo + i]!;
    this.cached = false;
    const { K, M, Nr, Nt } = this.ch;
    const S = this.ctx.S, G = this.ms.length, H = this.ch.Hhat.data;
    const { A, AAh, d, Q, mu, vals } = this;
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < G; j++) {
        const b = k * G + j, idx = k * M + this.ms[j]!;
        mulAt(x, xo + j * 2 * Nr * S, H, idx * 2 * Nr * Nt, A, b * 2 * S * Nt, S, Nr, Nt, 'AHB'); // Uᴴ Ĥ
        mulAt(A, b * 2 * S * Nt, A, b * 2 * S * Nt, AAh, 0, S, Nt, S, 'ABH');
        let scale = 0;
        for (let i = 0; i < S; i++) scale = Math.max(scale, AAh[2 * (i * S + i)]!);
        if (S === 2) eigh2(AAh, vals, Q, b * 8);
        else eighAt(AAh, 0, S, vals, 0, Q, b * 2 * S * S);
        const tol = scale * S * 1e-13;
        for (let i = 0; i < S; i++) {
          const v = vals[i]!;
          if (!Number.isFinite(v)) throw new NumericalError(`mmse: non-finite stream gain at device ${k}, subcarrier ${this.ms[j]}`);
          d[b * S + i] = v > tol ? v : 0;
        }
      }
    }
    const { phi, P } = this.ctx;
    for (let k = 0; k < K; k++) {
      const p2 = phi[k]! ** 2;
      if (this.ctx.powerMode === 'subcarrier') {
        for (let j = 0; j < G; j++) mu[k * G + j] = p2 === 0 ? 0 : solveMu(d, (k * G + j) * S, S, P / p2);
      } else {
        // one multiplier per device over its M subcarriers (the group is every subcarrier)
        const m0 = p2 === 0 ? 0 : solveMu(d, k * G * S, G * S, (M * P) / p2);
        for (let j = 0; j < G; j++) mu[k * G + j] = m0;
      }
    }
    this.cached = true;
  }

  /** f(x) (x read from offset xo); with `grad`, also the real gradient (2·∂f/∂U*, interleaved like x). */
  evaluate(x: Float64Array, grad?: Float64Array, xo = 0): number {
    this.geometry(x, xo);
    const { K, M, Nr, Nt } = this.ch;
    const S = this.ctx.S, G = this.ms.length, H = this.ch.Hhat.data, n = this.n;
    const { phi, sigma2 } = this.ctx;
    const { A, d, Q, mu, W, Z, HZ } = this;
    let f = 0;
    for (let i = 0; i < n; i++) f += x[xo + i]! * x[xo + i]!;
    f *= sigma2;
    if (grad) for (let i = 0; i < n; i++) grad[i] = 2 * sigma2 * x[xo + i]!;
    for (let k = 0; k < K; k++) {
      const p2 = phi[k]! ** 2;
      if (p2 === 0) continue;
      for (let j = 0; j < G; j++) {
        const b = k * G + j, u = mu[b]!;
        let any = false;
        for (let i = 0; i < S; i++) {
          const v = d[b * S + i]!;
          if (v > 0) {
            const r = u / (v + u);
            f += p2 * r * r;
            if (u > 0) any = true;
          } else f += p2;
        }
        if (!grad || !any) continue;
        // −2 φ² Ĥ Aᴴ Q diag(μ/(d+μ)²) Qᴴ
        mulAt(A, b * 2 * S * Nt, Q, b * 2 * S * S, W, 0, Nt, S, S, 'AHB'); // Aᴴ Q (N_t × S)
        for (let r = 0; r < Nt; r++) {
          for (let i = 0; i < S; i++) {
            const v = d[b * S + i]!;
            const c = v > 0 ? u / ((v + u) * (v + u)) : 0;
            W[2 * (r * S + i)] *= c;
            W[2 * (r * S + i) + 1] *= c;
          }
        }
        mulAt(W, 0, Q, b * 2 * S * S, Z, 0, Nt, S, S, 'ABH');
        mulAt(H, (k * M + this.ms[j]!) * 2 * Nr * Nt, Z, 0, HZ, 0, Nr, Nt, S, 'AB');
        const go = j * 2 * Nr * S, c2 = 2 * p2;
        for (let i = 0; i < 2 * Nr * S; i++) grad[go + i] -= c2 * HZ[i]!;
      }
    }
    return f;
  }

  /** The optimal precoders for U = x written into V (K·M matrices N_t × S). */
  precoders(x: Float64Array, V: CMatBatch): void {
    this.geometry(x, 0);
    const { K, M, Nt } = this.ch;
    const S = this.ctx.S, G = this.ms.length;
    const { A, d, Q, mu, W } = this;
    for (let k = 0; k < K; k++) {
      const f = this.ctx.phi[k]!;
      for (let j = 0; j < G; j++) {
        const b = k * G + j, u = mu[b]!;
        const vo = (k * M + this.ms[j]!) * 2 * Nt * S;
        if (f === 0) {
          V.data.fill(0, vo, vo + 2 * Nt * S);
          continue;
        }
        mulAt(A, b * 2 * S * Nt, Q, b * 2 * S * S, W, 0, Nt, S, S, 'AHB');
        for (let r = 0; r < Nt; r++) {
          for (let i = 0; i < S; i++) {
            const v = d[b * S + i]!;
            const c = v > 0 ? f / (v + u) : 0;
            W[2 * (r * S + i)] *= c;
            W[2 * (r * S + i) + 1] *= c;
          }
        }
        mulAt(W, 0, Q, b * 2 * S * S, V.data, vo, Nt, S, S, 'ABH');
      }
    }
  }

  /** The MMSE combiner for the optimal precoders of U = x, written into out. */
  combiner(x: Float64Array, V: CMatBatch, out: Float64Array): void {
    this.precoders(x, V);
    const { K, M, Nr, Nt } = this.ch;
    const S = this.ctx.S, H = this.ch.Hhat.data;
    const { phi, sigma2 } = this.ctx;
    const R = this.R;
    const rs = 2 * Nr, us = 2 * Nr * S;
    const HV = this.HZ;
    for (let j = 0; j < this.ms.length; j++) {
      const m = this.ms[j]!;
      R.fill(0);
      const uo = j * us;
      out.fill(0, uo, uo + us);
      for (let k = 0; k < K; k++) {
        const idx = k * M + m;
        mulAt(H, idx * 2 * Nr * Nt, V.data, idx * 2 * Nt * S, HV, 0, Nr, Nt, S, 'AB');
        for (let r = 0; r < Nr; r++) {
          for (let c = 0; c <= r; c++) {
            let re = 0, im = 0;
            for (let i = 0; i < S; i++) {
              const ar = HV[2 * (r * S + i)]!, ai = HV[2 * (r * S + i) + 1]!;
              const br = HV[2 * (c * S + i)]!, bi = HV[2 * (c * S + i) + 1]!;
              re += ar * br + ai * bi;
              im += ai * br - ar * bi;
            }
            R[r * rs + 2 * c] += re;
            R[r * rs + 2 * c + 1] += im;
          }
        }
        const f = phi[k]!;
        if (f !== 0) for (let i = 0; i < us; i++) out[uo + i] += f * HV[i]!;
      }
      let tr = 0;
      for (let r = 0; r < Nr; r++) tr += R[r * rs + 2 * r]!;
      // σ² = 0: a relative ridge keeps the solve defined (the zero-noise MMSE receiver is its limit)
      const load = sigma2 > 0 ? sigma2 : Math.max(tr / Nr, 1e-300) * 1e-12;
      for (let r = 0; r < Nr; r++) R[r * rs + 2 * r] += load;
      const bad = choleskyAt(R, 0, Nr);
      if (bad >= 0) throw new NumericalError(`mmse: receive covariance on subcarrier ${m} is not positive definite (pivot ${bad})`);
      cholSolveAt(R, 0, Nr, out, uo, S);
    }
  }
}

/**
 * Closed-form eigendecomposition of a 2 × 2 Hermitian [[a, β], [β*, c]] (the S = 2 hot path; eighAt
 * otherwise): λ = (a+c)/2 ± √(((a−c)/2)² + |β|²), descending; v₁ ∝ (β, λ₁ − a), v₂ = (−v̄₁₂, v̄₁₁).
 */
function eigh2(A: Float64Array, vals: Float64Array, Q: Float64Array, qo: number): void {
  const a = A[0]!, c = A[6]!, br = A[2]!, bi = A[3]!;
  const h = 0.5 * (a - c), b2 = br * br + bi * bi;
  const disc = Math.sqrt(h * h + b2);
  const l1 = 0.5 * (a + c) + disc;
  // the small eigenvalue from the determinant (no cancellation)
  const det = a * c - b2;
  const l2 = l1 > 0 ? Math.max(0, det / l1) : 0;
  vals[0] = l1;
  vals[1] = l2;
  if (b2 === 0) {
    // diagonal: v₁ = e₀ (a ≥ c) or e₁
    const first = a >= c ? 1 : 0;
    Q[qo] = first; Q[qo + 1] = 0; Q[qo + 4] = 1 - first; Q[qo + 5] = 0;
    Q[qo + 2] = first - 1; Q[qo + 3] = 0; Q[qo + 6] = first; Q[qo + 7] = 0;
  } else if (h >= 0) {
    // v₁ ∝ (λ₁ − c, β*) = (h + disc, β*): no cancellation when a ≥ c
    const n = Math.sqrt((h + disc) * (h + disc) + b2), x = (h + disc) / n;
    Q[qo] = x; Q[qo + 1] = 0; Q[qo + 4] = br / n; Q[qo + 5] = -bi / n;
    // v₂ = (−conj(v₁₂), conj(v₁₁)) = (−β/n, x)
    Q[qo + 2] = -br / n; Q[qo + 3] = -bi / n; Q[qo + 6] = x; Q[qo + 7] = 0;
  } else {
    // v₁ ∝ (β, λ₁ − a) = (β, disc − h): no cancellation when a < c
    const n = Math.sqrt(b2 + (disc - h) * (disc - h)), y = (disc - h) / n;
    Q[qo] = br / n; Q[qo + 1] = bi / n; Q[qo + 4] = y; Q[qo + 5] = 0;
    Q[qo + 2] = -y; Q[qo + 3] = 0; Q[qo + 6] = br / n; Q[qo + 7] = -bi / n;
  }
}

function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** L-BFGS (memory 8) with Armijo backtracking, allocation-free (a ring of curvature pairs). */
class Lbfgs {
  private readonly mem = 8;
  private readonly s: Float64Array[];
  private readonly y: Float64Array[];
  private readonly rho: Float64Array;
  private count = 0;
  private head = 0;
  private readonly g: Float64Array;
  private readonly gn: Float64Array;
  private readonly dir: Float64Array;
  private readonly xn: Float64Array;
  private readonly alpha: Float64Array;

  constructor(readonly n: number) {
    this.s = Array.from({ length: this.mem }, () => new Float64Array(n));
    this.y = Array.from({ length: this.mem }, () => new Float64Array(n));
    this.rho = new Float64Array(this.mem);
    this.alpha = new Float64Array(this.mem);
    this.g = new Float64Array(n);
    this.gn = new Float64Array(n);
    this.dir = new Float64Array(n);
    this.xn = new Float64Array(n);
  }

  /** Minimise from x (overwritten with the result), forgetting earlier curvature pairs. */
  run(p: Reduced, x: Float64Array, maxIter: number, tol: number): { f: number; iterations: number } {
    const { n, mem, g, gn, dir, xn, alpha, rho } = this;
    this.count = this.head = 0;
    let f = p.evaluate(x, g);
    let it = 0;
    for (; it < maxIter; it++) {
      // two-loop recursion over the stored pairs, newest first: dir = −H g
      dir.set(g);
      for (let c = 0; c < this.count; c++) {
        const i = (this.head - 1 - c + mem) % mem;
        alpha[i] = rho[i]! * dot(this.s[i]!, dir, n);
        const y = this.y[i]!, a = alpha[i]!;
        for (let j = 0; j < n; j++) dir[j] -= a * y[j]!;
      }
      let gamma: number;
      if (this.count > 0) {
        const i = (this.head - 1 + mem) % mem;
        gamma = dot(this.s[i]!, this.y[i]!, n) / dot(this.y[i]!, this.y[i]!, n);
      } else {
        gamma = this.firstStep(x);
      }
      for (let j = 0; j < n; j++) dir[j] *= gamma;
      for (let c = this.count - 1; c >= 0; c--) {
        const i = (this.head - 1 - c + mem) % mem;
        const beta = rho[i]! * dot(this.y[i]!, dir, n);
        const s = this.s[i]!, ab = alpha[i]! - beta;
        for (let j = 0; j < n; j++) dir[j] += s[j]! * ab;
      }
      for (let j = 0; j < n; j++) dir[j] = -dir[j]!;
      let slope = dot(g, dir, n);
      if (!(slope < 0)) {
        // not a descent direction (curvature lost): restart from steepest descent
        this.count = this.head = 0;
        const c = this.firstStep(x);
        for (let j = 0; j < n; j++) dir[j] = -c * g[j]!;
        slope = dot(g, dir, n);
        if (!(slope < 0)) break;
      }
      let step = 1, fn = Infinity, accepted = false;
      for (let ls = 0; ls < 40; ls++) {
        for (let j = 0; j < n; j++) xn[j] = x[j]! + step * dir[j]!;
        fn = p.evaluate(xn, gn);
        if (fn <= f + 1e-4 * step * slope) {
          accepted = true;
          break;
        }
        step *= 0.5;
      }
      if (!accepted) break;
      const i = this.head, s = this.s[i]!, y = this.y[i]!;
      for (let j = 0; j < n; j++) {
        s[j] = xn[j]! - x[j]!;
        y[j] = gn[j]! - g[j]!;
      }
      const sy = dot(s, y, n);
      if (sy > 1e-12 * Math.sqrt(dot(s, s, n) * dot(y, y, n))) {
        rho[i] = 1 / sy;
        this.head = (this.head + 1) % mem;
        this.count = Math.min(this.count + 1, mem);
      }
      const drop = (f - fn) / f;
      x.set(xn);
      g.set(gn);
      f = fn;
      if (drop < tol) {
        it++;
        break;
      }
    }
    return { f, iterations: it };
  }

  /** Step length without curvature: move by about 1% of ‖x‖. */
  private firstStep(x: Float64Array): number {
    const gg = Math.sqrt(dot(this.g, this.g, this.n)), xx = Math.sqrt(dot(x, x, this.n));
    return gg > 0 ? (0.01 * Math.max(xx, 1e-300)) / gg : 0;
  }
}

/**
 * Joint MMSE design. `info`: iterations (L-BFGS, summed over problems), alternations (polish steps
 * accepted), mse_initial (the fixed-subspace start, total over subcarriers), mse (final total).
 */
export function jointMmse(ch: ChannelRealization, ctx: DesignContext, opts: JointMmseOptions = {}, scheme = 'mmse'): TransceiverDesign {
  checkContext(ch, ctx);
  const S = ctx.S;
  if (ch.Nt < S) {
    throw new UserInputError(`phy.streams: ${S} is not allowed with mmse and N_t = ${ch.Nt}; expected S ≤ N_t`, 'phy.streams');
  }
  const maxIter = opts.maxIter ?? 300;
  const tol = opts.tol ?? 1e-10;
  const maxAlt = opts.maxAlternations ?? 50;
  const polishTol = opts.polishTol ?? 1e-8;
  const { K, M, Nr, Nt } = ch;
  const start = mmseGivenF(ch, ctx, dominantSubspace(ch, S), scheme, { skipAnalytic: true });
  const groups = ctx.powerMode === 'subcarrier' ? Array.from({ length: M }, (_, m) => [m]) : [Array.from({ length: M }, (_, m) => m)];
  const U = batch(M, Nr, S);
  const V = batch(K * M, Nt, S);
  const us = 2 * Nr * S;
  const n = groups[0]!.length * us;
  const lb = new Lbfgs(n);
  const x = new Float64Array(n), xn = new Float64Array(n);
  let iterations = 0, alternations = 0, total = 0;
  for (const ms of groups) {
    const p = new Reduced(ch, ctx, ms);
    for (let j = 0; j < ms.length; j++) x.set(start.U.data.subarray(ms[j]! * us, (ms[j]! + 1) * us), j * us);
    const r = lb.run(p, x, maxIter, tol);
    iterations += r.iterations;
    // alternate the exact steps until the MSE stops decreasing
    let f = r.f;
    for (let a = 0; a < maxAlt; a++) {
      p.combiner(x, V, xn);
      const fn = p.evaluate(xn);
      if (!(fn < f)) break;
      alternations++;
      const drop = (f - fn) / f;
      x.set(xn);
      f = fn;
      if (drop < polishTol) break;
    }
    if (!Number.isFinite(f)) throw new NumericalError(`mmse: non-finite MSE on subcarriers ${ms[0]}…${ms[ms.length - 1]}`);
    total += f;
    p.precoders(x, V);
    for (let j = 0; j < ms.length; j++) U.data.set(x.subarray(j * us, (j + 1) * us), ms[j]! * us);
  }
  const design: TransceiverDesign = { scheme, S, U, V, analyticMse: new Float64Array(M) };
  design.analyticMse = conditionalMse(ch, design, ctx.phi, ctx.sigma2, ch.Hhat);
  design.info = { iterations, alternations, mse_initial: start.info!.mse!, mse: total };
  return design;
}
