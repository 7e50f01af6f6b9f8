/**
 * The transceiver half of the AirFL-LoRA design loop (papers.md §1.3): for one candidate (rank,
 * streams), with the per-subcarrier budget P_eff that rank leaves (budget.ts), alternate
 *
 *   (i)  the receive subspace F_m (N_r × S, orthonormal) on the Grassmann manifold, and
 *   (ii) the power/scaling step: zero-forcing precoders V_{k,m} = w_k (√η_m F_mᴴ Ĥ_{k,m})^†, the
 *        receive scale η_m and each device's power p_k = Σ_m w_k² t_{k,m}/η_m,
 *
 * until the designed MSE (σ²·S·mean_m η_m) changes by less than `tolerance` (relative).
 * t_{k,m}(F) = tr[(F_mᴴ Ĥ_{k,m} Ĥ_{k,m}ᴴ F_m)⁻¹]; w are the realised aggregation weights φ_k c_k / g.
 *
 * Power step: per-subcarrier budget → η_m = max_k w_k² t_{k,m}/P (closed form); per-OFDM-symbol
 * budget (Σ_m ‖V_{k,m}‖² ≤ M·P) → the convex allocation min Σ_m η_m s.t. Σ_m c_{k,m}/η_m ≤ M·P, solved
 * through its KKT conditions η_m = √(Σ_k λ_k c_{k,m}) (multipliers λ_k ≥ 0 of the binding devices) by
 * the same function the zf scheme uses (phy/aircomp/symbol-eta.ts).
 * Receive step: per-subcarrier budget → the min-max problem min_F max_k c_{k,m}(F) (phy/beamforming/
 * manifold.ts, warm-started from the current F); per-symbol budget → one Riemannian gradient step on the
 * designed MSE, whose gradient (Danskin) is that of the dual function 2Σ_m √(Σ_k λ_k c_{k,m}(F_m)) at the
 * current multipliers, with Armijo backtracking on the true MSE and QR retraction. The two steps couple:
 * λ says which devices bind, the subspace serves them, which moves λ. A step is kept only if it lowers
 * the designed MSE, so the loop is monotone and stops.
 *
 * The warm start is the receive subspace of the scenario's design scheme (any scheme from the factory:
 * its combiners' column space); where that scheme's own design is better than the alternated
 * zero-forcing one (an MMSE transceiver trades misalignment for noise, which ZF cannot), it is used.
 */
import { NumericalError } from '../errors.js';
import { batch, batchItem, cmat, matmul, matmulAH, type CMat, type CMatBatch } from '../linalg/cmat.js';
import { qr } from '../linalg/qr.js';
import { logSurrogateWithGradient, optimiseBeamformer } from '../phy/beamforming/manifold.js';
import { streamGeometry } from '../phy/aircomp/subspace.js';
import type { AirCompScheme, PowerMode, TransceiverDesign } from '../phy/aircomp/types.js';
import { alignmentGain, precoderPower } from '../phy/aircomp/mse.js';
import { kktSymbolEta, symbolPower } from '../phy/aircomp/symbol-eta.js';
import type { ChannelRealization } from '../phy/types.js';

export interface TransceiverInput {
  channels: readonly ChannelRealization[];
  /** realised aggregation weights (length K) */
  weights: Float64Array;
  sigma2: number;
  /** per-subcarrier power budget P_eff */
  P: number;
  powerMode: PowerMode;
  S: number;
  /** scheme whose receive subspace starts the alternation */
  warmStart: AirCompScheme;
  /** relative change of the designed MSE that ends the alternation */
  tolerance: number;
  maxAlternations: number;
}

export interface AlternationStep {
  /** 0: the warm start (power step on the warm-start subspace) */
  iteration: number;
  /** designed MSE (mean over subcarriers and channel draws) after this iteration's power step */
  objective: number;
}

export interface TransceiverResult {
  /** designed aggregation MSE per S-stream symbol vector, linear, mean over subcarriers and draws */
  mse: number;
  /** alignment gain c̄ (mse.ts `alignmentGain`), mean over subcarriers and draws: 1 for the alternated
   * zero-forcing designs, < 1 where a kept warm-start design (e.g. MMSE) shrinks the aggregate */
  shrink: number;
  /** per draw, per subcarrier */
  msePerSubcarrier: Float64Array;
  /** per-device transmit power per OFDM symbol (Σ_m ‖V_{k,m}‖²) of the binding device, mean over draws */
  maxDevicePower: number;
  log: AlternationStep[];
  alternations: number;
  converged: boolean;
  /** draws on which the warm-start scheme's own design was better than the alternated one (and is used) */
  warmStartKept: number;
}

