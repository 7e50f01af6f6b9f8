/**
 * Manifold-optimised AirComp receive beamformer (Riemannian conjugate gradient on the Grassmann manifold with Armijo backtracking).
 *
 * For zero-forcing precoders the aggregation MSE is σ²·S·η, and η is set by the weakest device:
 *   per subcarrier m:   η_m = max_k φ_k² t_{k,m}(F_m) / P
 *   per OFDM symbol:    η   = max_k φ_k² Σ_m t_{k,m}(F_m) / (M·P)      (common η, see aircomp/zf.ts)
 * with t_{k,m}(F) = tr[(Fᴴ H_{k,m} H_{k,m}ᴴ F)⁻¹] (papers.md §1.3, §3.3: the Zhu–Huang problem). So we
 * minimise, over orthonormal F_m (Nr × S), the cost of each *group* of subcarriers that share an η:
 *   J_g(F) = max_k c_k,   c_k = φ_k² Σ_{m∈g} t_{k,m}(F_m)
 * (groups are single subcarriers in 'subcarrier' mode, all subcarriers in 'symbol' mode).
 *
 * The max is smoothed by a p-norm, J_p = (Σ_k c_k^p)^{1/p} ∈ [max_k c_k, K^{1/p} max_k c_k], which is
 * scale-free (unlike log-sum-exp, it needs no temperature tied to the units of c). We descend on
 * log J_p, with p raised by continuation (8 → 32 → 128) so the surrogate tightens onto the max.
 * t is invariant to F → FQ for unitary Q, so the problem lives on the Grassmann manifold: the
 * Riemannian gradient is the horizontal projection (I − F Fᴴ)∇, and the retraction is the Q factor of
 * F − τ ξ (thin QR). Euclidean gradient (convention df = Re tr(∇ᴴ dF)): ∇_F t = −2 H A M⁻², with
 * A = Hᴴ F and M = Aᴴ A.
 *
 * The returned F is the best iterate by the *true* max objective, and the warm start is an iterate,
 * so the result is never worse than its warm start.
 */
import { batch, batchItem, cmat, matmul, matmulAH, type CMat, type CMatBatch } from '../../linalg/cmat.js';
import { invSmallInto } from '../../linalg/small.js';
import { qr } from '../../linalg/qr.js';
import { NumericalError } from '../../errors.js';

export interface ManifoldOptions {
  /** p-norm exponents used in turn (continuation). */
  pSchedule?: number[];
  /** maximum iterations per p stage */
  maxIter?: number;
  /** stop a stage when the relative decrease of log J_p falls below this */
  tol?: number;
  /** Armijo sufficient-decrease constant and shrink factor */
  armijoC?: number;
  armijoBeta?: number;
}

export interface ManifoldProblem {
  /** channel batch (K·M matrices Nr × Nt, index k·M + m) */
  H: CMatBatch;
  K: number;
  M: number;
  /** aggregation weights φ_k (devices with φ_k = 0 are ignored) */
  phi: Float64Array;
  /** groups of subcarriers sharing one η */
  groups: number[][];
}

export interface ManifoldResult {
  /** M matrices Nr × S, orthonormal columns */
  F: CMatBatch;
  /** Σ_g max_k c_{k,g} at the warm start and at the end (∝ total MSE) */
  initialObjective: number;
  objective: number;
  /** true objective Σ_g J_g after each iteration (iteration 0 = warm start) */
  history: number[];
  iterations: number;
}

/** Per-group evaluation of c_k and, optionally, the Euclidean gradients of log J_p. */
class GroupEvaluator {
  private readonly A: CMat;
  private readonly Mm: CMat;
  private readonly Minv: CMat;
  private readonly Minv2: CMat;
  private readonly C: CMat;
  private readonly D: CMat;

  constructor(
    private readonly prob: ManifoldProblem,
    private readonly Nr: number,
    private readonly Nt: number,
    private readonly S: number,
  ) {
    this.A = cmat(Nt, S);
    this.Mm = cmat(S, S);
    this.Minv = cmat(S, S);
    this.Minv2 = cmat(S, S);
    this.C = cmat(Nt, S);
    this.D = cmat(Nr, S);
  }

  /** c_k for the group (length K); F given as a map m → Nr×S matrix. */
  costs(group: number[], F: (m: number) => CMat, out: Float64Array): Float64Array {
    const { K, M, H, phi } = this.prob;
    out.fill(0);
    for (const m of group) {
      const Fm = F(m);
      for (let k = 0; k < K; k++) {
        const w = phi[k]! * phi[k]!;
        if (w === 0) continue;
        matmulAH(batchItem(H, k * M + m), Fm, this.A); // A = Hᴴ F  (Nt × S)
        matmulAH(this.A, this.A, this.Mm); // M = Aᴴ A  (S × S)
        invSmallInto(this.Mm, this.Minv);
        let tr = 0;
        for (let i = 0; i < this.S; i++) tr += this.Minv.data[2 * (i * this.S + i)]!;
        out[k] += w * tr;
      }
    }
    return out;
  }

