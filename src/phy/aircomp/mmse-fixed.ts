/**
 * Fixed-subspace MMSE AirComp (`mmse-fixed`, the reference the joint `mmse` design starts from and
 * improves on): for the ZF receive subspace F, the MSE-minimising η and precoders under the budgets.
 *
 * For U = √η F, devices decouple: min_V ‖√η A_k V − φ_k I‖² s.t. the power budget, solved by regularised
 * inversion V_k = φ_k (B_kᴴB_k + λ_k I)⁻¹ B_kᴴ with B_k = √η A_k and λ_k ≥ 0 the smallest value meeting
 * the budget (0 when the ZF precoder already fits). With A Aᴴ = Q diag(d) Qᴴ and μ = λ/η this is
 *   V = (φ/√η) Aᴴ Q diag(1/(d_i+μ)) Qᴴ,  power = (φ²/η) Σ d_i/(d_i+μ)²,  misalignment = φ² Σ μ²/(d_i+μ)²,
 * and MSE(η) = Σ_k misalignment_k + σ² ‖F‖² η (= σ² S η for orthonormal F). η is found by a 1-D search on log η below η_zf
 * (coarse grid, then golden section; see searchEta), keeping η_zf itself as a candidate: for
 * η ≥ η_zf every λ_k is 0 and MSE = σ² S η grows, so the optimum lies in the bracket and the result is
 * never worse than zf (same F, same budgets).
 *
 * Budgets: per subcarrier → one (η_m, λ_{k,m}) search per subcarrier. Per OFDM symbol → a common η
 * (as zf) and one λ_k per device across its subcarriers (the KKT multiplier of its sum-power
 * constraint is shared by all its subcarriers).
 */
import { batch, type CMatBatch } from '../../linalg/cmat.js';
import { UserInputError } from '../../errors.js';
import type { ChannelRealization } from '../types.js';
import { checkContext } from './context.js';
import { conditionalMse } from './mse.js';
import { scaledCombiner, streamGeometry, writePrecoder, type StreamGeometry } from './subspace.js';
import { zfEta, zfTraces } from './zf.js';
import type { DesignContext, TransceiverDesign } from './types.js';

/**
 * Smallest μ ≥ 0 with Σ_i d_i/(d_i+μ)² ≤ c, over the entries d[off + j·stride], j < n (zeros ignored).
 * Newton on f(μ)^{-1/2} (nearly linear in μ) inside the bracket
 * [√(Σd/c) − d_max, √(Σd/c)], with bisection as the safeguard.
 */
export function solveMu(d: Float64Array, off: number, n: number, c: number): number {
  let f0 = 0, sd = 0, dmax = 0;
  for (let j = 0; j < n; j++) {
    const v = d[off + j]!;
    if (v > 0) {
      f0 += 1 / v;
      sd += v;
      if (v > dmax) dmax = v;
    }
  }
  if (f0 <= c || sd === 0) return 0;
  if (c <= 0) return Infinity;
  let hi = Math.sqrt(sd / c);
  let lo = Math.max(0, hi - dmax);
  const target = 1 / Math.sqrt(c);
  let mu = 0.5 * (lo + hi);
  for (let it = 0; it < 100; it++) {
    let f = 0, fp = 0;
    for (let j = 0; j < n; j++) {
      const v = d[off + j]!;
      if (v > 0) {
        const x = 1 / (v + mu);
        f += v * x * x;
        fp -= 2 * v * x * x * x;
      }
    }
    if (f > c) lo = mu;
    else hi = mu;
    // g = f^{-1/2}, g' = −½ f^{-3/2} f'
    const g = 1 / Math.sqrt(f);
    const gp = -0.5 * g * g * g * fp;
    let next = mu + (target - g) / gp;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - mu) <= 1e-15 * Math.max(mu, 1e-300) || hi - lo <= 1e-15 * hi) return next;
    mu = next;
  }
  return mu;
}

/** φ² Σ_i μ²/(d_i+μ)² over the block (zero-gain streams count fully: they carry nothing). */
function misalignment(d: Float64Array, off: number, n: number, mu: number, phi2: number): number {
  let e = 0;
  for (let j = 0; j < n; j++) {
    const v = d[off + j]!;
    if (v > 0) {
      const r = mu / (v + mu);
      e += r * r;
    } else e += 1;
  }
  return phi2 * e;
}

/**
 * Minimise MSE(η) over η ∈ (0, hi]: a grid of 5 points per decade on log η over 8 decades below hi
 * (extended by further 8-decade blocks, up to 48, while the best point sits at the lower edge), then
 * golden section between the grid neighbours of the best point. hi (= η_zf) is always a candidate.
 */
