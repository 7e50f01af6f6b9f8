/**
 * The S = 4 combining kernel of the fused round (fused.ts) as a tiny WebAssembly module with 128-bit
 * SIMD (two doubles per lane pair): for every vector v of one OFDM symbol,
 *   out_v = Σ_k G_{k,v} x_{k,v}     (devices in index order, summed in registers)
 * with G_{k,v}/c_k laid out per entry (a, b) as [a, a, −b, b], so that
 *   [a, a]·[x_r, x_i] + [−b, b]·[x_i, x_r] = [a x_r − b x_i, a x_i + b x_r]
 * is one complex multiply-add per f64x2 pair. The products and sums are the scalar kernel's, in the
 * scalar kernel's order (row expression left to right, then added to the running sum over devices), so
 * the result is the same to the bit; V8 compiles each scalar typed-array access with an index and a
 * bounds check, which is what made the scalar loop slow.
 *
 * The module is assembled here from its bytes (no toolchain, no file): one function
 *   k(g, x, out, nM, nB, nK, gStride, xStride, xbStride, oStride)
 * over a memory the caller fills with a few OFDM symbols of every active device at a time (see body()).
 * `simdKernel()` returns null where WebAssembly SIMD is unavailable (or it is turned off); fused.ts
 * then uses the scalar loop.
 */

/** unsigned LEB128 */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** signed LEB128 (i32.const) */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// opcodes
const LOCAL_GET = 0x20, LOCAL_SET = 0x21;
const I32_CONST = 0x41, I32_ADD = 0x6a, I32_LT_U = 0x49, I32_SHL = 0x74;
const LOOP = 0x03, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const I32 = 0x7f, V128 = 0x7b;
const simd = (op: number) => [0xfd, ...uleb(op)];
const V128_LOAD = 0x00, V128_STORE = 0x0b, SHUFFLE = 0x0d, F64X2_ADD = 240, F64X2_MUL = 242;

// parameters and locals
const P_G = 0, P_X = 1, P_OUT = 2, P_NM = 3, P_NB = 4, P_NK = 5, P_GSTRIDE = 6, P_XSTRIDE = 7, P_XBSTRIDE = 8, P_OBSTRIDE = 9;
const NPARAMS = 10;
const L_M = 10, L_K = 11, L_B = 12, L_GP = 13, L_XP = 14, L_OP = 15;
const L_XA = 16; // 4 v128: [x_r, x_i] of stream j
const L_XS = 20; // 4 v128: [x_i, x_r]

/**
 * for m < nM: for k < nK: for b < nB:
 *   out[b·oStride + m·64] += Σ_j G[k·gStride + m·512](row i, entry j) x[k·xStride + b·xbStride + m·64](j)
 * (byte offsets; rows summed left to right, then added to out, which holds the running sum over k).
 * Every G_{k,m} is used for nB OFDM symbols while it is in L1.
 */
