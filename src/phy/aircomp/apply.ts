/**
 * Applying a design: device symbol grids → what the server's combiner outputs.
 *
 * Grids use the symbol-mapping layout (src/phy/ofdm/mapping.ts): complex index (t·M + m)·S + s,
 * interleaved (re, im), T OFDM symbols.
 *
 * Two exact-in-distribution paths (option `path`):
 *  - 'effective' (default, fast): y is linear, so Uᴴy = Σ_k G_{k,m} s_k + Uᴴn with
 *    G_{k,m} = U_mᴴ H_{k,m} V_{k,m} (S × S, computed once per subcarrier) and Uᴴn ~ CN(0, σ² U_mᴴU_m)
 *    drawn directly as L_m z, z ~ CN(0, I_S), L_m = Q √Λ from the eigendecomposition of σ² U_mᴴU_m.
 *    Cost K·M·T·S² instead of K·M·T·(N_t·S + N_r·N_t) + M·T·N_r·S.
 *  - 'receive' (literal): x_k = V_k s_k on N_t antennas, y = Σ_k H_k x_k + n over the N_r antennas
 *    (n ~ CN(0, σ² I)), then Uᴴy.
 * Both give the same deterministic part to rounding, and noise with the same distribution (tested).
 * Noise draws come from the caller's Rng in (t, m, ·) order, so every scheme given an Rng of the same
 * stream name sees common random numbers (effective path: the same z for every scheme).
 *
 * Channel ageing (a realisation with `evolution`, i.e. mobility): the design was made at the start of
 * the upload, and OFDM symbol t goes through H(t·T_sym). H(t) is evaluated exactly at `ageingNodes`
 * (every symbol, or 10 nodes per Doppler period when that is fewer) and, being smooth, interpolated
 * between them by 4-point Lagrange (G(t) on the effective path, H(t) on the receive path: the same
 * linear combination, so the two paths agree to rounding).
 */
import { batch, cmat, type CMatBatch } from '../../linalg/cmat.js';
import { eigh } from '../../linalg/eigh.js';
import { UserInputError } from '../../errors.js';
import type { Rng } from '../../random/streams.js';
import { applyChannelFreq } from '../channel/apply.js';
import type { ChannelEvolution, ChannelRealization } from '../types.js';
import { effectiveMatrices } from './mse.js';
import { SIMD_SYMBOLS, simdCombiner } from './fused-simd.js';
import type { DesignContext, TransceiverDesign } from './types.js';

export type ReceivePath = 'effective' | 'receive';

export interface ApplyOptions {
  path?: ReceivePath;
}

function gridT(ch: ChannelRealization, S: number, symbols: readonly Float64Array[]): number {
  if (symbols.length !== ch.K) {
    throw new UserInputError(`applyDesign.symbols: ${symbols.length} device grids is not allowed; expected K = ${ch.K}`, 'symbols');
  }
  const per = 2 * ch.M * S;
  const T = symbols[0]!.length / per;
  if (!Number.isInteger(T) || T < 1) {
    throw new UserInputError(`applyDesign.symbols: grid length ${symbols[0]!.length} is not a positive multiple of 2·M·S = ${per}`, 'symbols');
  }
  for (const s of symbols) {
    if (s.length !== symbols[0]!.length) throw new UserInputError('applyDesign.symbols: device grids differ in length', 'symbols');
  }
  return T;
}

/**
 * Nodes per Doppler period at which H(t) is evaluated exactly; in between, 4-point (cubic) Lagrange
 * interpolation, whose error for a sinusoid at this spacing is ≤ (2π/10)⁴·9/384 ≈ 0.4 % in amplitude
 * (−49 dB), below the NMSE of any design at the SNRs of interest.
 */
export const AGEING_NODES_PER_PERIOD = 10;

/**
 * Symbol indices (ascending, first 0, last T − 1) where an ageing channel is evaluated exactly:
 * every symbol, or fewer when 10 nodes per Doppler period need fewer. [0] when the channel is static.
 */
export function ageingNodes(T: number, ev: ChannelEvolution | undefined): number[] {
  if (!ev || !(ev.maxDopplerHz > 0) || T <= 1) return [0];
  // node spacing (symbols) at most 1/32 of a Doppler period
  const gap = Math.max(1, Math.floor(1 / (AGEING_NODES_PER_PERIOD * ev.maxDopplerHz * ev.symbolS)));
  const nodes: number[] = [];
  for (let t = 0; t < T - 1; t += gap) nodes.push(t);
  nodes.push(T - 1);
  return nodes;
}

