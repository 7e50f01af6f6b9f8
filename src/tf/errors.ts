/**
 * A tfjs kernel that the running backend does not provide. tfjs itself throws a plain Error
 * ("Kernel 'X' not registered for backend 'Y'"); `translateTfError` turns that into this named
 * error so callers can say which backend to switch to.
 */
import * as tf from '@tensorflow/tfjs';

export class MissingKernelError extends Error {
  override readonly name = 'MissingKernelError';
  constructor(readonly kernels: string[], readonly backend: string) {
    super(
      `tfjs kernel${kernels.length > 1 ? 's' : ''} ${kernels.map((k) => `'${k}'`).join(', ')} ` +
        `not available on backend '${backend}' (try --backend cpu)`,
    );
  }
}

/** Throw MissingKernelError if any of `kernels` is not registered for the running backend. */
export function requireKernels(kernels: readonly string[], backend: string = tf.getBackend()): void {
  const missing = kernels.filter((k) => tf.getKernel(k, backend) === undefined);
  if (missing.length > 0) throw new MissingKernelError(missing, backend);
}

const NOT_REGISTERED = /Kernel '([^']+)' not registered for backend '([^']+)'/;

/** Map tfjs's "Kernel 'X' not registered" error to MissingKernelError; anything else unchanged. */
export function translateTfError(e: unknown): unknown {
  if (e instanceof Error && !(e instanceof MissingKernelError)) {
    const m = NOT_REGISTERED.exec(e.message);
    if (m) return new MissingKernelError([m[1]!], m[2]!);
  }
  return e;
}

/** Run `fn`, rethrowing a missing-kernel failure as MissingKernelError. */
export function withKernelErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw translateTfError(e);
  }
}
