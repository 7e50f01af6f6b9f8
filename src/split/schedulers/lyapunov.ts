/**
 * Online drift-plus-penalty scheduler (Lyapunov). Per round it solves exactly
 *
 *   min_{S, b}  V w_t Φ(|S|) + D_t(τ(S, b))   s.t.  Σ_{k∈S} b_k ≤ B,  b ≥ 0,
 *
 * where τ(S, b) = max_{k∈S} Q_k / R_k(b_k), optionally with a per-round cap τ ≤ τ_cap, and the
 * delay cost D_t is
 *  - 'linear' (default, the textbook template): D_t(τ) = Q_t τ;
 *  - 'quadratic': D_t(τ) = Q_t τ + ½ max(τ − τ̄, 0)², keeping the over-budget part of the one-slot
 *    drift ½(τ − τ̄)² + Q_t(τ − τ̄) instead of bounding it by a constant.
 * Why a cap: with the linear cost an empty queue makes delay free, so such a round schedules every
 * device, and one deep fade (delay ∝ 1/|h|², heavy-tailed under Rayleigh fading) leaves a backlog a
 * short horizon cannot drain. The cap bounds that spike; the quadratic cost prices it instead but
 * then under-uses the budget (it charges for debt and never credits slack). A bounded τ keeps the
 * O(1/V) / O(V) guarantees in their usual form. Why the solver is exact: for a fixed size n, Φ is fixed
 * and the best (S, b) minimises the round delay. Delay τ is achievable by S iff Σ_{k∈S} b_k(τ) ≤ B,
 * so the best n-set at τ is the n devices needing the least bandwidth for τ, and
 * τ*(n) = min{τ : sum of the n smallest b_k(τ) ≤ B}; that sum decreases in τ, so a bracketed root
 * search finds it. With equal payloads the n smallest are the n best channels at every τ (sort by
 * channel); with unequal payloads the selection is redone at each τ. Then n is swept over
 * [nMin, K] and the best objective kept, with warm brackets (τ*(n) grows with n) and exact pruning
 * (see sweepSizes): at most K root searches of O(K) work each, usually far fewer.
 */
import { bandwidthFor, deviceTime, minMaxAllocation, serverTime, solveDecreasing, timeFloor, type Links } from '../bandwidth.js';
import { participationPenalty, roundWeight, type PenaltyKind } from '../penalty.js';
import { linksOf, type Decision, type RoundState, type Scheduler } from './types.js';

export interface LyapunovOptions {
  /** trade-off weight V (s²: penalty is dimensionless, Q_t τ is in s²) */
  V: number;
  /** ρ of the round weights w_t = ρ^{T−1−t} */
  decay?: number;
  penalty?: PenaltyKind;
  /** smallest number of devices a round may schedule (≥ 1) */
  minDevices?: number;
  /** delay cost: the textbook 'linear' (default) or 'quadratic' */
  drift?: DriftKind;
  /** per-round delay cap τ_cap (s); Infinity (default) = none. If even nMin devices exceed it, nMin are scheduled. */
  capS?: number;
}

export type DriftKind = 'linear' | 'quadratic';

/** D_t(τ): the delay part of the per-round objective (increasing in τ, ≥ 0). */
export function delayCost(drift: DriftKind, queue: number, budgetS: number, tau: number): number {
  const over = Math.max(tau - budgetS, 0);
  return queue * tau + (drift === 'quadratic' ? 0.5 * over * over : 0);
}

export interface SizeSweep {
  /** τ*(n) for n = 0..K (NaN below nMin): slowest device plus the server's time for n devices */
  delayByCount: Float64Array;
  /** the slowest device's part of τ*(n) */
  deviceDelayByCount: Float64Array;
  /** objective for n = 0..K (NaN below nMin) */
  objectiveByCount: Float64Array;
  best: number;
}

export class LyapunovScheduler implements Scheduler {
  readonly name = 'lyapunov';
  private readonly decay: number;
  private readonly penalty: PenaltyKind;
  private readonly minDevices: number;
  /** the last round's size sweep (for inspection and figures) */
  lastSweep: SizeSweep | undefined;

  constructor(readonly opts: LyapunovOptions) {
    this.decay = opts.decay ?? 1;
    this.penalty = opts.penalty ?? 'sampling';
    this.minDevices = Math.max(1, opts.minDevices ?? 1);
  }

  decide(st: RoundState): Decision {
    const K = st.snrDensity.length;
    const w = roundWeight(st.round, st.horizon, this.decay);
    const nMin = Math.min(this.minDevices, K);
    const penalty = (n: number) => this.opts.V * w * participationPenalty(n, K, this.penalty);
    const drift = this.opts.drift ?? 'linear';
    const sweep = sweepSizes(st, nMin, penalty, (tau) => delayCost(drift, st.queue, st.budgetS, tau), this.opts.capS ?? Infinity);
    let best = -1;
    let bestJ = Infinity;
    for (let n = nMin; n <= K; n++) {
      const J = sweep.objectiveByCount[n]!;
      // ties go to the larger set (same cost, more learning); skipped sizes are NaN and never win
      if (J <= bestJ) {
        bestJ = J;
        best = n;
      }
    }
    sweep.best = best;
    this.lastSweep = sweep;
    const L = linksOf(st);
    const members = bestSet(st, L, best, sweep.deviceDelayByCount[best]!);
    const a = minMaxAllocation(members, L, st.bandwidthHz);
    return { ...a, scheduled: members };
  }
}

