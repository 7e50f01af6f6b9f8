/**
 * Named error types shared by every layer.
 *
 * The CLI maps them to exit codes and one-line messages (no stack trace):
 *  - UserInputError  → exit 2 (bad scenario file, bad flag, bad value)
 *  - NumericalError  → exit 3 (NaN, singular matrix, divergence; NonFiniteResultError, DivergenceError)
 *  - EnvironmentError → exit 3 (the machine, not the input: disk full, read-only folder, out of memory)
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
  override readonly name: string = 'NumericalError';
  constructor(message: string, readonly context?: Record<string, unknown>) {
    super(message);
  }
}

/** Training left the region where it learns: loss above uniform guessing, non-finite or exploding updates. */
export class DivergenceError extends NumericalError {
  override readonly name: string = 'DivergenceError';
}

/**
 * A NaN or ±Infinity about to be written into a result file: refused so that no folder marked complete
 * holds one. Names the file, the column (or JSON path) and the row.
 */
export class NonFiniteResultError extends NumericalError {
  override readonly name: string = 'NonFiniteResultError';
  constructor(readonly file: string, readonly column: string, readonly row: number | undefined, readonly value: number) {
    super(`${file}: ${column}${row !== undefined ? ` in row ${row}` : ''} is ${value}; a result holds finite numbers only (the run is not marked complete)`,
      { file, column, row, value });
  }
}

/** The environment failed, not the input (disk full, permissions, read-only file system): exit 3. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  constructor(message: string, readonly code?: string) {
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
