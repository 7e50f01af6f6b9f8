/**
 * Choose and start the TensorFlow.js backend.
 *
 * 'auto' is the tested path and nothing else: wasm (SIMD, one thread in Node) with our kernel fixes,
 * whose matrix products run in the native OpenBLAS addon when it is built and in XNNPACK otherwise.
 * It never looks for @tensorflow/tfjs-node, even when that optional package is installed: CI cannot
 * install it (its install downloads libtensorflow), so no test has run on it, and its results differ
 * from wasm in the last bits. tfjs-node runs only when asked ('node': --backend node, AIRLORA_BACKEND=node,
 * or a scenario's `backend: node`), with a one-line notice saying so. 'cpu' is pure JavaScript (~35x
 * slower than wasm). On wasm the process-wide error handlers the emscripten module installs are removed.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../errors.js';
import { registerCpuKernelFixes, registerWasmKernelFixes } from './kernels/register.js';
import { registerGradientFixes } from './gradients/batch_matmul_grad.js';
import { matMulEngine, setNativeMatMul } from './kernels/batch_matmul.js';
import { blasConfig, blasThreads, loadNativeBlas, nativeBlasError } from './native.js';

export const BACKEND_CHOICES = ['auto', 'wasm', 'node', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** tfjs's own names: tfjs-node registers itself as 'tensorflow'. */
export type RunningBackend = 'wasm' | 'tensorflow' | 'cpu';
/** Where matrix products run: the native addon or XNNPACK on wasm; tfjs's own kernels elsewhere. */
export type MatMulEngine = 'openblas' | 'xnnpack' | 'tfjs';

/** Environment variable that chooses the backend when the caller leaves it at 'auto'. */
export const BACKEND_ENV = 'AIRLORA_BACKEND';

export interface InitBackendOptions {
  /**
   * Default 'auto'. 'auto' defers to AIRLORA_BACKEND when that is set, so pin 'wasm' (tests do) to
   * be independent of the environment.
   */
  backend?: BackendChoice;
  /** Do not print the one-line "tfjs backend: ..." line on stderr (the tfjs-node notice is always printed). */
  quiet?: boolean;
  /**
   * On wasm, run float32 matrix products in the native BLAS addon when it is built (default
   * true; AIRLORA_NATIVE=0 also turns it off). Results then differ from pure wasm in the last bits.
   */
  native?: boolean;
}

/** What computes a run's numbers; the lead's run manifests record it (engines differ in the last bits). */
export interface BackendInfo {
  backend: RunningBackend;
  matmul_engine: MatMulEngine;
  /**
   * Threads of the matrix-product engine: OpenBLAS's thread count (AIRLORA_BLAS_THREADS); 1 for
   * XNNPACK in wasm and for cpu; null on tfjs-node, where libtensorflow decides.
   */
  threads: number | null;
  /** With OpenBLAS: its version and the kernel family it runs (results differ in the last bits between kernels). */
  blas_config?: string;
  /** Why the native addon is not used on wasm, when it is not. */
  native_note?: string;
}

/** What runs now. Results are reproducible bit for bit for a fixed BackendInfo on one machine. */
export function backendInfo(): BackendInfo {
  const backend = tf.getBackend() as RunningBackend;
  if (backend === 'tensorflow') return { backend, matmul_engine: 'tfjs', threads: null };
  if (backend !== 'wasm') return { backend, matmul_engine: 'tfjs', threads: 1 };
  if (matMulEngine() === 'openblas') return { backend, matmul_engine: 'openblas', threads: blasThreads(), blas_config: blasConfig() ?? 'unknown' };
  return { backend, matmul_engine: 'xnnpack', threads: 1, native_note: nativeBlasError() ?? 'native: false' };
}

/** Validate a backend name; `field` names where it came from (default the `--backend` flag). */
export function parseBackendFlag(value: string, field = '--backend'): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new UserInputError(
    `${field}: unknown backend '${value}' (allowed: ${BACKEND_CHOICES.join(', ')})`,
    field,
  );
}

/**
 * The backend to start, by precedence: an explicit flag (anything but 'auto'), then AIRLORA_BACKEND,
 * then the scenario's `backend` key, then 'auto'. For commands that read a scenario.
 */
