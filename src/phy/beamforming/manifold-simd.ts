/**
 * The two channel products of the per-subcarrier manifold optimiser (manifold-subcarrier.ts) for
 * S = 2 as WebAssembly SIMD kernels (linalg/wasm.ts): A_k = H_kᴴ X for every device (the line search)
 * and G += coef · H_k B (the gradient). The subcarrier's channels are stored once per subcarrier with
 * every entry h = (h_r, h_i) as [h_r, h_r] and [h_i, −h_i], so that
 *   conj(h)·x = [h_r, h_r]·[x_r, x_i] + [h_i, −h_i]·[x_i, x_r]
 *   h·b       = [h_r, h_r]·[b_r, b_i] − [h_i, −h_i]·[b_i, b_r]
 * are one f64x2 multiply-add each, in the order of the scalar loops (the same bits; tested).
 */
import { Body, simdEnabled, wasmKernel, type WasmKernel } from '../../linalg/wasm.js';

const LOOP = 0x03, VOID = 0x40, ADD = 0x6a, MUL = 0x6c, SHL = 0x74;
const F64X2_SUB = 241;

/**
 * ah(hs, x, out, K, Nr, Nt): out[(k·Nt + c)·2 + j] = Σ_r conj(H_k[r][c]) X[r][j], j = 0, 1
 * (hs: K·Nr·Nt entries of 32 bytes; x: Nr × 2 complex; out: K·Nt × 2 complex; byte offsets).
 */
function ahBody(): Body {
  const P_HS = 0, P_X = 1, P_OUT = 2, P_K = 3, P_NR = 4, P_NT = 5;
  const L_K = 6, L_C = 7, L_R = 8, L_HP = 9, L_XP = 10, L_OP = 11, L_HSTEP = 12;
  const V_A0 = 13, V_A1 = 14, V_HR = 15, V_HI = 16, V_X = 17;
  const c = new Body();
  c.get(P_NT).i32(5).op(SHL).set(L_HSTEP); // bytes per row of H_k
  c.get(P_OUT).set(L_OP);
  c.i32(0).set(L_K).op(LOOP, VOID);
  c.i32(0).set(L_C).op(LOOP, VOID);
  // hp = hs + ((k·Nr)·Nt + c)·32
  c.get(P_HS).get(L_K).get(P_NR).op(MUL).get(P_NT).op(MUL).get(L_C).op(ADD).i32(5).op(SHL, ADD).set(L_HP);
  c.get(P_X).set(L_XP);
  c.simd(12, ...new Array(16).fill(0)).set(V_A0); // v128.const 0
  c.simd(12, ...new Array(16).fill(0)).set(V_A1);
  c.i32(0).set(L_R).op(LOOP, VOID);
  c.get(L_HP).load(0).set(V_HR).get(L_HP).load(16).set(V_HI);
  for (const [j, acc] of [[0, V_A0], [1, V_A1]] as const) {
    c.get(acc);
    c.get(V_HR).get(L_XP).load(16 * j).tee(V_X).mul();
    c.get(V_HI).get(V_X).get(V_X).swap().mul().add();
    c.add().set(acc);
  }
  c.get(L_HP).get(L_HSTEP).op(ADD).set(L_HP);
  c.get(L_XP).i32(32).op(ADD).set(L_XP);
  c.next(L_R, 1, P_NR);
  c.get(L_OP).get(V_A0).store(0);
  c.get(L_OP).get(V_A1).store(16);
  c.get(L_OP).i32(32).op(ADD).set(L_OP);
  c.next(L_C, 1, P_NT);
  c.next(L_K, 1, P_K);
  return c;
}

/**
 * hb(hk, b, g, coef, Nr, Nt): G[r][j] += coef · Σ_c H_k[r][c] B[c][j], j = 0, 1
 * (hk: Nr·Nt entries of 32 bytes; b: Nt × 2 complex; g: Nr × 2 complex; coef: [coef, coef]).
 */