function searchEta(f: (eta: number) => number, hi: number): { eta: number; mse: number; evals: number } {
  let best = hi, bestF = f(hi);
  let evals = 1;
  if (!(hi > 0)) return { eta: hi, mse: bestF, evals };
  const step = Math.LN10 / 5;
  const top = Math.log(hi);
  let bi = 0; // best grid index, counted downwards from hi (0 = hi itself)
  let n = 0; // grid points evaluated below hi
  for (let block = 0; block < 6; block++) {
    for (let j = 0; j < 40; j++) {
      n++;
      const e = Math.exp(top - n * step);
      const v = f(e);
      evals++;
      if (v < bestF) {
        bestF = v;
        best = e;
        bi = n;
      }
    }
    if (bi < n) break; // minimum is inside the grid
  }
  let a = top - Math.min(n, bi + 1) * step, b = top - Math.max(0, bi - 1) * step;
  const gr = (Math.sqrt(5) - 1) / 2;
  let x1 = b - gr * (b - a), x2 = a + gr * (b - a);
  let f1 = f(Math.exp(x1)), f2 = f(Math.exp(x2));
  evals += 2;
  for (let it = 0; it < 40; it++) {
    if (f1 <= f2) {
      b = x2; x2 = x1; f2 = f1;
      x1 = b - gr * (b - a); f1 = f(Math.exp(x1));
    } else {
      a = x1; x1 = x2; f1 = f2;
      x2 = a + gr * (b - a); f2 = f(Math.exp(x2));
    }
    evals++;
  }
  const xs = f1 <= f2 ? x1 : x2, fs = Math.min(f1, f2);
  if (fs < bestF) return { eta: Math.exp(xs), mse: fs, evals };
  return { eta: best, mse: bestF, evals };
}

/** Options of mmseGivenF. */
export interface GivenFOptions {
  /** skip the exact analytic MSE (a caller that only needs `info.mse`, the closed-form total) */
  skipAnalytic?: boolean;
}

/**
 * MSE-optimal η and regularised precoders for a given receive direction F (M matrices N_r × S). F need
 * not be orthonormal: the noise term is σ²·η·‖F_m‖². `info.mse` is the closed-form total MSE.
 */
export function mmseGivenF(ch: ChannelRealization, ctx: DesignContext, F: CMatBatch, scheme = 'mmse', opts: GivenFOptions = {}): TransceiverDesign {
  checkContext(ch, ctx);
  const S = F.cols;
  if (ch.Nt < S) {
    throw new UserInputError(`phy.streams: ${S} is not allowed with mmse and N_t = ${ch.Nt}; expected S ≤ N_t`, 'phy.streams');
  }
  const { K, M } = ch;
  const g: StreamGeometry = streamGeometry(ch, F);
  const etaZf = zfEta(g, zfTraces(g), ctx);
  const { phi, P, sigma2 } = ctx;
  const d = g.d;
  const fp = new Float64Array(M); // ‖F_m‖²
  const fn = 2 * F.rows * S;
  for (let m = 0; m < M; m++) for (let i = m * fn; i < (m + 1) * fn; i++) fp[m] += F.data[i]! ** 2;
  const eta = new Float64Array(M);
  const mu = new Float64Array(K * M);
  let evals = 0, total = 0;
  if (ctx.powerMode === 'subcarrier') {
    for (let m = 0; m < M; m++) {
      const noise = sigma2 * fp[m]!;
      const f = (e: number): number => {
        let v = noise * e;
        for (let k = 0; k < K; k++) {
          const p2 = phi[k]! ** 2;
          if (p2 === 0) continue;
          const off = (k * M + m) * S;
          v += misalignment(d, off, S, solveMu(d, off, S, (P * e) / p2), p2);
        }
        return v;
      };
      const r = searchEta(f, etaZf[m]!);
      evals += r.evals;
      total += r.mse;
      eta[m] = r.eta;
      for (let k = 0; k < K; k++) {
        const p2 = phi[k]! ** 2;
        mu[k * M + m] = p2 === 0 ? 0 : solveMu(d, (k * M + m) * S, S, (P * r.eta) / p2);
      }
    }
  } else {
    let noise = 0;
    for (let m = 0; m < M; m++) noise += sigma2 * fp[m]!;
    const f = (e: number): number => {
      let v = noise * e;
      for (let k = 0; k < K; k++) {
        const p2 = phi[k]! ** 2;
        if (p2 === 0) continue;
        const off = k * M * S;
        v += misalignment(d, off, M * S, solveMu(d, off, M * S, (M * P * e) / p2), p2);
      }
      return v;
    };
    const r = searchEta(f, etaZf[0]!);
    evals += r.evals;
    total = r.mse;
    eta.fill(r.eta);
    for (let k = 0; k < K; k++) {
      const p2 = phi[k]! ** 2;
      const m0 = p2 === 0 ? 0 : solveMu(d, k * M * S, M * S, (M * P * r.eta) / p2);
      for (let m = 0; m < M; m++) mu[k * M + m] = m0;
    }
  }
  const V = batch(K * M, ch.Nt, S);
  const w = new Float64Array(S);
  let regularised = 0;
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      const idx = k * M + m;
      const u = mu[idx]!;
      if (u > 0) regularised++;
      for (let i = 0; i < S; i++) {
        const di = d[idx * S + i]!;
        w[i] = di > 0 ? 1 / (di + u) : 0;
      }
      const e = eta[m]!;
      writePrecoder(g, idx, e > 0 ? phi[k]! / Math.sqrt(e) : 0, w, V);
    }
  }
  const U = scaledCombiner(F, Array.from(eta, Math.sqrt));
  const design: TransceiverDesign = { scheme, S, U, V, analyticMse: new Float64Array(M) };
  if (!opts.skipAnalytic) design.analyticMse = conditionalMse(ch, design, phi, sigma2, ch.Hhat);
  let em = 0, ez = 0;
  for (let m = 0; m < M; m++) {
    em += eta[m]!;
    ez += etaZf[m]!;
  }
  design.info = { eta: em / M, etaZf: ez / M, regularisedFraction: regularised / (K * M), searchEvals: evals, mse: total };
  return design;
}
