/**
 * The delay-line → frequency transform of mobility.ts (tapsToFrequencyExact),
 *   H[k·M + m] = Σ_l taps[k·L + l] e^{−j2π m Δf τ_l},
 * as a WebAssembly SIMD kernel (assembled by linalg/wasm.ts). With the phase (c, s) of (l, m) stored
 * as [c, c] and [−s, s], each complex entry is [c, c]·[a, b] + [−s, s]·[b, a] = [ca − sb, cb + sa],
 * added to the running sum in tap order: the scalar loop's products and sums in the scalar loop's
 * order, so the same bits. A moving channel evaluates this at every ageing node of every upload
 * (K·M·L·N_r·N_t complex multiply-adds each), which made it the cost of a mobile round.
 */
import { Body, simdEnabled, wasmKernel, type WasmKernel } from '../../linalg/wasm.js';

const P_T = 0, P_PH = 1, P_OUT = 2, P_K = 3, P_M = 4, P_L = 5, P_E = 6;
const L_K = 7, L_M = 8, L_L = 9, L_J = 10, L_OP = 11, L_TP = 12, L_PP = 13, L_A = 14, L_EB = 15;
const V_C = 16, V_S = 17, V_V = 18;

/**
 * k(taps, ph, out, K, M, L, E) (byte offsets; E complex entries per matrix):
 * for k < K: for m < M: for l < L: out(k·M + m) += phase(l·M + m) ⊙ taps(k·L + l), entry by entry.
 */
function body(): Body {
  const c = new Body();
  const LOOP = 0x03, VOID = 0x40, ADD = 0x6a, MUL = 0x6c, SHL = 0x74;
  c.get(P_E).i32(4).op(SHL).set(L_EB); // bytes per matrix
  c.i32(0).set(L_K).op(LOOP, VOID);
  c.i32(0).set(L_M).op(LOOP, VOID);
  c.get(P_OUT).get(L_K).get(P_M).op(MUL).get(L_M).op(ADD).get(L_EB).op(MUL, ADD).set(L_OP);
  c.i32(0).set(L_L).op(LOOP, VOID);
  c.get(P_T).get(L_K).get(P_L).op(MUL).get(L_L).op(ADD).get(L_EB).op(MUL, ADD).set(L_TP);
  c.get(P_PH).get(L_L).get(P_M).op(MUL).get(L_M).op(ADD).i32(5).op(SHL, ADD).tee(L_PP).load(0).set(V_C);
  c.get(L_PP).load(16).set(V_S);
  c.i32(0).set(L_J).op(LOOP, VOID);
  c.get(L_OP).get(L_J).op(ADD).tee(L_A); // store address
  c.get(L_A).load(0); // running sum
  c.get(L_TP).get(L_J).op(ADD).load(0).tee(V_V).get(V_C).mul();
  c.get(V_V).get(V_V).swap().get(V_S).mul().add();
  c.add().store(0);
  c.next(L_J, 16, L_EB);
  c.next(L_L, 1, P_L);
  c.next(L_M, 1, P_M);
  c.next(L_K, 1, P_K);
  return c;
}

let cached: WasmKernel | null | undefined;

function kernel(): WasmKernel | null {
  if (!simdEnabled()) return null;
  if (cached === undefined) cached = wasmKernel(7, { i32: 9, v128: 3 }, body());
  return cached;
}

/**
 * Hd = the transform of the K·L tap matrices T (E complex entries each) with phases cos/sin (index
 * l·M + m); false (nothing written) where the SIMD kernel is unavailable.
 */
export function tapsToFrequencySimd(T: Float64Array, K: number, L: number, M: number, E: number, cos: Float64Array, sin: Float64Array, Hd: Float64Array): boolean {
  const kern = kernel();
  if (!kern || K < 1 || L < 1 || M < 1 || E < 1) return false;
  const tapsD = 2 * K * L * E, phD = 4 * L * M, outD = 2 * K * M * E;
  if (!kern.ensure(8 * (tapsD + phD + outD))) return false;
  const mem = kern.f64;
  mem.set(T.subarray(0, tapsD), 0);
  for (let i = 0; i < L * M; i++) {
    const o = tapsD + 4 * i, cv = cos[i]!, sv = sin[i]!;
    mem[o] = cv;
    mem[o + 1] = cv;
    mem[o + 2] = -sv;
    mem[o + 3] = sv;
  }
  const outBase = tapsD + phD;
  mem.fill(0, outBase, outBase + outD);
  kern.run(0, 8 * tapsD, 8 * outBase, K, M, L, E);
  Hd.set(mem.subarray(outBase, outBase + outD));
  return true;
}
