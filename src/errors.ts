/**
 * Named error types shared by every layer.
 *
 * The CLI maps them to exit codes and one-line messages (no stack trace):
 *  - UserInputError  → exit 2 (bad scenario file, bad flag, bad value)
 *  - NumericalError  → exit 3 (NaN, singular matrix, divergence)
 * Anything else is a bug and keeps its stack trace.
 */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
  /** `field` is the dotted path of the offending input, e.g. `phy.antennas.server`. */
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

export class NumericalError extends Error {
  override readonly name = 'NumericalError';
  constructor(message: string, readonly context?: Record<string, unknown>) {
    super(message);
  }
}

/** Throw a NumericalError if any entry of `a` is NaN or ±Infinity. */
export function assertFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (!Number.isFinite(v)) {
      throw new NumericalError(`${what}: non-finite value ${v} at index ${i}`);
    }
  }
}
