/**
 * The S = 4 combining kernel of the fused round (fused.ts) as a tiny WebAssembly module with 128-bit
 * SIMD (linalg/wasm.ts assembles it): for a few OFDM symbols at a time and every vector v,
 *   out_v = Σ_k G_{k,m} x_{k,v}     (devices in index order, the running sum in memory)
 * with G_{k,m}/c_k laid out per entry (a, b) as [a, a, −b, b], so that
 *   [a, a]·[x_r, x_i] + [−b, b]·[x_i, x_r] = [a x_r − b x_i, a x_i + b x_r]
 * is one complex multiply-add per f64x2 pair. The products and sums are the scalar kernel's, in the
 * scalar kernel's order (row expression left to right, then added to the running sum over devices), so
 * the result is the same to the bit; V8 compiles each scalar typed-array access with an index and a
 * bounds check, which is what made the scalar loop slow. Each G_{k,m} is reused for nB OFDM symbols
 * while it is in L1. `simdKernel()` returns null where WebAssembly SIMD is unavailable (or turned off);
 * fused.ts then uses the scalar loop.
 */
import { Body, simdEnabled, wasmKernel, type WasmKernel } from '../../linalg/wasm.js';

export { setSimdEnabled } from '../../linalg/wasm.js';

// parameters and locals
const P_G = 0, P_X = 1, P_OUT = 2, P_NM = 3, P_NB = 4, P_NK = 5, P_GSTRIDE = 6, P_XSTRIDE = 7, P_XBSTRIDE = 8, P_OBSTRIDE = 9;
const NPARAMS = 10;
const L_M = 10, L_K = 11, L_B = 12, L_GP = 13, L_XP = 14, L_OP = 15;
const L_XA = 16; // 4 v128: [x_r, x_i] of stream j
const L_XS = 20; // 4 v128: [x_i, x_r]

/**
 * k(g, x, out, nM, nB, nK, gStride, xStride, xbStride, oStride):
 * for m < nM: for k < nK: for b < nB:
 *   out[b·oStride + m·64] += Σ_j G[k·gStride + m·512](row i, entry j) x[k·xStride + b·xbStride + m·64](j)
 * (byte offsets; rows summed left to right, then added to out). Loops test at the bottom: the caller
 * guarantees nM, nB, nK ≥ 1.
 */
function body(): Body {
  const c = new Body();
  const { LOOP, VOID, I32_ADD, I32_MUL, I32_SHL } = { LOOP: 0x03, VOID: 0x40, I32_ADD: 0x6a, I32_MUL: 0x6c, I32_SHL: 0x74 };
  c.i32(0).set(L_M).op(LOOP, VOID); // m
  c.i32(0).set(L_K).op(LOOP, VOID); // k
  // gp = g + k·gStride + m·512; xp = x + k·xStride + m·64; op = out + m·64
  c.get(P_G).get(L_K).get(P_GSTRIDE).op(I32_MUL, I32_ADD).get(L_M).i32(9).op(I32_SHL, I32_ADD).set(L_GP);
  c.get(P_X).get(L_K).get(P_XSTRIDE).op(I32_MUL, I32_ADD).get(L_M).i32(6).op(I32_SHL, I32_ADD).set(L_XP);
  c.get(P_OUT).get(L_M).i32(6).op(I32_SHL, I32_ADD).set(L_OP);
  c.i32(0).set(L_B).op(LOOP, VOID); // b
  for (let j = 0; j < 4; j++) c.get(L_XP).load(16 * j).tee(L_XA + j).get(L_XA + j).swap().set(L_XS + j);
  for (let i = 0; i < 4; i++) {
    c.get(L_OP); // store address
    c.get(L_OP).load(16 * i); // running sum
    for (let j = 0; j < 4; j++) {
      const e = (i * 4 + j) * 32; // entry (i, j): [a, a] then [−b, b]
      c.get(L_GP).load(e).get(L_XA + j).mul();
      if (j > 0) c.add();
      c.get(L_GP).load(e + 16).get(L_XS + j).mul().add();
    }
    c.add().store(16 * i);
  }
  c.get(L_XP).get(P_XBSTRIDE).op(I32_ADD).set(L_XP);
  c.get(L_OP).get(P_OBSTRIDE).op(I32_ADD).set(L_OP);
  c.next(L_B, 1, P_NB);
  c.next(L_K, 1, P_NK);
  c.next(L_M, 1, P_NM);
  return c;
}