/**
 * Calls `fn(t, X_t)` for t = 0..T−1 with X_t the value of a smooth matrix set: exact at the node
 * symbols (`nodeValue(t)`), 4-point Lagrange interpolation between them (the nearest 4 nodes, fewer
 * when there are fewer). At most 4 node values are held at a time.
 */
function forEachSymbol(T: number, nodes: number[], nodeValue: (t: number) => Float64Array, fn: (t: number, X: Float64Array) => void): void {
  const cache = new Map<number, Float64Array>();
  const get = (i: number): Float64Array => {
    let v = cache.get(i);
    if (!v) {
      cache.set(i, (v = nodeValue(nodes[i]!)));
      for (const key of cache.keys()) if (key < i - 3) cache.delete(key);
    }
    return v;
  };
  const n = nodes.length;
  if (n === 1) {
    const v = get(0);
    for (let t = 0; t < T; t++) fn(t, v);
    return;
  }
  let X: Float64Array | undefined;
  let seg = 0;
  for (let t = 0; t < T; t++) {
    while (seg + 1 < n - 1 && t > nodes[seg + 1]!) seg++;
    if (t === nodes[seg]) { fn(t, get(seg)); continue; }
    if (t === nodes[seg + 1]) { fn(t, get(seg + 1)); continue; }
    const lo = Math.max(0, Math.min(seg - 1, n - 4)), hi = Math.min(n - 1, lo + 3);
    X ??= new Float64Array(get(lo).length);
    const w = [0, 0, 0, 0];
    for (let j = lo; j <= hi; j++) {
      let wj = 1;
      for (let q = lo; q <= hi; q++) if (q !== j) wj *= (t - nodes[q]!) / (nodes[j]! - nodes[q]!);
      w[j - lo] = wj;
    }
    // one pass, each entry summed in node order from 0 (as node-by-node passes would)
    if (hi - lo === 3) {
      const v0 = get(lo), v1 = get(lo + 1), v2 = get(lo + 2), v3 = get(lo + 3);
      const w0 = w[0]!, w1 = w[1]!, w2 = w[2]!, w3 = w[3]!;
      for (let i = 0; i < X.length; i++) X[i] = 0 + w0 * v0[i]! + w1 * v1[i]! + w2 * v2[i]! + w3 * v3[i]!;
    } else {
      X.fill(0);
      for (let j = lo; j <= hi; j++) {
        const v = get(j), wj = w[j - lo]!;
        for (let i = 0; i < X.length; i++) X[i] += wj * v[i]!;
      }
    }
    fn(t, X);
  }
}

/** Σ_k φ_k s_k over whole grids (the exact aggregate; devices summed in index order). */
export function weightedSum(symbols: readonly Float64Array[], phi: ArrayLike<number>, out?: Float64Array): Float64Array {
  const n = symbols[0]!.length;
  const o = out ?? new Float64Array(n);
  o.fill(0);
  for (let k = 0; k < symbols.length; k++) {
    const f = phi[k]!;
    if (f === 0) continue;
    const s = symbols[k]!;
    for (let i = 0; i < n; i++) o[i] += f * s[i]!;
  }
  return o;
}

/** Per subcarrier: L_m with L_m L_mᴴ = σ² U_mᴴ U_m (S × S each). */
export function combinedNoiseFactors(design: TransceiverDesign, sigma2: number, M: number): CMatBatch {
  const S = design.S, Nr = design.U.rows;
  const out = batch(M, S, S);
  const C = cmat(S, S);
  const u = design.U.data;
  for (let m = 0; m < M; m++) {
    const ou = m * 2 * Nr * S;
    const c = C.data;
    for (let i = 0; i < S; i++) {
      for (let j = 0; j <= i; j++) {
        let re = 0, im = 0;
        for (let r = 0; r < Nr; r++) {
          const ar = u[ou + 2 * (r * S + i)]!, ai = u[ou + 2 * (r * S + i) + 1]!;
          const br = u[ou + 2 * (r * S + j)]!, bi = u[ou + 2 * (r * S + j) + 1]!;
          // conj(U_ri) U_rj
          re += ar * br + ai * bi;
          im += ar * bi - ai * br;
        }
        c[2 * (i * S + j)] = sigma2 * re;
        c[2 * (i * S + j) + 1] = i === j ? 0 : sigma2 * im;
        c[2 * (j * S + i)] = sigma2 * re;
        c[2 * (j * S + i) + 1] = i === j ? 0 : -sigma2 * im;
      }
    }
    const { values, vectors } = eigh(C);
    const o = m * 2 * S * S;
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) {
        const r = Math.sqrt(Math.max(0, values[j]!));
        out.data[o + 2 * (i * S + j)] = vectors.data[2 * (i * S + j)]! * r;
        out.data[o + 2 * (i * S + j) + 1] = vectors.data[2 * (i * S + j) + 1]! * r;
      }
    }
  }
  return out;
}

