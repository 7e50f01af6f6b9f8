/**
 * Choose and start the TensorFlow.js backend.
 *
 * 'auto' prefers @tensorflow/tfjs-node (an optional dependency: its install downloads
 * libtensorflow and fails offline), then wasm (SIMD, one thread in Node), then cpu (~35x slower
 * than wasm). On wasm our kernel fixes are registered first (see kernels/register.ts), and the
 * process-wide error handlers that the emscripten module installs are removed again.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../errors.js';
import { registerCpuKernelFixes, registerWasmKernelFixes } from './kernels/register.js';
import { registerGradientFixes } from './gradients/batch_matmul_grad.js';
import { matMulEngine, setNativeMatMul } from './kernels/batch_matmul.js';
import { loadNativeBlas, nativeBlasError } from './native.js';

export const BACKEND_CHOICES = ['auto', 'wasm', 'node', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
/** tfjs's own names: tfjs-node registers itself as 'tensorflow'. */
export type RunningBackend = 'wasm' | 'tensorflow' | 'cpu';

export interface InitBackendOptions {
  backend?: BackendChoice;
  /** Do not print the one-line "tfjs backend: ..." notice on stderr. */
  quiet?: boolean;
  /**
   * On wasm, run float32 matrix products in the native BLAS addon when it is built (default
   * true; AIRLORA_NATIVE=0 also turns it off). Results then differ from pure wasm in the last bits.
   */
  native?: boolean;
}

export interface BackendInfo {
  backend: RunningBackend;
  /** Where wasm's matrix products run; 'tfjs' on the other backends. */
  matmul: 'openblas' | 'xnnpack' | 'tfjs';
  /** Why the native addon is not used, when it is not. */
  nativeNote?: string;
}

/** What runs now: for run manifests (results differ in the last bits between engines). */
export function backendInfo(): BackendInfo {
  const backend = tf.getBackend() as RunningBackend;
  if (backend !== 'wasm') return { backend, matmul: 'tfjs' };
  const matmul = matMulEngine();
  return matmul === 'openblas' ? { backend, matmul } : { backend, matmul, nativeNote: nativeBlasError() ?? 'native: false' };
}

/** Validate a `--backend` flag value. */
export function parseBackendFlag(value: string): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new UserInputError(
    `--backend: unknown backend '${value}' (allowed: ${BACKEND_CHOICES.join(', ')})`,
    '--backend',
  );
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
    const mm = matMulEngine() === 'openblas' ? 'matmul: native OpenBLAS' : 'matmul: XNNPACK';
    return `wasm (${simd}, 1 thread, ${mm})`;
  }
  if (name === 'tensorflow') return 'tensorflow (tfjs-node, native)';
  return `${name} (pure JavaScript, slow)`;
}

/**
 * Start the backend and return the name of the one actually running. Safe to call again:
 * switching backends keeps tensors of the old one alive (tfjs moves them on read).
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<RunningBackend> {
  const choice = parseBackendFlag(opts.backend ?? 'auto');
  tf.env().set('PROD', true); // also silences the "install tfjs-node" banner
  registerGradientFixes();
  registerCpuKernelFixes();
  let ok = false;
  if (choice === 'auto' || choice === 'node') {
    ok = await tryNode();
    if (!ok && choice === 'node') {
      throw new UserInputError(
        `--backend: 'node' needs the optional package ${NODE_PACKAGE}, which is not installed or failed to load ` +
          `(allowed here: ${BACKEND_CHOICES.filter((c) => c !== 'node').join(', ')})`,
        '--backend',
      );
    }
  }
  if (!ok && (choice === 'auto' || choice === 'wasm')) {
    ok = await tryWasm(opts.native ?? true);
    if (!ok && choice === 'wasm') throw new Error(`tfjs backend 'wasm' failed to initialise`);
  }
  if (!ok) {
    ok = await tf.setBackend('cpu');
    if (!ok) throw new Error(`tfjs backend 'cpu' failed to initialise`);
  }
  await tf.ready();
  const name = tf.getBackend() as RunningBackend;
  if (!opts.quiet) process.stderr.write(`[airlora] tfjs backend: ${describe(name)}\n`);
  return name;
}