let cached: WasmKernel | null | undefined;

export function simdKernel(): WasmKernel | null {
  if (!simdEnabled()) return null;
  if (cached === undefined) cached = wasmKernel(NPARAMS, { i32: 6, v128: 8 }, body());
  return cached;
}

/** Combines vectors v0 ≤ v < v1 (v0 at the start of an OFDM symbol, at most SIMD_SYMBOLS symbols) of `xs` into out. */
export interface SimdCombiner {
  block(xs: readonly Float64Array[], out: Float64Array, v0: number, v1: number): void;
}

/** OFDM symbols combined per call of the SIMD kernel: each G_{k,m} is reused this often while in L1. */
export const SIMD_SYMBOLS = 4;

/**
 * The S = 4 combining Σ_k G_{k,m} x_{k,v} of the devices `active` (in that order; G: K·M matrices
 * 4 × 4, index k·M + m) through the kernel, or null where it is unavailable. Memory: [G as
 * [a, a, −b, b] per entry, active devices × M × 16 entries][SIMD_SYMBOLS OFDM symbols of every active
 * device's x][the output of those symbols]. Each block of x is copied in
 * (it is read once either way), combined, and the sums written to `out` (which must hold zeros there):
 * the same bits as the scalar loops of fused.ts and apply.ts. The memory is the kernel's one memory:
 * a combiner is valid until the next simdCombiner call (each round builds its own, then finishes).
 */
export function simdCombiner(G: Float64Array, active: readonly number[], M: number): SimdCombiner | null {
  const kernel = simdKernel();
  if (!kernel) return null;
  const nA = active.length, B = SIMD_SYMBOLS;
  const gDoubles = nA * M * 64, xDoubles = nA * B * M * 8;
  if (!kernel.ensure(8 * (gDoubles + xDoubles + B * M * 8))) return null;
  const mem = kernel.f64;
  for (let a = 0; a < nA; a++) {
    const g0 = active[a]! * M * 32;
    for (let e = 0; e < M * 16; e++) {
      const re = G[g0 + 2 * e]!, im = G[g0 + 2 * e + 1]!;
      const o = a * M * 64 + 4 * e;
      mem[o] = re;
      mem[o + 1] = re;
      mem[o + 2] = -im;
      mem[o + 3] = im;
    }
  }
  const xBase = gDoubles, outBase = gDoubles + xDoubles;
  const gStride = M * 512, xStride = B * M * 64, symStride = M * 64;
  return {
    // vectors v0 ≤ v < v1 (v0 at the start of an OFDM symbol, at most B symbols)
    block(updates, out, v0, v1) {
      const n = v1 - v0, full = Math.floor(n / M), rem = n - full * M;
      for (let a = 0; a < nA; a++) mem.set(updates[active[a]!]!.subarray(8 * v0, 8 * v1), xBase + a * B * M * 8);
      mem.fill(0, outBase, outBase + 8 * n);
      if (full > 0) kernel.run(0, 8 * xBase, 8 * outBase, M, full, nA, gStride, xStride, symStride, symStride);
      if (rem > 0) kernel.run(0, 8 * (xBase + full * M * 8), 8 * (outBase + full * M * 8), rem, 1, nA, gStride, xStride, symStride, symStride);
      out.set(mem.subarray(outBase, outBase + 8 * n), 8 * v0);
    },
  };
}