interface PowerStep {
  eta: Float64Array;
  /** KKT multipliers (symbol mode; max-normalised) */
  lambda: Float64Array;
  mse: number;
  devicePower: Float64Array;
}

/** t_{k,m}(F) for all devices and subcarriers. */
function traces(ch: ChannelRealization, F: CMatBatch): Float64Array {
  const g = streamGeometry(ch, F);
  const { K, M, S } = g;
  const t = new Float64Array(K * M);
  for (let i = 0; i < K * M; i++) {
    let s = 0;
    for (let j = 0; j < S; j++) {
      const d = g.d[i * S + j]!;
      if (!(d > 0)) throw new NumericalError(`design: projected channel of device ${Math.floor(i / M)} on subcarrier ${i % M} is rank-deficient; zero-forcing is infeasible`);
      s += 1 / d;
    }
    t[i] = s;
  }
  return t;
}

/** η, multipliers, MSE and device powers for ZF precoders on F (see the file comment). */
export function powerStep(t: Float64Array, w: Float64Array, K: number, M: number, sigma2: number, P: number, mode: PowerMode, S: number): PowerStep {
  const c = new Float64Array(K * M);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) c[k * M + m] = w[k]! * w[k]! * t[k * M + m]!;
  const eta = new Float64Array(M);
  const lambda = new Float64Array(K);
  if (mode === 'subcarrier') {
    for (let m = 0; m < M; m++) {
      let e = 0, arg = 0;
      for (let k = 0; k < K; k++) if (c[k * M + m]! > e) { e = c[k * M + m]!; arg = k; }
      eta[m] = e / P;
      lambda[arg] += 1;
    }
  } else {
    // the KKT allocation the zf scheme uses too (phy/aircomp/symbol-eta.ts), common η as its fallback
    const r = kktSymbolEta(c, K, M, M * P);
    eta.set(r.eta);
    lambda.set(r.lambda);
  }
  let mse = 0;
  for (let m = 0; m < M; m++) mse += sigma2 * S * eta[m]!;
  const devicePower = new Float64Array(K);
  for (let k = 0; k < K; k++) devicePower[k] = symbolPower(c, eta, k, M);
  return { eta, lambda, mse: mse / M, devicePower };
}

/** Orthonormal basis of each combiner's column space (the warm start's receive subspace). */
function subspaceOf(U: CMatBatch): CMatBatch {
  const F = batch(U.count, U.rows, U.cols);
  for (let m = 0; m < U.count; m++) F.data.set(qr(batchItem(U, m)).Q.data, m * 2 * U.rows * U.cols);
  return F;
}

/**
 * Per-symbol budget's receive step: one Riemannian gradient step on the designed MSE itself. With the
 * KKT multipliers λ of the current power step, Danskin's theorem makes ∇_F MSE ∝ Σ_m ∇_F √(Σ_k λ_k
 * c_{k,m}(F_m)) (the dual function's gradient), so the direction is computed per subcarrier and the step
 * length is found by Armijo backtracking on the true MSE (a fresh power step per trial point).
 */
function receiveStep(ch: ChannelRealization, F: CMatBatch, w: Float64Array, cur: PowerStep, ctx: { sigma2: number; P: number; S: number }): { F: CMatBatch; step: PowerStep } | undefined {
  const { K, M } = ch;
  const phi = Float64Array.from(w, (x, k) => x * Math.sqrt(cur.lambda[k]!));
  const prob = { H: ch.Hhat, K, M, phi, groups: [] as number[][] };
  const Nr = F.rows, S = F.cols;
  const tmp = cmat(S, S), proj = cmat(Nr, S), moved = cmat(Nr, S);
  const dirs: CMat[] = [];
  let gn2 = 0;
  for (let m = 0; m < M; m++) {
    const Fm = batchItem(F, m);
    const { value, grad } = logSurrogateWithGradient(prob, [m], [Fm], 1);
    const G = grad[0]!;
    matmulAH(Fm, G, tmp);
    matmul(Fm, tmp, proj);
    // ∇√J = (√J / 2)·∇log J, horizontal part
    const scale = Math.exp(value / 2) / 2;
    for (let i = 0; i < G.data.length; i++) {
      G.data[i] = scale * (G.data[i]! - proj.data[i]!);
      gn2 += G.data[i]! * G.data[i]!;
    }
    dirs.push(G);
  }
  if (!(gn2 > 0) || !Number.isFinite(gn2)) return undefined;
  // start from a step that moves each F_m by about half a unit and halve until the true MSE drops
  const trial = batch(M, Nr, S);
  let t = 0.5 / Math.sqrt(gn2 / M);
  for (let bt = 0; bt < 30; bt++) {
    for (let m = 0; m < M; m++) {
      const Fm = batchItem(F, m), d = dirs[m]!;
      for (let i = 0; i < moved.data.length; i++) moved.data[i] = Fm.data[i]! - t * d.data[i]!;
      trial.data.set(qr(moved).Q.data, m * 2 * Nr * S);
    }
    let tr: Float64Array;
    try {
      tr = traces(ch, trial);
    } catch {
      t *= 0.5;
      continue;
    }
    const step = powerStep(tr, w, K, M, ctx.sigma2, ctx.P, 'symbol', ctx.S);
    if (step.mse < cur.mse * (1 - 1e-6)) return { F: batchFrom(trial), step };
    t *= 0.5;
  }
  return undefined;
}

