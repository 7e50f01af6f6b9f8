/** TensorFlow.js backend selection and our wasm kernel fixes. */
export {
  BACKEND_CHOICES, BACKEND_ENV, backendInfo, initBackend, NODE_NOTICE, parseBackendFlag, resolveBackendChoice,
  wasmBinaryFolder, withoutNewProcessHandlers,
  type BackendChoice, type BackendInfo, type InitBackendOptions, type MatMulEngine, type RunningBackend,
} from './backend.js';
export { MissingKernelError, requireKernels, translateTfError, withKernelErrors } from './errors.js';
export {
  originalCpuKernels, originalWasmKernels, registerCpuKernelFixes, registerWasmKernelFixes,
  withOriginalWasmKernels,
} from './kernels/register.js';
export { batchMatMulGradConfig, registerGradientFixes } from './gradients/batch_matmul_grad.js';
export { matMulEngine, setNativeMatMul } from './kernels/batch_matmul.js';
export {
  BLAS_THREADS_ENV, blasConfig, blasThreads, DEFAULT_BLAS_THREADS, loadNativeBlas, nativeBlasError, NATIVE_ADDON_PATH, setBlasThreads,
  threadsFromEnv, type NativeBlas,
} from './native.js';