/**
 * The server's estimate of Σ_k φ_k s_k (same layout as the device grids). `noise` null means σ² is
 * treated as 0 (no draws). For an `exact` design it is the weighted sum itself and no noise is drawn.
 */
export function applyDesign(
  ch: ChannelRealization,
  design: TransceiverDesign,
  ctx: Pick<DesignContext, 'phi' | 'sigma2'>,
  symbols: readonly Float64Array[],
  noise: Rng | null,
  opts: ApplyOptions = {},
): Float64Array {
  const S = design.S;
  const T = gridT(ch, S, symbols);
  if (design.exact) return weightedSum(symbols, ctx.phi);
  const path = opts.path ?? 'effective';
  if (path === 'receive') return applyReceive(ch, design, ctx.sigma2, symbols, noise, T);
  if (path !== 'effective') throw new UserInputError(`phy.receive_path: ${String(path)} is not allowed; expected 'effective' or 'receive'`, 'phy.receive_path');
  const { K, M } = ch;
  const out = new Float64Array(2 * T * M * S);
  const accumulate = (G: Float64Array, t0: number, t1: number) => {
    for (let k = 0; k < K; k++) {
      if (S === 4) accumulate4(G, k * M * 32, symbols[k]!, out, t0, t1, M);
      else if (S === 2) accumulate2(G, k * M * 8, symbols[k]!, out, t0, t1, M);
      else accumulateGeneric(G, k * M * 2 * S * S, symbols[k]!, out, t0, t1, M, S);
    }
  };
  const ev = ch.evolution;
  const nodes = ageingNodes(T, ev);
  if (nodes.length === 1) {
    const G = effectiveMatrices(ch, design).data;
    // S = 4: every device through the WebAssembly SIMD kernel (same bits as accumulate4)
    const simd = S === 4 ? simdCombiner(G, Array.from({ length: K }, (_, k) => k), M) : null;
    if (simd) for (let v0 = 0; v0 < T * M; v0 += SIMD_SYMBOLS * M) simd.block(symbols, out, v0, Math.min(T * M, v0 + SIMD_SYMBOLS * M));
    else accumulate(G, 0, T);
  } else {
    // channel ageing: symbol t sees G(t) = U_mᴴ H(t) V_{k,m} with the design of t = 0
    forEachSymbol(T, nodes, (t) => effectiveMatrices(ch, design, t === 0 ? ch.H : ev!.at(t * ev!.symbolS)).data, (t, G) => accumulate(G, t, t + 1));
  }
  if (noise && ctx.sigma2 > 0) addCombinedNoise(out, design, ctx.sigma2, M, T, noise);
  return out;
}

/**
 * out += Uᴴn for every (t, m), drawn as L_m z with z ~ CN(0, I_S) (in (t, m, s) order, one OFDM
 * symbol at a time) and L_m L_mᴴ = σ² U_mᴴ U_m.
 */
export function addCombinedNoise(out: Float64Array, design: TransceiverDesign, sigma2: number, M: number, T: number, noise: Rng): void {
  const S = design.S;
  const Lf = combinedNoiseFactors(design, sigma2, M).data;
  const z = new Float64Array(2 * M * S);
  for (let t = 0; t < T; t++) addNoiseSlice(out, Lf, z, S, M, t, noise);
}

/**
 * The combined noise of OFDM symbol t: draws z (2·M·S reals, CN(0, 1) entries) and adds L_m z_m to
 * the M vectors of symbol t. Successive calls continue one stream, so symbol by symbol gives the same
 * draws as one call for the whole grid.
 */
