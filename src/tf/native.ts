/**
 * Optional native matrix products: `native/blas.c`, a small N-API addon over the system CBLAS
 * (OpenBLAS: `apt-get install libopenblas-dev`), built at `npm install` by
 * `scripts/build-native.mjs` when the library is there. The wasm backend's BatchMatMul kernel
 * hands it Float32Array views of the wasm heap, so operands are neither copied in nor out.
 * Measured here (AVX-512, one thread): 50–175 GFLOP/s against 5–36 for XNNPACK in wasm.
 *
 * `AIRLORA_NATIVE=0` disables it. `AIRLORA_BLAS_THREADS` sets OpenBLAS's threads (default 1: sweeps
 * and federated runs are already parallel across worker threads, and the rest of a training step runs
 * on the one wasm thread anyway). Any fixed thread count is reproducible bit for bit: OpenBLAS splits
 * the output among threads and every element keeps the same summation order (see docs/backend.md).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserInputError } from '../errors.js';

export interface NativeBlas {
  /** C_i = op(A_i)·op(B_i) for i < batch, row-major; offsets and strides in float32 elements, stride 0 broadcasts. */
  sgemmBatch(
    heap: Float32Array, aOff: number, bOff: number, cOff: number, batch: number, m: number, n: number, k: number,
    transA: number, transB: number, strideA: number, strideB: number, strideC: number,
  ): void;
  setThreads(n: number): void;
  getThreads(): number;
  config(): string;
}

/** Where the build script puts the addon, relative to this file (src/tf/ or dist/tf/). */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../build/Release/airlora_blas.node', import.meta.url));

let cached: NativeBlas | null | undefined;
let loadError: string | undefined;

/** The addon, or null when it is not built, fails to load, or AIRLORA_NATIVE=0. Loaded once. */
export function loadNativeBlas(): NativeBlas | null {
  if (cached !== undefined) return cached;
  if (process.env.AIRLORA_NATIVE === '0') {
    loadError = 'disabled by AIRLORA_NATIVE=0';
    cached = null;
    return null;
  }
  if (!existsSync(NATIVE_ADDON_PATH)) {
    loadError = `not built (${NATIVE_ADDON_PATH} missing; apt-get install libopenblas-dev, then npm run build:native)`;
    cached = null;
    return null;
  }
  const threads = threadsFromEnv(); // a bad value stops here, before anything is cached
  cached = null;
  try {
    const blas = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativeBlas;
    blas.setThreads(threads);
    cached = blas;
  } catch (e) {
    loadError = `failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
  return cached;
}

/** Why loadNativeBlas() returned null (undefined when it loaded or was not tried). */
export function nativeBlasError(): string | undefined {
  return loadError;
}

export const BLAS_THREADS_ENV = 'AIRLORA_BLAS_THREADS';
export const DEFAULT_BLAS_THREADS = 1;
const MAX_BLAS_THREADS = 256;

/** AIRLORA_BLAS_THREADS as a positive integer (default 1); anything else is a UserInputError. */
export function threadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[BLAS_THREADS_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_BLAS_THREADS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BLAS_THREADS) {
    throw new UserInputError(
      `${BLAS_THREADS_ENV}: '${raw}' is not a thread count (allowed: an integer from 1 to ${MAX_BLAS_THREADS}; default ${DEFAULT_BLAS_THREADS})`,
      BLAS_THREADS_ENV,
    );
  }
  return n;
}

/** OpenBLAS's thread count now (1 when the addon is not loaded). */
export function blasThreads(): number {
  return cached ? cached.getThreads() : 1;
}

/** Change OpenBLAS's thread count for the rest of the process (benchmarks, tests); needs the addon. */
export function setBlasThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_BLAS_THREADS) throw new RangeError(`setBlasThreads: ${n} is not a thread count`);
  const blas = loadNativeBlas();
  if (!blas) throw new Error(`setBlasThreads: the native BLAS addon is not loaded (${nativeBlasError()})`);
  blas.setThreads(n);
}

/**
 * OpenBLAS's build and the kernel family it runs, e.g. "OpenBLAS 0.3.21 ... Cooperlake MAX_THREADS=64"
 * (undefined without the addon). OpenBLAS picks the family for the CPU at load time unless
 * OPENBLAS_CORETYPE names one; results differ in the last bits between families.
 */
export function blasConfig(): string | undefined {
  return cached ? cached.config().trim() : undefined;
}