function body(): number[] {
  const c: number[] = [];
  const get = (i: number) => c.push(LOCAL_GET, ...uleb(i));
  const set = (i: number) => c.push(LOCAL_SET, ...uleb(i));
  const tee = (i: number) => c.push(0x22, ...uleb(i));
  const i32 = (n: number) => c.push(I32_CONST, ...sleb(n));
  const load = (offset: number) => c.push(...simd(V128_LOAD), 4, ...uleb(offset));
  const store = (offset: number) => c.push(...simd(V128_STORE), 4, ...uleb(offset));
  const add = () => c.push(...simd(F64X2_ADD));
  const mul = () => c.push(...simd(F64X2_MUL));
  // loops test at the bottom: the caller guarantees nM, nB, nK ≥ 1
  i32(0); set(L_M);
  c.push(LOOP, VOID); // m
  {
    i32(0); set(L_K);
    c.push(LOOP, VOID); // k
    {
      // gp = g + k·gStride + m·512
      get(P_G); get(L_K); get(P_GSTRIDE); c.push(0x6c /* i32.mul */, I32_ADD); get(L_M); i32(9); c.push(I32_SHL, I32_ADD); set(L_GP);
      // xp = x + k·xStride + m·64, op = out + m·64
      get(P_X); get(L_K); get(P_XSTRIDE); c.push(0x6c, I32_ADD); get(L_M); i32(6); c.push(I32_SHL, I32_ADD); set(L_XP);
      get(P_OUT); get(L_M); i32(6); c.push(I32_SHL, I32_ADD); set(L_OP);
      i32(0); set(L_B);
      c.push(LOOP, VOID); // b
      {
        for (let j = 0; j < 4; j++) {
          get(L_XP); load(16 * j); tee(L_XA + j);
          get(L_XA + j);
          c.push(...simd(SHUFFLE), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
          set(L_XS + j);
        }
        for (let i = 0; i < 4; i++) {
          get(L_OP); // address for the store
          get(L_OP); load(16 * i); // running sum
          for (let j = 0; j < 4; j++) {
            const e = (i * 4 + j) * 32; // bytes of entry (i, j): [a, a] then [−b, b]
            get(L_GP); load(e); get(L_XA + j); mul();
            if (j > 0) add();
            get(L_GP); load(e + 16); get(L_XS + j); mul();
            add();
          }
          add();
          store(16 * i);
        }
        get(L_XP); get(P_XBSTRIDE); c.push(I32_ADD); set(L_XP);
        get(L_OP); get(P_OBSTRIDE); c.push(I32_ADD); set(L_OP);
        get(L_B); i32(1); c.push(I32_ADD); tee(L_B); get(P_NB);
        c.push(I32_LT_U, BR_IF, 0, END);
      }
      get(L_K); i32(1); c.push(I32_ADD); tee(L_K); get(P_NK);
      c.push(I32_LT_U, BR_IF, 0, END);
    }
    get(L_M); i32(1); c.push(I32_ADD); tee(L_M); get(P_NM);
    c.push(I32_LT_U, BR_IF, 0, END);
  }
  c.push(END);
  // locals: 6 × i32 (m, k, b, gp, xp, op), 8 × v128 (xa, xs)
  const decl = [2, ...uleb(6), I32, ...uleb(8), V128];
  return [...uleb(decl.length + c.length), ...decl, ...c];
}

function moduleBytes(): Uint8Array {
  const type = [1, 0x60, NPARAMS, ...new Array(NPARAMS).fill(I32), 0];
  const imp = [1, ...str('e'), ...str('m'), 0x02, 0x00, ...uleb(1)];
  const func = [1, 0];
  const exp = [1, ...str('k'), 0x00, 0];
  const code = [1, ...body()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type), ...section(2, imp), ...section(3, func), ...section(7, exp), ...section(10, code),
  ]);
}

/** The assembled kernel and its memory (grown on demand; views re-made after growth). */
export interface SimdKernel {
  /** f64 view of the whole memory (re-read after `ensure`) */
  f64: Float64Array;
  /** make the memory at least `bytes` long */
  ensure(bytes: number): void;
  /** k(g, x, out, nM, nB, nK, gStride, xStride, xbStride, oStride): byte offsets and strides (see body()) */
  run(g: number, x: number, out: number, nM: number, nB: number, nK: number, gStride: number, xStride: number, xbStride: number, oStride: number): void;
}

let cached: SimdKernel | null | undefined;

/** The part of the WebAssembly JS API used here (the project's TypeScript lib has no DOM/wasm types). */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

let enabled = process.env.AIRLORA_NO_SIMD !== '1';

/** Turn the SIMD kernel off/on (tests compare both paths bit for bit; AIRLORA_NO_SIMD=1 starts it off). */
export function setSimdEnabled(on: boolean): void {
  enabled = on;
}

export function simdKernel(): SimdKernel | null {
  if (!enabled) return null;
  if (cached !== undefined) return cached;
  cached = null;
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return cached;
  try {
    const memory = new wasm.Memory({ initial: 1 });
    const instance = new wasm.Instance(new wasm.Module(moduleBytes()), { e: { m: memory } });
    const k = instance.exports.k as (...a: number[]) => void;
    const kernel: SimdKernel = {
      f64: new Float64Array(memory.buffer),
      ensure(bytes: number) {
        const have = memory.buffer.byteLength;
        if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
        if (kernel.f64.buffer !== memory.buffer) kernel.f64 = new Float64Array(memory.buffer);
      },
      run: (g, x, out, nM, nB, nK, gStride, xStride, xbStride, oStride) => k(g, x, out, nM, nB, nK, gStride, xStride, xbStride, oStride),
    };
    cached = kernel;
  } catch {
    cached = null; // no WebAssembly SIMD here: the scalar kernel is used
  }
  return cached;
}