function batchFrom(b: CMatBatch): CMatBatch {
  const out = batch(b.count, b.rows, b.cols);
  out.data.set(b.data);
  return out;
}

export function designTransceivers(inp: TransceiverInput): TransceiverResult {
  const { weights: w, sigma2, P, powerMode, S } = inp;
  const draws = inp.channels.length;
  if (draws === 0) throw new NumericalError('design: no channel draws');
  const M = inp.channels[0]!.M;
  const perDraw: { F: CMatBatch; step: PowerStep; done: boolean; history: number[]; warm: TransceiverDesign }[] = [];
  for (const ch of inp.channels) {
    const warm = inp.warmStart.design(ch, { phi: w, sigma2, P, powerMode, S });
    if (warm.exact || warm.U.count !== M) throw new NumericalError(`design: scheme '${inp.warmStart.name}' has no receive combiners to start the alternation from`);
    const F = subspaceOf(warm.U);
    const step = powerStep(traces(ch, F), w, ch.K, M, sigma2, P, powerMode, S);
    perDraw.push({ F, step, done: false, history: [step.mse], warm });
  }
  let alternations = 0;
  for (let it = 1; it <= inp.maxAlternations && perDraw.some((d) => !d.done); it++) {
    alternations = it;
    inp.channels.forEach((ch, i) => {
      const d = perDraw[i]!;
      if (d.done) return;
      const prev = d.step.mse;
      if (powerMode === 'subcarrier') {
        const F = optimiseBeamformer({ H: ch.Hhat, K: ch.K, M, phi: w, groups: Array.from({ length: M }, (_, m) => [m]) }, d.F, { maxIter: 20 }).F;
        const step = powerStep(traces(ch, F), w, ch.K, M, sigma2, P, powerMode, S);
        if (step.mse < prev) {
          d.F = F;
          d.step = step;
        }
      } else {
        const next = receiveStep(ch, d.F, w, d.step, { sigma2, P, S });
        if (next) {
          d.F = next.F;
          d.step = next.step;
        }
      }
      d.history.push(d.step.mse);
      if (!(prev - d.step.mse > inp.tolerance * prev)) d.done = true;
    });
  }
  const longest = Math.max(...perDraw.map((d) => d.history.length));
  const log: AlternationStep[] = [];
  for (let i = 0; i < longest; i++) {
    let s = 0;
    for (const d of perDraw) s += d.history[Math.min(i, d.history.length - 1)]!;
    log.push({ iteration: i, objective: s / draws });
  }
  // The warm start's own design (e.g. an MMSE transceiver, which ZF-structured alternation cannot
  // reach) is used on a draw where it is better.
  const msePerSubcarrier = new Float64Array(draws * M);
  let mse = 0, power = 0, warmStartKept = 0, shrink = 0;
  perDraw.forEach((d, i) => {
    const own = d.warm.analyticMse;
    let ownMean = 0;
    for (const v of own) ownMean += v / M;
    if (ownMean < d.step.mse) {
      warmStartKept++;
      msePerSubcarrier.set(own, i * M);
      const ch = inp.channels[i]!;
      for (const c of alignmentGain(ch, d.warm, inp.weights, ch.Hhat)) shrink += c / M;
      mse += ownMean;
      const K = ch.K;
      const pw = precoderPower(d.warm, K, M);
      let worst = 0;
      for (let k = 0; k < K; k++) {
        let p = 0;
        for (let m = 0; m < M; m++) p += pw[k * M + m]!;
        worst = Math.max(worst, p);
      }
      power += worst;
      return;
    }
    for (let m = 0; m < M; m++) msePerSubcarrier[i * M + m] = sigma2 * S * d.step.eta[m]!;
    mse += d.step.mse;
    shrink += 1; // zero-forcing precoders on the designed subspace: G_{k,m} = w_k·I
    power += Math.max(...d.step.devicePower);
  });
  if (!Number.isFinite(mse)) throw new NumericalError('design: non-finite designed MSE');
  return {
    mse: mse / draws, shrink: shrink / draws, msePerSubcarrier, maxDevicePower: power / draws, log, alternations,
    converged: perDraw.every((d) => d.done), warmStartKept,
  };
}