export function addNoiseSlice(out: Float64Array, Lf: Float64Array, z: Float64Array, S: number, M: number, t: number, noise: Rng): void {
  const S2 = 2 * S, SS2 = 2 * S * S;
  noise.fillComplexNormal(z, 1);
  for (let m = 0; m < M; m++) {
    const ol = m * SS2, ov = (t * M + m) * S2, oz = m * S2;
    for (let i = 0; i < S; i++) {
      let re = 0, im = 0;
      for (let j = 0; j < S; j++) {
        const lr = Lf[ol + 2 * (i * S + j)]!, li = Lf[ol + 2 * (i * S + j) + 1]!;
        const zr = z[oz + 2 * j]!, zi = z[oz + 2 * j + 1]!;
        re += lr * zr - li * zi;
        im += lr * zi + li * zr;
      }
      out[ov + 2 * i] += re;
      out[ov + 2 * i + 1] += im;
    }
  }
}

/** out[t, m] += G[m] s[t, m] for OFDM symbols t0 ≤ t < t1 and every subcarrier m (any S). */
function accumulateGeneric(G: Float64Array, g0: number, s: Float64Array, out: Float64Array, t0: number, t1: number, M: number, S: number): void {
  const SS2 = 2 * S * S, S2 = 2 * S;
  for (let t = t0; t < t1; t++) {
    const base = t * M * S2;
    for (let m = 0; m < M; m++) {
      const og = g0 + m * SS2, ov = base + m * S2;
      for (let i = 0; i < S; i++) {
        let re = 0, im = 0;
        const gi = og + i * S2;
        for (let j = 0; j < S; j++) {
          const gr = G[gi + 2 * j]!, gim = G[gi + 2 * j + 1]!;
          const xr = s[ov + 2 * j]!, xi = s[ov + 2 * j + 1]!;
          re += gr * xr - gim * xi;
          im += gr * xi + gim * xr;
        }
        out[ov + 2 * i] += re;
        out[ov + 2 * i + 1] += im;
      }
    }
  }
}

/** accumulateGeneric unrolled for S = 4 (about 2× faster in V8: the hot loop of a round). */
function accumulate4(G: Float64Array, g0: number, s: Float64Array, out: Float64Array, t0: number, t1: number, M: number): void {
  for (let t = t0; t < t1; t++) {
    const base = t * M * 8;
    for (let m = 0; m < M; m++) {
      const o = base + m * 8;
      let g = g0 + m * 32;
      const x0r = s[o]!, x0i = s[o + 1]!, x1r = s[o + 2]!, x1i = s[o + 3]!;
      const x2r = s[o + 4]!, x2i = s[o + 5]!, x3r = s[o + 6]!, x3i = s[o + 7]!;
      for (let i = 0; i < 8; i += 2, g += 8) {
        const a = G[g]!, b = G[g + 1]!, c = G[g + 2]!, d = G[g + 3]!;
        const e = G[g + 4]!, f = G[g + 5]!, h = G[g + 6]!, q = G[g + 7]!;
        out[o + i] += a * x0r - b * x0i + c * x1r - d * x1i + e * x2r - f * x2i + h * x3r - q * x3i;
        out[o + i + 1] += a * x0i + b * x0r + c * x1i + d * x1r + e * x2i + f * x2r + h * x3i + q * x3r;
      }
    }
  }
}

/** accumulateGeneric unrolled for S = 2. */
function accumulate2(G: Float64Array, g0: number, s: Float64Array, out: Float64Array, t0: number, t1: number, M: number): void {
  for (let t = t0; t < t1; t++) {
    const base = t * M * 4;
    for (let m = 0; m < M; m++) {
      const o = base + m * 4, g = g0 + m * 8;
      const x0r = s[o]!, x0i = s[o + 1]!, x1r = s[o + 2]!, x1i = s[o + 3]!;
      out[o] += G[g]! * x0r - G[g + 1]! * x0i + G[g + 2]! * x1r - G[g + 3]! * x1i;
      out[o + 1] += G[g]! * x0i + G[g + 1]! * x0r + G[g + 2]! * x1i + G[g + 3]! * x1r;
      out[o + 2] += G[g + 4]! * x0r - G[g + 5]! * x0i + G[g + 6]! * x1r - G[g + 7]! * x1i;
      out[o + 3] += G[g + 4]! * x0i + G[g + 5]! * x0r + G[g + 6]! * x1i + G[g + 7]! * x1r;
    }
  }
}

