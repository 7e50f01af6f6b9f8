/** TensorFlow.js backend selection and our wasm kernel fixes. */
export {
  BACKEND_CHOICES, backendInfo, initBackend, parseBackendFlag, wasmBinaryFolder, withoutNewProcessHandlers,
  type BackendChoice, type BackendInfo, type InitBackendOptions, type RunningBackend,
} from './backend.js';
export { MissingKernelError, requireKernels, translateTfError, withKernelErrors } from './errors.js';
export {
  originalCpuKernels, originalWasmKernels, registerCpuKernelFixes, registerWasmKernelFixes,
  withOriginalWasmKernels,
} from './kernels/register.js';
export { batchMatMulGradConfig, registerGradientFixes } from './gradients/batch_matmul_grad.js';
export { matMulEngine, setNativeMatMul } from './kernels/batch_matmul.js';
export { loadNativeBlas, nativeBlasError, NATIVE_ADDON_PATH, type NativeBlas } from './native.js';