  /**
   * Euclidean gradient of log J_p w.r.t. each F_m of the group, given c (from `costs`):
   * ∇_m = (1/J_p) Σ_k (c_k/J_p)^{p−1} φ_k² (−2 H A M⁻²).
   */
  gradient(group: number[], F: (m: number) => CMat, c: Float64Array, p: number, grads: CMat[]): number {
    const { K, M, H, phi } = this.prob;
    const J = pNorm(c, p);
    for (let gi = 0; gi < group.length; gi++) {
      const m = group[gi]!;
      const Fm = F(m);
      const G = grads[gi]!;
      G.data.fill(0);
      for (let k = 0; k < K; k++) {
        const w = phi[k]! * phi[k]!;
        if (w === 0 || c[k] === 0) continue;
        const coef = (-2 * w * Math.pow(c[k]! / J, p - 1)) / J;
        const Hk = batchItem(H, k * M + m);
        matmulAH(Hk, Fm, this.A);
        matmulAH(this.A, this.A, this.Mm);
        invSmallInto(this.Mm, this.Minv);
        matmul(this.Minv, this.Minv, this.Minv2);
        matmul(this.A, this.Minv2, this.C); // Nt × S
        matmul(Hk, this.C, this.D); // Nr × S
        const g = G.data, d = this.D.data;
        for (let i = 0; i < g.length; i++) g[i] += coef * d[i]!;
      }
    }
    return J;
  }
}

/** (Σ c_k^p)^{1/p}, computed relative to the max to avoid overflow. */
export function pNorm(c: Float64Array, p: number): number {
  let mx = 0;
  for (const v of c) mx = Math.max(mx, v);
  if (mx === 0) return 0;
  let s = 0;
  for (const v of c) s += Math.pow(v / mx, p);
  return mx * Math.pow(s, 1 / p);
}

function maxOf(c: Float64Array): number {
  let mx = 0;
  for (const v of c) mx = Math.max(mx, v);
  return mx;
}

/** ξ = (I − F Fᴴ) G  (horizontal projection onto the Grassmann tangent space), in place into G. */
function projectHorizontal(F: CMat, G: CMat, tmp: CMat, FtG: CMat): void {
  matmulAH(F, G, tmp); // S × S: Fᴴ G
  matmul(F, tmp, FtG); // Nr × S: F Fᴴ G
  const g = G.data, f = FtG.data;
  for (let i = 0; i < g.length; i++) g[i] -= f[i]!;
}