function hbBody(): Body {
  const P_HK = 0, P_B = 1, P_G = 2, P_COEF = 3, P_NR = 4, P_NT = 5;
  const L_R = 6, L_C = 7, L_HP = 8, L_BP = 9, L_GP = 10;
  const V_A0 = 11, V_A1 = 12, V_HR = 13, V_HI = 14, V_X = 15, V_COEF = 16;
  const c = new Body();
  c.get(P_COEF).load(0).set(V_COEF);
  c.get(P_HK).set(L_HP);
  c.get(P_G).set(L_GP);
  c.i32(0).set(L_R).op(LOOP, VOID);
  c.simd(12, ...new Array(16).fill(0)).set(V_A0);
  c.simd(12, ...new Array(16).fill(0)).set(V_A1);
  c.get(P_B).set(L_BP);
  c.i32(0).set(L_C).op(LOOP, VOID);
  c.get(L_HP).load(0).set(V_HR).get(L_HP).load(16).set(V_HI);
  for (const [j, acc] of [[0, V_A0], [1, V_A1]] as const) {
    c.get(acc);
    c.get(V_HR).get(L_BP).load(16 * j).tee(V_X).mul();
    c.get(V_HI).get(V_X).get(V_X).swap().mul().simd(F64X2_SUB);
    c.add().set(acc);
  }
  c.get(L_HP).i32(32).op(ADD).set(L_HP);
  c.get(L_BP).i32(32).op(ADD).set(L_BP);
  c.next(L_C, 1, P_NT);
  // G[r] += coef · acc
  c.get(L_GP).get(L_GP).load(0).get(V_COEF).get(V_A0).mul().add().store(0);
  c.get(L_GP).get(L_GP).load(16).get(V_COEF).get(V_A1).mul().add().store(16);
  c.get(L_GP).i32(32).op(ADD).set(L_GP);
  c.next(L_R, 1, P_NR);
  return c;
}

/** Both kernels over one subcarrier's channels (written into each kernel's memory). */
export class ManifoldSimd {
  private readonly hsD: number;
  private readonly xD: number;
  private readonly outD: number;

  private constructor(
    private readonly ah: WasmKernel, private readonly hb: WasmKernel,
    private readonly K: number, private readonly Nr: number, private readonly Nt: number,
  ) {
    this.hsD = 4 * K * Nr * Nt;
    this.xD = this.hsD; // X (Nr × 2 complex) after the channels
    this.outD = this.xD + 4 * Nr;
  }

  /** ah memory: [channels][X][A]; hb memory: [channels][B: Nt × 2][G: Nr × 2][coef] */
  private fits(): boolean {
    return this.ah.ensure(8 * (this.outD + 4 * this.K * this.Nt)) && this.hb.ensure(8 * (this.hsD + 4 * this.Nt + 4 * this.Nr + 2));
  }

  static create(K: number, Nr: number, Nt: number): ManifoldSimd | null {
    if (!simdEnabled()) return null;
    ahKernel ??= wasmKernel(6, { i32: 7, v128: 5 }, ahBody());
    hbKernel ??= wasmKernel(6, { i32: 5, v128: 6 }, hbBody());
    if (!ahKernel || !hbKernel) return null;
    const sim = new ManifoldSimd(ahKernel, hbKernel, K, Nr, Nt);
    return sim.fits() ? sim : null;
  }

  /** Store subcarrier m's channels H_k (K·M matrices Nr × Nt in H, index k·M + m). */
  setSubcarrier(H: Float64Array, M: number, m: number): void {
    const { K, Nr, Nt } = this;
    const hs = 2 * Nr * Nt;
    for (const mem of [this.ah.f64, this.hb.f64]) {
      for (let k = 0; k < K; k++) {
        const oh = (k * M + m) * hs, os = 4 * k * Nr * Nt;
        for (let e = 0; e < Nr * Nt; e++) {
          const hr = H[oh + 2 * e]!, hi = H[oh + 2 * e + 1]!;
          mem[os + 4 * e] = hr;
          mem[os + 4 * e + 1] = hr;
          mem[os + 4 * e + 2] = hi;
          mem[os + 4 * e + 3] = -hi;
        }
      }
    }
  }

  /** A[k·4·Nt ..] = H_kᴴ X for every device (X: Nr × 2 complex). */
  productAH(X: Float64Array, A: Float64Array): void {
    const mem = this.ah.f64;
    mem.set(X, this.xD);
    this.ah.run(0, 8 * this.xD, 8 * this.outD, this.K, this.Nr, this.Nt);
    A.set(mem.subarray(this.outD, this.outD + 4 * this.K * this.Nt));
  }

  /** Start a gradient: G = 0. */
  gradientStart(): void {
    const g = this.hsD + 4 * this.Nt;
    this.hb.f64.fill(0, g, g + 4 * this.Nr);
  }

  /** G += coef · H_k B (B: Nt × 2 complex at B[ob ..]). */
  addHB(k: number, B: Float64Array, coef: number): void {
    const mem = this.hb.f64, { Nr, Nt } = this;
    const b = this.hsD, g = b + 4 * Nt, cf = g + 4 * Nr;
    mem.set(B.subarray(0, 4 * Nt), b);
    mem[cf] = coef;
    mem[cf + 1] = coef;
    this.hb.run(8 * 4 * k * Nr * Nt, 8 * b, 8 * g, 8 * cf, Nr, Nt);
  }

  /** G (Nr × 2 complex) into out. */
  gradientEnd(out: Float64Array): void {
    const g = this.hsD + 4 * this.Nt;
    out.set(this.hb.f64.subarray(g, g + 4 * this.Nr));
  }
}

let ahKernel: WasmKernel | null | undefined;
let hbKernel: WasmKernel | null | undefined;
