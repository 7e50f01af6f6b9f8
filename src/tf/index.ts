/** TensorFlow.js backend selection and our wasm kernel fixes. */
export {
  BACKEND_CHOICES, initBackend, parseBackendFlag, wasmBinaryFolder, withoutNewProcessHandlers,
  type BackendChoice, type InitBackendOptions, type RunningBackend,
} from './backend.js';
export { MissingKernelError, requireKernels, translateTfError, withKernelErrors } from './errors.js';
export {
  originalCpuKernels, originalWasmKernels, registerCpuKernelFixes, registerWasmKernelFixes,
  withOriginalWasmKernels,
} from './kernels/register.js';
export { batchMatMulGradConfig, registerGradientFixes } from './gradients/batch_matmul_grad.js';
