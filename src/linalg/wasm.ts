/**
 * A minimal WebAssembly assembler for the few SIMD kernels of the hot loops (aircomp/fused-simd.ts,
 * channel/frequency-simd.ts): encodes one exported function over one imported memory, instantiates
 * it synchronously, and hands back the function with a growable f64 view of the memory. Kernels are
 * written as opcode lists in TypeScript, so the project needs no toolchain and ships no binary file.
 * `wasmKernel` returns null where WebAssembly SIMD is unavailable or turned off (setSimdEnabled /
 * AIRLORA_NO_SIMD=1); callers then run their scalar loop, which gives the same bits.
 */

/** unsigned LEB128 */
export function uleb(n: number): number[] {
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
export function sleb(n: number): number[] {
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

/** opcodes used by the kernels */
export const OP = {
  LOCAL_GET: 0x20, LOCAL_SET: 0x21, LOCAL_TEE: 0x22,
  I32_CONST: 0x41, I32_ADD: 0x6a, I32_MUL: 0x6c, I32_LT_U: 0x49, I32_SHL: 0x74,
  LOOP: 0x03, BR_IF: 0x0d, END: 0x0b, VOID: 0x40,
  I32: 0x7f, V128: 0x7b,
} as const;
/** SIMD opcodes (after the 0xfd prefix) */
export const SIMD = { V128_LOAD: 0x00, V128_STORE: 0x0b, SHUFFLE: 0x0d, F64X2_ADD: 240, F64X2_MUL: 242 } as const;

/** A function body under construction: instruction helpers over a byte list. */
export class Body {
  readonly c: number[] = [];
  get(i: number): this { this.c.push(OP.LOCAL_GET, ...uleb(i)); return this; }
  set(i: number): this { this.c.push(OP.LOCAL_SET, ...uleb(i)); return this; }
  tee(i: number): this { this.c.push(OP.LOCAL_TEE, ...uleb(i)); return this; }
  i32(n: number): this { this.c.push(OP.I32_CONST, ...sleb(n)); return this; }
  op(...b: number[]): this { this.c.push(...b); return this; }
  simd(op: number, ...imm: number[]): this { this.c.push(0xfd, ...uleb(op), ...imm); return this; }
  /** v128.load / v128.store at the address on the stack plus `offset` bytes (16-byte aligned) */
  load(offset: number): this { return this.simd(SIMD.V128_LOAD, 4, ...uleb(offset)); }
  store(offset: number): this { return this.simd(SIMD.V128_STORE, 4, ...uleb(offset)); }
  add(): this { return this.simd(SIMD.F64X2_ADD); }
  mul(): this { return this.simd(SIMD.F64X2_MUL); }
  /** two copies of [a, b] on the stack → [b, a] (i8x16.shuffle of the first operand's halves) */
  swap(): this { return this.simd(SIMD.SHUFFLE, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7); }
  /** local = local + step; br_if 0 while local < limit (a bottom-tested loop) */
  next(local: number, step: number | { local: number }, limit: number): this {
    this.get(local);
    if (typeof step === 'number') this.i32(step); else this.get(step.local);
    return this.op(OP.I32_ADD).tee(local).get(limit).op(OP.I32_LT_U, OP.BR_IF, 0, OP.END);
  }
}

function moduleBytes(nParams: number, locals: { i32: number; v128: number }, body: Body): Uint8Array {
  const type = [1, 0x60, nParams, ...new Array(nParams).fill(OP.I32), 0];
  const imp = [1, ...str('e'), ...str('m'), 0x02, 0x00, ...uleb(1)];
  const decl = [2, ...uleb(locals.i32), OP.I32, ...uleb(locals.v128), OP.V128];
  const code = [1, ...uleb(decl.length + body.c.length + 1), ...decl, ...body.c, OP.END];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, type), ...section(2, imp), ...section(3, [1, 0]), ...section(7, [1, ...str('k'), 0x00, 0]), ...section(10, code),
  ]);
}

/** An instantiated kernel and its memory (grown on demand; the view is re-made after growth). */
export interface WasmKernel {
  /** f64 view of the whole memory (re-read after `ensure`) */
  f64: Float64Array;
  /** make the memory at least `bytes` long; false when it cannot grow (callers fall back to their scalar loop) */
  ensure(bytes: number): boolean;
  /** the kernel; arguments are i32 (byte offsets, counts, strides) */
  run: (...args: number[]) => void;
}

/** The part of the WebAssembly JS API used here (the project's TypeScript lib has no wasm types). */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

let enabled = process.env.AIRLORA_NO_SIMD !== '1';

/** Turn the SIMD kernels off/on (tests compare both paths bit for bit; AIRLORA_NO_SIMD=1 starts them off). */
export function setSimdEnabled(on: boolean): void {
  enabled = on;
}

export function simdEnabled(): boolean {
  return enabled;
}

/** Assemble and instantiate; null where WebAssembly (SIMD) is unavailable. */
export function wasmKernel(nParams: number, locals: { i32: number; v128: number }, body: Body): WasmKernel | null {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return null;
  try {
    const memory = new wasm.Memory({ initial: 1 });
    const instance = new wasm.Instance(new wasm.Module(moduleBytes(nParams, locals, body)), { e: { m: memory } });
    const run = instance.exports.k as (...a: number[]) => void;
    const kernel: WasmKernel = {
      f64: new Float64Array(memory.buffer),
      ensure(bytes: number) {
        const have = memory.buffer.byteLength;
        try {
          if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
        } catch {
          return false; // beyond the 4 GiB of a wasm32 memory, or out of memory
        }
        if (kernel.f64.buffer !== memory.buffer) kernel.f64 = new Float64Array(memory.buffer);
        return true;
      },
      run,
    };
    return kernel;
  } catch {
    return null; // no WebAssembly SIMD here
  }
}
