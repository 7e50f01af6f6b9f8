/**
 * Receive scaling η_m of zero-forcing-structured AirComp under the per-OFDM-symbol budget, shared by
 * the zf scheme (zf.ts) and the AirFL-LoRA design loop's power step (src/design/transceiver.ts).
 *
 * Device k's precoder on subcarrier m costs c_{k,m}/η_m (c = φ_k²·tr[(A Aᴴ)⁻¹] for ZF), its budget is
 * Σ_m c_{k,m}/η_m ≤ B (= M·P), and the MSE is σ²·S·Σ_m η_m. In x_m = 1/η_m the problem
 *   min Σ_m 1/x_m  s.t.  Σ_m c_{k,m} x_m ≤ B  (every k)
 * is convex; its KKT conditions give η_m = √(Σ_k λ_k c_{k,m}) with multipliers λ_k ≥ 0, positive only
 * for devices whose budget binds. λ is found by the fixed-point iteration λ_k ← λ_k·(G_k/B)² (G_k: device
 * k's power at the current η; over-budget devices gain weight, slack ones lose it), normalised by its
 * maximum (the problem is scale-free in λ), then η is scaled to be exactly feasible (the binding device
 * meets B). The common η (one value, set by the device with the largest Σ_m c_{k,m}) is the fallback and
 * is kept whenever it is not worse, so the result is never worse than it.
 *
 * Silent entries: c_{k,m} = 0 (a device with zero weight, or one that sends nothing there) costs nothing,
 * also where η_m = 0; c_{k,m} > 0 on a subcarrier with η_m = 0 costs +∞ (infeasible, so the iteration
 * raises that device's multiplier).
 */

/** The per-symbol η allocation and its multipliers. */
export interface SymbolEta {
  /** η_m, length M */
  eta: Float64Array;
  /**
   * KKT multipliers of the device budgets, normalised to max 1; for the common-η fallback, 1 for the
   * device(s) that set it and 0 otherwise
   */
  lambda: Float64Array;
  /** false: the common η was kept (the KKT iteration failed, or was not better) */
  optimal: boolean;
}

/** Device k's power Σ_m c_{k,m}/η_m under the convention above. */
export function symbolPower(c: Float64Array, eta: Float64Array, k: number, M: number): number {
  let s = 0;
  for (let m = 0; m < M; m++) {
    const v = c[k * M + m]!;
    if (v > 0) s += eta[m]! > 0 ? v / eta[m]! : Infinity;
  }
  return s;
}

/** The common η: max_k Σ_m c_{k,m} / B (the smallest single value meeting every budget). */
export function commonSymbolEta(c: Float64Array, K: number, M: number, B: number): number {
  let e = 0;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let m = 0; m < M; m++) s += c[k * M + m]!;
    e = Math.max(e, s / B);
  }
  return e;
}

/**
 * KKT-optimal η_m under the per-symbol budget B for costs c (layout k·M + m, c ≥ 0); see the file
 * comment. Iterates until every active multiplier's budget ratio is within `tol` of 1 (at most
 * `maxIter` times).
 */
export function kktSymbolEta(c: Float64Array, K: number, M: number, B: number, maxIter = 500, tol = 1e-10): SymbolEta {
  const common = commonSymbolEta(c, K, M, B);
  const lambda = new Float64Array(K).fill(1);
  const eta = new Float64Array(M);
  const G = new Float64Array(K);
  const evaluate = (): number => {
    for (let m = 0; m < M; m++) {
      let a = 0;
      for (let k = 0; k < K; k++) a += lambda[k]! * c[k * M + m]!;
      eta[m] = Math.sqrt(a);
    }
    let worst = 0;
    for (let k = 0; k < K; k++) {
      G[k] = symbolPower(c, eta, k, M);
      worst = Math.max(worst, G[k]! / B);
    }
    return worst;
  };
  let valid = true;
  for (let it = 0; it < maxIter; it++) {
    evaluate();
    let change = 0, lmax = 0;
    for (let k = 0; k < K; k++) {
      const r = G[k]! / B;
      if (lambda[k]! > 1e-12) change = Math.max(change, Math.abs(r - 1));
      lambda[k] = lambda[k]! * r * r;
      lmax = Math.max(lmax, lambda[k]!);
    }
    if (!(lmax > 0) || !Number.isFinite(lmax)) {
      valid = false;
      break;
    }
    for (let k = 0; k < K; k++) lambda[k] = lambda[k]! / lmax;
    if (change < tol) break;
  }
  const worst = valid ? evaluate() : NaN;
  let sumOpt = 0;
  for (let m = 0; m < M; m++) {
    eta[m] = eta[m]! * worst; // exactly feasible: the binding device meets B
    sumOpt += eta[m]!;
  }
  if (worst > 0 && Number.isFinite(worst) && sumOpt <= common * M) return { eta, lambda, optimal: true };
  eta.fill(common);
  lambda.fill(0);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let m = 0; m < M; m++) s += c[k * M + m]!;
    if (s / B >= common * (1 - 1e-12)) lambda[k] = 1;
  }
  return { eta, lambda, optimal: false };
}