function applyReceive(ch: ChannelRealization, design: TransceiverDesign, sigma2: number, symbols: readonly Float64Array[], noise: Rng | null, T: number): Float64Array {
  const { K, M, Nr, Nt } = ch;
  const S = design.S;
  const V = design.V.data, U = design.U.data;
  const X = new Float64Array(2 * T * M * Nt);
  const Y = new Float64Array(2 * T * M * Nr);
  const ev = ch.evolution;
  const nodes = ageingNodes(T, ev);
  // precode symbols t0 ≤ t < t1 of device k into X (symbol t at (t − t0)·M·N_t)
  const precode = (k: number, t0: number, t1: number) => {
    const s = symbols[k]!;
    for (let t = t0; t < t1; t++) {
      for (let m = 0; m < M; m++) {
        const ov = (k * M + m) * 2 * Nt * S, os = (t * M + m) * 2 * S, ox = ((t - t0) * M + m) * 2 * Nt;
        for (let r = 0; r < Nt; r++) {
          let re = 0, im = 0;
          for (let j = 0; j < S; j++) {
            const vr = V[ov + 2 * (r * S + j)]!, vi = V[ov + 2 * (r * S + j) + 1]!;
            const xr = s[os + 2 * j]!, xi = s[os + 2 * j + 1]!;
            re += vr * xr - vi * xi;
            im += vr * xi + vi * xr;
          }
          X[ox + 2 * r] = re;
          X[ox + 2 * r + 1] = im;
        }
      }
    }
  };
  if (nodes.length === 1) {
    for (let k = 0; k < K; k++) {
      precode(k, 0, T);
      applyChannelFreq(ch, k, X, Y, true);
    }
  } else {
    // channel ageing: symbol t of every device goes through H(t)
    const xs = 2 * M * Nt, ys = 2 * M * Nr;
    const Xt = X.subarray(0, xs);
    forEachSymbol(T, nodes, (t) => (t === 0 ? ch.H.data : ev!.at(t * ev!.symbolS).data), (t, Ht) => {
      const cht = { ...ch, H: { ...ch.H, data: Ht } };
      for (let k = 0; k < K; k++) {
        precode(k, t, t + 1);
        applyChannelFreq(cht, k, Xt, Y.subarray(t * ys, (t + 1) * ys), true);
      }
    });
  }
  if (noise && sigma2 > 0) {
    const n = new Float64Array(2 * Nr);
    for (let t = 0; t < T; t++) {
      for (let m = 0; m < M; m++) {
        noise.fillComplexNormal(n, sigma2);
        const oy = (t * M + m) * 2 * Nr;
        for (let i = 0; i < 2 * Nr; i++) Y[oy + i] += n[i]!;
      }
    }
  }
  const out = new Float64Array(2 * T * M * S);
  for (let t = 0; t < T; t++) {
    for (let m = 0; m < M; m++) {
      const ou = m * 2 * Nr * S, oy = (t * M + m) * 2 * Nr, oo = (t * M + m) * 2 * S;
      for (let i = 0; i < S; i++) {
        let re = 0, im = 0;
        for (let r = 0; r < Nr; r++) {
          const ur = U[ou + 2 * (r * S + i)]!, ui = -U[ou + 2 * (r * S + i) + 1]!;
          const yr = Y[oy + 2 * r]!, yi = Y[oy + 2 * r + 1]!;
          re += ur * yr - ui * yi;
          im += ur * yi + ui * yr;
        }
        out[oo + 2 * i] = re;
        out[oo + 2 * i + 1] = im;
      }
    }
  }
  return out;
}

/** Σ|est − target|² over the first `n` interleaved reals (default: all), and Σ|target|². */
export function aggregateError(est: Float64Array, target: Float64Array, n = target.length): { err: number; ref: number } {
  let err = 0, ref = 0;
  for (let i = 0; i < n; i++) {
    const d = est[i]! - target[i]!;
    err += d * d;
    ref += target[i]! * target[i]!;
  }
  return { err, ref };
}

/** Per-subcarrier Σ_t ‖est − target‖² (for MSE checks against analyticMse · T). */
export function errorPerSubcarrier(est: Float64Array, target: Float64Array, M: number, S: number): Float64Array {
  const T = target.length / (2 * M * S);
  const out = new Float64Array(M);
  for (let t = 0; t < T; t++) {
    for (let m = 0; m < M; m++) {
      const o = (t * M + m) * 2 * S;
      let e = 0;
      for (let i = 0; i < 2 * S; i++) {
        const d = est[o + i]! - target[o + i]!;
        e += d * d;
      }
      out[m] += e;
    }
  }
  return out;
}
