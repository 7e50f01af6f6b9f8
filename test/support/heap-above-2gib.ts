/**
 * Child process of test/tf.backend.test.ts: the products of heap-products.ts with every operand,
 * output and gradient above 2 GiB in the wasm heap (byte offsets that do not fit a signed 32-bit
 * integer). A fresh heap gets a 2 GiB block reserved at its bottom, so every later allocation lands
 * above it; the block is never written, so it costs address space, not memory. Prints one JSON line:
 * per matmul engine, the digest and lowest offset, or the error.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadNativeBlas, matMulEngine, setNativeMatMul } from '../../src/tf/index.js';
import { asWasmBackend } from '../../src/tf/wasm_internals.js';
import { productsDigest } from './heap-products.js';

await initBackend({ backend: 'wasm', quiet: true });
const w = asWasmBackend(tf.backend()).wasm;
const reserved = w._malloc(2 ** 31 + 2 ** 24) >>> 0; // emscripten returns pointers as signed int32
const engines: Record<string, unknown> = {};
for (const e of loadNativeBlas() ? ['openblas', 'xnnpack'] : ['xnnpack']) {
  setNativeMatMul(e === 'openblas' ? loadNativeBlas() : null);
  try {
    engines[e] = { engine: matMulEngine(), ...productsDigest() };
  } catch (err) {
    engines[e] = { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}
w._free(reserved);
process.stdout.write(JSON.stringify({ heapBytes: w.HEAPU8.buffer.byteLength, engines }) + '\n');