export function resolveBackendChoice(
  flag: BackendChoice | undefined, scenario?: BackendChoice, env: NodeJS.ProcessEnv = process.env,
): BackendChoice {
  if (flag && flag !== 'auto') return flag;
  const fromEnv = env[BACKEND_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return parseBackendFlag(fromEnv, BACKEND_ENV);
  return scenario ?? 'auto';
}

const NODE_PACKAGE = '@tensorflow/tfjs-node';
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
let wasmPathsSet = false;

/** Folder holding the .wasm binaries, resolved from this file so it works from src/ and dist/. */
export function wasmBinaryFolder(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve(WASM_PACKAGE)) + '/';
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
const GUARDED_EVENTS: ProcessEvent[] = ['uncaughtException', 'unhandledRejection'];

/**
 * Run `fn` and then remove any uncaughtException/unhandledRejection listener it added. The
 * emscripten glue in tfjs-backend-wasm adds handlers that rethrow, so an uncaught error would
 * print the whole minified module (~30 KB) instead of going through our CLI's error handling.
 */
export async function withoutNewProcessHandlers<T>(fn: () => Promise<T>): Promise<T> {
  const listeners = (e: ProcessEvent): Function[] => process.listeners(e as 'uncaughtException');
  const before = new Map(GUARDED_EVENTS.map((e) => [e, new Set(listeners(e))]));
  try {
    return await fn();
  } finally {
    for (const e of GUARDED_EVENTS) {
      for (const l of listeners(e)) {
        if (!before.get(e)!.has(l)) process.removeListener(e as 'uncaughtException', l as () => void);
      }
    }
  }
}

/** Imports tfjs-node (registers 'tensorflow'); only ever called when 'node' was asked for. */
async function tryNode(): Promise<boolean> {
  try {
    const name: string = NODE_PACKAGE; // a variable: the package is optional, keep tsc from resolving it
    await import(name);
  } catch {
    return false;
  }
  return await tf.setBackend('tensorflow');
}

async function tryWasm(native: boolean): Promise<boolean> {
  return await withoutNewProcessHandlers(async () => {
    const wasm = (await import(WASM_PACKAGE)) as typeof import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      wasm.setWasmPaths(wasmBinaryFolder());
      wasmPathsSet = true;
    }
    registerWasmKernelFixes();
    setNativeMatMul(native ? loadNativeBlas() : null);
    const ok = await tf.setBackend('wasm');
    if (ok) await tf.ready();
    return ok;
  });
}

function describe(name: string): string {
  if (name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT' as never) ? 'SIMD' : 'no SIMD';
    const mm = matMulEngine() === 'openblas' ? `matmul: native OpenBLAS, ${blasThreads()} thread(s)` : 'matmul: XNNPACK';
    return `wasm (${simd}, 1 thread, ${mm})`;
  }
  if (name === 'tensorflow') return 'tensorflow (tfjs-node, native)';
  return `${name} (pure JavaScript, slow)`;
}

/** Printed whenever tfjs-node starts, quiet or not: results from it are not what CI checks. */
export const NODE_NOTICE =
  '[airlora] note: backend node (tfjs-node) is not covered by CI; its results differ from the default wasm engine in the last bits';

/**
 * Start the backend and return the name of the one actually running. Safe to call again:
 * switching backends keeps tensors of the old one alive (tfjs moves them on read).
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<RunningBackend> {
  const choice = resolveBackendChoice(parseBackendFlag(opts.backend ?? 'auto'));
  tf.env().set('PROD', true); // also silences the "install tfjs-node" banner
  registerGradientFixes();
  registerCpuKernelFixes();
  if (choice === 'node') {
    if (!(await tryNode())) {
      throw new UserInputError(
        `--backend: backend 'node' (asked by the flag, ${BACKEND_ENV} or the scenario) needs the optional package ${NODE_PACKAGE}, which is not installed or failed to load ` +
          `(allowed here: ${BACKEND_CHOICES.filter((c) => c !== 'node').join(', ')})`,
        '--backend',
      );
    }
    process.stderr.write(NODE_NOTICE + '\n');
  } else if (choice === 'cpu') {
    if (!(await tf.setBackend('cpu'))) throw new Error(`tfjs backend 'cpu' failed to initialise`);
  } else if (!(await tryWasm(opts.native ?? true))) {
    // 'auto' and 'wasm': a silent fall-back to cpu would change results, so say so instead.
    throw new Error(`tfjs backend 'wasm' failed to initialise (--backend cpu runs without it, ~35x slower)`);
  }
  await tf.ready();
  const name = tf.getBackend() as RunningBackend;
  if (!opts.quiet) process.stderr.write(`[airlora] tfjs backend: ${describe(name)}\n`);
  return name;
}