/** Optimise F (warm start F0: M matrices Nr × S with orthonormal columns). */
export function optimiseBeamformer(prob: ManifoldProblem, F0: CMatBatch, opts: ManifoldOptions = {}): ManifoldResult {
  const pSchedule = opts.pSchedule ?? [8, 32, 128];
  const maxIter = opts.maxIter ?? 40;
  const tol = opts.tol ?? 1e-6;
  const armijoC = opts.armijoC ?? 1e-4;
  const beta = opts.armijoBeta ?? 0.5;
  const { K, M } = prob;
  const Nr = F0.rows, S = F0.cols;
  const Nt = prob.H.cols;
  if (F0.count !== M) throw new RangeError(`optimiseBeamformer: F0 has ${F0.count} matrices, expected M = ${M}`);

  const F = batch(M, Nr, S);
  F.data.set(F0.data);
  const ev = new GroupEvaluator(prob, Nr, Nt, S);
  const c = new Float64Array(K);
  const cTry = new Float64Array(K);
  const tmp = cmat(S, S);
  const FtG = cmat(Nr, S);

  const groupTrue = (g: number[], get: (m: number) => CMat) => maxOf(ev.costs(g, get, cTry));
  const fromF = (m: number) => batchItem(F, m);
  // Per group best-so-far objective (true max) after each of its iterations; F holds the best iterate.
  const bestTrue = prob.groups.map((g) => groupTrue(g, fromF));
  const traj = bestTrue.map((v) => [v]);
  let iterations = 0;
  const pos = new Int32Array(M);

  for (let gi = 0; gi < prob.groups.length; gi++) {
    const group = prob.groups[gi]!;
    const cur = group.map((m) => cmat(Nr, S, batchItem(F, m).data.slice()));
    const grads = group.map(() => cmat(Nr, S));
    const prevGrads = group.map(() => cmat(Nr, S));
    const dirs = group.map(() => cmat(Nr, S));
    const trial = group.map(() => cmat(Nr, S));
    const moved = cmat(Nr, S);
    group.forEach((m, j) => (pos[m] = j));
    const curGet = (m: number) => cur[pos[m]!]!;
    const trialGet = (m: number) => trial[pos[m]!]!;
    let step = 1;
    for (const p of pSchedule) {
      ev.costs(group, curGet, c);
      let f = Math.log(pNorm(c, p));
      let prevGn2 = 0; // 0: restart CG with steepest descent
      for (let it = 0; it < maxIter; it++) {
        ev.gradient(group, curGet, c, p, grads);
        let gn2 = 0;
        for (let j = 0; j < group.length; j++) {
          projectHorizontal(cur[j]!, grads[j]!, tmp, FtG);
          for (const v of grads[j]!.data) gn2 += v * v;
        }
        if (!Number.isFinite(gn2)) throw new NumericalError('manifold beamformer: non-finite gradient', { group: gi });
        if (gn2 < 1e-24) break;
        // Polak–Ribière+ direction; old gradient and direction transported by projection onto the
        // new horizontal space.
        let betaPR = 0;
        if (prevGn2 > 0) {
          let num = 0;
          for (let j = 0; j < group.length; j++) {
            projectHorizontal(cur[j]!, prevGrads[j]!, tmp, FtG);
            projectHorizontal(cur[j]!, dirs[j]!, tmp, FtG);
            const g = grads[j]!.data, h = prevGrads[j]!.data;
            for (let i = 0; i < g.length; i++) num += g[i]! * (g[i]! - h[i]!);
          }
          betaPR = Math.max(0, num / prevGn2);
        }
        let slope = 0; // <grad, dir>
        for (let j = 0; j < group.length; j++) {
          const g = grads[j]!.data, d = dirs[j]!.data;
          for (let i = 0; i < g.length; i++) {
            d[i] = -g[i]! + betaPR * d[i]!;
            slope += g[i]! * d[i]!;
          }
        }
        if (!(slope < 0)) {
          // not a descent direction: restart with steepest descent
          slope = 0;
          for (let j = 0; j < group.length; j++) {
            const g = grads[j]!.data, d = dirs[j]!.data;
            for (let i = 0; i < g.length; i++) d[i] = -g[i]!;
          }
          slope = -gn2;
        }
        let dn = 0;
        for (const d of dirs) for (const v of d.data) dn += v * v;
        // Armijo backtracking from an optimistic step (twice the last accepted one).
        let t = Math.min(step * 2, 1 / Math.sqrt(dn));
        let accepted = false;
        let fNew = f;
        for (let bt = 0; bt < 40; bt++) {
          for (let j = 0; j < group.length; j++) {
            const x = cur[j]!.data, d = dirs[j]!.data;
            for (let i = 0; i < x.length; i++) moved.data[i] = x[i]! + t * d[i]!;
            trial[j]!.data.set(qr(moved).Q.data);
          }
          ev.costs(group, trialGet, cTry);
          fNew = Math.log(pNorm(cTry, p));
          if (fNew <= f + armijoC * t * slope) {
            accepted = true;
            break;
          }
          t *= beta;
        }
        if (!accepted) break;
        step = t * Math.sqrt(dn / gn2);
        for (let j = 0; j < group.length; j++) {
          cur[j]!.data.set(trial[j]!.data);
          prevGrads[j]!.data.set(grads[j]!.data);
        }
        prevGn2 = gn2;
        c.set(cTry);
        const decrease = f - fNew;
        f = fNew;
        iterations++;
        const trueNow = maxOf(c);
        if (trueNow < bestTrue[gi]!) {
          bestTrue[gi] = trueNow;
          for (let j = 0; j < group.length; j++) batchItem(F, group[j]!).data.set(cur[j]!.data);
        }
        traj[gi]!.push(bestTrue[gi]!);
        if (decrease < tol * Math.max(1, Math.abs(f))) break;
      }
    }
  }
  const objective = sumOf(bestTrue);
  // Objective after i iterations of every group (groups are independent problems).
  const longest = Math.max(...traj.map((t) => t.length));
  const history: number[] = [];
  for (let i = 0; i < longest; i++) history.push(sumOf(traj.map((t) => t[Math.min(i, t.length - 1)]!)));
  return { F, initialObjective: history[0]!, objective, history, iterations };
}

function sumOf(a: number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

/**
 * log J_p of one group and its Euclidean gradient w.r.t. each F_m (convention df = Re tr(∇ᴴ dF)),
 * for any full-rank F (orthonormality not required). Exposed for gradient checks.
 */
export function logSurrogateWithGradient(
  prob: ManifoldProblem, group: number[], Fm: CMat[], p: number,
): { value: number; grad: CMat[] } {
  const Nr = Fm[0]!.rows, S = Fm[0]!.cols;
  const ev = new GroupEvaluator(prob, Nr, prob.H.cols, S);
  const pos = new Map(group.map((m, j) => [m, j] as const));
  const get = (m: number) => Fm[pos.get(m)!]!;
  const c = ev.costs(group, get, new Float64Array(prob.K));
  const grad = group.map(() => cmat(Nr, S));
  const J = ev.gradient(group, get, c, p, grad);
  return { value: Math.log(J), grad };
}
