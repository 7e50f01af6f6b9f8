/**
 * FDMA rate, delay and bandwidth allocation for one round.
 *
 * Rate of device k on bandwidth b: R = b log2(1 + s_k / b), with s_k = p_k g_k / N0 (Hz). R is
 * increasing and concave in b with supremum s_k / ln 2, so a payload of Q_k bits needs at least
 * τ_k^min = Q_k ln 2 / s_k seconds however much bandwidth it gets.
 *
 * The fixed-set problem min_b max_{k∈S} Q_k / R_k(b_k) s.t. Σ b_k ≤ B is solved by equalising the
 * delays: each delay falls strictly with its own bandwidth, so at the optimum all scheduled devices
 * finish together and the whole band is used; we find that common τ by a bracketed root search on
 * F(τ) = Σ_k b_k(τ) − B, which decreases in τ (b_k(τ) = smallest bandwidth meeting Q_k / τ).
 */
import { NumericalError } from '../errors.js';

/** Rate (bit/s) of bandwidth `b` (Hz) at SNR density `s` (Hz). */
export function rate(b: number, s: number): number {
  if (b <= 0) return 0;
  return b * Math.log2(1 + s / b);
}

/** Delay (s) of `bits` over bandwidth `b` at SNR density `s`. Infinity for b = 0. */
export function delay(bits: number, b: number, s: number): number {
  if (bits <= 0) return 0;
  const r = rate(b, s);
  return r > 0 ? bits / r : Infinity;
}

/**
 * Smallest bandwidth b with b log2(1 + s/b) ≥ `rateReq`; Infinity if rateReq ≥ s / ln 2.
 * With x = s/b and c = rateReq ln 2 / s ∈ (0, 1) this is the positive root of φ(x) = ln(1+x) − c x.
 * φ is concave with φ(0) = 0, so Newton started right of the root (where φ < 0) decreases
 * monotonically to it.
 */
export function minBandwidth(rateReq: number, s: number): number {
  if (rateReq <= 0) return 0;
  const c = (rateReq * Math.LN2) / s;
  if (!(c < 1)) return Infinity;
  let x = (2 * Math.log(2 / c)) / c; // φ(x) < 0 here for every c ∈ (0, 1)
  for (let it = 0; it < 200; it++) {
    const phi = Math.log1p(x) - c * x;
    const dphi = 1 / (1 + x) - c;
    if (!(dphi < 0)) break; // reached the root's left side by rounding
    const step = phi / dphi;
    x -= step;
    if (step <= x * 1e-15) break;
  }
  if (!(x > 0) || !Number.isFinite(x)) {
    throw new NumericalError(`minBandwidth: no root for rate ${rateReq} at s ${s}`, { rateReq, s });
  }
  return s / x;
}

/** Smallest delay `bits` can have on any bandwidth: bits ln 2 / s. */
export function delayFloor(bits: number, s: number): number {
  return (bits * Math.LN2) / s;
}

/** Total bandwidth the members (indices into s/bits) need to finish within τ. */
function needed(tau: number, members: ArrayLike<number>, s: Float64Array, bits: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < members.length; i++) {
    const k = members[i]!;
    sum += minBandwidth(bits[k]! / tau, s[k]!);
  }
  return sum;
}

/**
 * Smallest τ in (lo, hi] with F(τ) ≤ 0 for a decreasing F with F(hi) ≤ 0 (F may be +∞ near lo):
 * geometric bisection while F is infinite, then Illinois regula falsi on log τ with a bisection
 * safeguard. Returns the feasible end of the final bracket (relative width ≤ 1e-12).
 */
