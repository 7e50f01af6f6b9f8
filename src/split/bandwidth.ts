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
 *
 * A device's time is more than its uplink when the round also times the downlink and computation
 * (`Links`): t_k(b) = c_k + Q_k / R_k(b) + D_k / (b e_k), with c_k the device's compute time, D_k its
 * downlink bits and e_k = log2(1 + γ_k) the downlink spectral efficiency (the server's power spread
 * over the band, so the downlink rate on a share b is b e_k). t_k still falls strictly with b, with
 * floor c_k + Q_k ln 2 / s_k, so everything below (delay equalisation, the root search on τ) holds with
 * b_k(τ) the smallest bandwidth meeting t_k(b) ≤ τ. The server's compute time for the round
 * (`serverPerDeviceS` per scheduled device, the encoder runs once per device batch) adds to the
 * slowest device's time. With none of these set, t_k(b) is the uplink delay alone, computed exactly as
 * before.
 */
import { NumericalError } from '../errors.js';

/** What sets each device's time in one round (indices are devices). */
export interface Links {
  /** uplink SNR densities s_k = p g_k |h_k|² / N0 (Hz) */
  s: Float64Array;
  /** uplink bits Q_k */
  upBits: Float64Array;
  /** downlink bits D_k (absent: no downlink timed) */
  downBits?: Float64Array | undefined;
  /** downlink spectral efficiency e_k (bit/s/Hz) */
  downEff?: Float64Array | undefined;
  /** device compute time c_k (s) */
  computeS?: Float64Array | undefined;
  /** server compute time per scheduled device (s) */
  serverPerDeviceS?: number | undefined;
}

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

function downTerm(L: Links, k: number): number {
  const d = L.downBits ? L.downBits[k]! : 0;
  return d > 0 ? d / L.downEff![k]! : 0;
}

/** Device k's time (s) on bandwidth b: compute + uplink + downlink. */
export function deviceTime(L: Links, k: number, b: number): number {
  const up = delay(L.upBits[k]!, b, L.s[k]!);
  const D = downTerm(L, k);
  const c = L.computeS ? L.computeS[k]! : 0;
  if (D === 0 && c === 0) return up;
  return c + up + (D > 0 ? (b > 0 ? D / b : Infinity) : 0);
}

/** Smallest time device k can have on any bandwidth: c_k + Q_k ln 2 / s_k. */
export function timeFloor(L: Links, k: number): number {
  const f = delayFloor(L.upBits[k]!, L.s[k]!);
  return L.computeS ? L.computeS[k]! + f : f;
}

/** Smallest bandwidth on which device k finishes within τ (Infinity if τ ≤ its floor). */
export function bandwidthFor(L: Links, k: number, tau: number): number {
  const up = L.upBits[k]!;
  const s = L.s[k]!;
  const D = downTerm(L, k);
  const c = L.computeS ? L.computeS[k]! : 0;
  if (D === 0 && c === 0) return minBandwidth(up / tau, s);
  const t = tau - c;
  if (!(t > 0)) return Infinity;
  if (D === 0) return minBandwidth(up / t, s);
  if (up <= 0) return D / t;
  const floor = delayFloor(up, s);
  if (!(t > floor)) return Infinity;
  // each term alone must fit (lower end); giving the uplink a share f·t > its floor and the downlink
  // the rest makes the sum fit (upper end)
  const f = floor < 0.5 * t ? 0.5 : (1 + floor / t) / 2;
  const lo = Math.max(minBandwidth(up / t, s), D / t);
  const hi = Math.max(minBandwidth(up / (f * t), s), D / ((1 - f) * t));
  if (!Number.isFinite(hi)) return Infinity;
  return solveDecreasing((b) => up / rate(b, s) + D / b - t, lo, hi);
}

/** Server compute time of a round with n scheduled devices. */
export function serverTime(L: Links, n: number): number {
  return L.serverPerDeviceS ? n * L.serverPerDeviceS : 0;
}

/** Total bandwidth the members need to finish within device time τ. */
function needed(tau: number, members: ArrayLike<number>, L: Links): number {
  let sum = 0;
  for (let i = 0; i < members.length; i++) sum += bandwidthFor(L, members[i]!, tau);
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
  /** time per device (s): uplink, plus downlink and compute when timed; 0 for unscheduled */
  delayS: Float64Array;
  /** the round delay: max over scheduled devices, plus the server's compute time (0 if none) */
  roundDelayS: number;
}

function emptyAllocation(K: number): Allocation {
  return { bandwidthHz: new Float64Array(K), delayS: new Float64Array(K), roundDelayS: 0 };
}

/** Fill times and the round delay of an allocation from its bandwidths. */
export function finishAllocation(a: Allocation, members: ArrayLike<number>, L: Links): Allocation {
  let mx = 0;
  for (let i = 0; i < members.length; i++) {
    const k = members[i]!;
    const d = deviceTime(L, k, a.bandwidthHz[k]!);
    a.delayS[k] = d;
    if (d > mx) mx = d;
  }
  a.roundDelayS = members.length ? mx + serverTime(L, members.length) : 0;
  return a;
}

/** Equal split B / |S| among the members. */
export function equalAllocation(members: ArrayLike<number>, L: Links, totalHz: number): Allocation {
  const a = emptyAllocation(L.s.length);
  if (members.length === 0) return a;
  const b = totalHz / members.length;
  for (let i = 0; i < members.length; i++) a.bandwidthHz[members[i]!] = b;
  return finishAllocation(a, members, L);
}

/** The common device time τ*(S) of the min-max allocation of a fixed set (0 for the empty set; without server time). */
export function minMaxDelay(members: ArrayLike<number>, L: Links, totalHz: number): number {
  if (members.length === 0) return 0;
  let lo = 0;
  let hi = 0;
  const eq = totalHz / members.length;
  for (let i = 0; i < members.length; i++) {
    const k = members[i]!;
    lo = Math.max(lo, timeFloor(L, k));
    hi = Math.max(hi, deviceTime(L, k, eq));
  }
  if (!(hi > 0)) return 0;
  return solveDecreasing((tau) => needed(tau, members, L) - totalHz, lo, hi);
}

/** Min-max (delay-equalising) allocation of a fixed set. */
export function minMaxAllocation(members: ArrayLike<number>, L: Links, totalHz: number): Allocation {
  const a = emptyAllocation(L.s.length);
  if (members.length === 0) return a;
  const tau = minMaxDelay(members, L, totalHz);
  for (let i = 0; i < members.length; i++) {
    const k = members[i]!;
    a.bandwidthHz[k] = bandwidthFor(L, k, tau);
  }
  return finishAllocation(a, members, L);
}