function equal(v: Float64Array | undefined): boolean {
  if (!v) return true;
  for (let k = 1; k < v.length; k++) if (v[k] !== v[0]) return false;
  return true;
}

/**
 * Every device has the same loads and a better uplink means a better downlink: then the n devices
 * needing the least bandwidth at any τ are the n best channels (sort once).
 */
function uniformLoads(L: Links, order: number[]): boolean {
  if (!equal(L.upBits) || !equal(L.downBits) || !equal(L.computeS)) return false;
  if (L.downBits && L.downEff) {
    for (let i = 1; i < order.length; i++) if (L.downEff[order[i]!]! > L.downEff[order[i - 1]!]!) return false;
  }
  return true;
}

/** Devices sorted by SNR density, best first (ties by index, so the order is deterministic). */
export function byChannel(s: Float64Array): number[] {
  return Array.from({ length: s.length }, (_, i) => i).sort((a, b) => s[b]! - s[a]! || a - b);
}

/** Sum of the n smallest bandwidth needs for device time τ (scratch `need` of length K). */
function smallestNeeds(tau: number, n: number, L: Links, need: Float64Array): number {
  const K = need.length;
  for (let k = 0; k < K; k++) need[k] = bandwidthFor(L, k, tau);
  need.sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += need[i]!;
  return sum;
}

/**
 * τ*(n) and the objective J(n) = penalty(n) + cost(τ*(n)) for n in [nMin, K], skipping sizes that
 * provably cannot win (their entries stay NaN): with J* the best objective so far, a size whose
 * penalty alone is ≥ J* is skipped, and once cost(τ*(n)) ≥ J* every larger size loses too (τ* grows
 * with n, cost is increasing, the penalty is ≥ 0), so the sweep stops. n = K is evaluated first.
 * Sizes with τ*(n) > capS are infeasible (objective +∞), except the smallest size nMin.
 */
export function sweepSizes(
  st: RoundState, nMin: number, penalty: (n: number) => number, cost: (tau: number) => number = (tau) => st.queue * tau,
  capS = Infinity,
): SizeSweep {
  const K = st.snrDensity.length;
  const delayByCount = new Float64Array(K + 1).fill(NaN);
  const deviceDelayByCount = new Float64Array(K + 1).fill(NaN);
  const objectiveByCount = new Float64Array(K + 1).fill(NaN);
  delayByCount[0] = 0;
  deviceDelayByCount[0] = 0;
  const L = linksOf(st);
  const order = byChannel(L.s);
  let solve: (n: number, lo: number) => number;
  if (uniformLoads(L, order)) {
    solve = (n, prev) => {
      // bracket: τ*(n) ≥ τ*(m) for m < n and ≥ the time floor of the n best; the equal split is feasible
      const eq = st.bandwidthHz / n;
      let hi = 0;
      let lo = prev;
      for (let i = 0; i < n; i++) {
        const k = order[i]!;
        hi = Math.max(hi, deviceTime(L, k, eq));
        lo = Math.max(lo, timeFloor(L, k));
      }
      return hi > 0 ? solveDecreasing((t) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += bandwidthFor(L, order[i]!, t);
        return sum - st.bandwidthHz;
      }, lo, hi) : 0;
    };
  } else {
    const need = new Float64Array(K);
    const eqDelay = new Float64Array(K);
    solve = (n, prev) => {
      for (let k = 0; k < K; k++) eqDelay[k] = deviceTime(L, k, st.bandwidthHz / n);
      const hi = Float64Array.from(eqDelay).sort()[n - 1]!;
      return hi > 0 ? solveDecreasing((t) => smallestNeeds(t, n, L, need) - st.bandwidthHz, prev, hi) : 0;
    };
  }
  const lo = Math.max(1, nMin);
  const evaluate = (n: number, prev: number) => {
    const dev = solve(n, prev);
    const tau = dev + serverTime(L, n);
    deviceDelayByCount[n] = dev;
    delayByCount[n] = tau;
    objectiveByCount[n] = tau > capS && n > lo ? Infinity : penalty(n) + cost(tau);
    return { dev, tau };
  };
  evaluate(K, 0);
  let bestJ = objectiveByCount[K]!;
  let prev = 0;
  for (let n = lo; n < K; n++) {
    if (penalty(n) >= bestJ) continue;
    const { dev, tau } = evaluate(n, prev);
    prev = dev;
    bestJ = Math.min(bestJ, objectiveByCount[n]!);
    // every larger size is over the cap, or costs more in delay alone than the best so far
    // (the device part and the server part of τ*(n) both grow with n)
    if (tau > capS || cost(tau) >= bestJ) break;
  }
  return { delayByCount, deviceDelayByCount, objectiveByCount, best: -1 };
}

/** The n devices needing the least bandwidth at delay τ (ascending indices). */
function bestSet(st: RoundState, L: Links, n: number, tau: number): number[] {
  const K = st.snrDensity.length;
  let order = byChannel(st.snrDensity);
  if (!uniformLoads(L, order) && tau > 0) {
    const need = Array.from({ length: K }, (_, k) => bandwidthFor(L, k, tau));
    order = Array.from({ length: K }, (_, i) => i).sort((a, b) => need[a]! - need[b]! || a - b);
  }
  return order.slice(0, n).sort((a, b) => a - b);
}