export function solveDecreasing(F: (tau: number) => number, lo: number, hi: number): number {
  let a = lo;
  let b = hi;
  let fb = F(b);
  // the upper end is feasible in exact arithmetic (an equal split); widen it past rounding error
  for (let i = 0; fb > 0 && i < 40; i++) {
    b *= 1 + 1e-12 * 2 ** i;
    fb = F(b);
  }
  if (fb > 0) throw new NumericalError('solveDecreasing: upper end infeasible', { lo, hi, fb });
  let fa = Infinity;
  let side = 0;
  for (let it = 0; it < 300 && b - a > 1e-12 * b; it++) {
    let m: number;
    if (!Number.isFinite(fa) || a <= 0) {
      m = a > 0 ? Math.sqrt(a * b) : (a + b) / 2;
    } else {
      const la = Math.log(a);
      const lb = Math.log(b);
      m = Math.exp(lb - (fb * (lb - la)) / (fb - fa));
      // keep strictly inside and away from the ends (safeguard)
      const w = b - a;
      if (!(m > a + 1e-3 * w && m < b - 1e-3 * w)) m = Math.sqrt(a * b);
    }
    const fm = F(m);
    if (fm > 0) {
      a = m;
      fa = fm;
      if (side === -1) fb /= 2;
      side = -1;
    } else {
      b = m;
      fb = fm;
      if (side === 1 && Number.isFinite(fa)) fa /= 2;
      side = 1;
      if (fm === 0) break;
    }
  }
  return b;
}

export interface Allocation {
  /** bandwidth per device (Hz), length K, 0 for unscheduled */
  bandwidthHz: Float64Array;
  /** uplink delay per device (s), 0 for unscheduled */
  delayS: Float64Array;
  /** the round delay: max over scheduled devices (0 if none) */
  roundDelayS: number;
}

function emptyAllocation(K: number): Allocation {
  return { bandwidthHz: new Float64Array(K), delayS: new Float64Array(K), roundDelayS: 0 };
}

/** Fill delays and the round delay of an allocation from its bandwidths. */
export function finishAllocation(a: Allocation, members: ArrayLike<number>, s: Float64Array, bits: Float64Array): Allocation {
  let mx = 0;
  for (let i = 0; i < members.length; i++) {
    const k = members[i]!;
    const d = delay(bits[k]!, a.bandwidthHz[k]!, s[k]!);
    a.delayS[k] = d;
    if (d > mx) mx = d;
  }
  a.roundDelayS = mx;
  return a;
}

/** Equal split B / |S| among the members. */
export function equalAllocation(members: ArrayLike<number>, s: Float64Array, bits: Float64Array, totalHz: number): Allocation {
  const a = emptyAllocation(s.length);
  if (members.length === 0) return a;
  const b = totalHz / members.length;
  for (let i = 0; i < members.length; i++) a.bandwidthHz[members[i]!] = b;
  return finishAllocation(a, members, s, bits);
}

/** The common delay τ*(S) of the min-max allocation of a fixed set (0 for the empty set). */
export function minMaxDelay(members: ArrayLike<number>, s: Float64Array, bits: Float64Array, totalHz: number): number {
  if (members.length === 0) return 0;
  let lo = 0;
  let hi = 0;
  const eq = totalHz / members.length;
  for (let i = 0; i < members.length; i++) {
    const k = members[i]!;
    lo = Math.max(lo, delayFloor(bits[k]!, s[k]!));
    hi = Math.max(hi, delay(bits[k]!, eq, s[k]!));
  }
  if (!(hi > 0)) return 0;
  return solveDecreasing((tau) => needed(tau, members, s, bits) - totalHz, lo, hi);
}

/** Min-max (delay-equalising) allocation of a fixed set. */
export function minMaxAllocation(members: ArrayLike<number>, s: Float64Array, bits: Float64Array, totalHz: number): Allocation {
  const a = emptyAllocation(s.length);
  if (members.length === 0) return a;
  const tau = minMaxDelay(members, s, bits, totalHz);
  for (let i = 0; i < members.length; i++) {
    const k = members[i]!;
    a.bandwidthHz[k] = minBandwidth(bits[k]! / tau, s[k]!);
  }
  return finishAllocation(a, members, s, bits);
}
