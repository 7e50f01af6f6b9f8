/** Flag parsing shared by the commands (integers, with the flag named in errors). */
import { UserInputError } from '../../errors.js';

export function parseIntFlag(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min) {
    throw new UserInputError(`${flag}: '${v}' is not allowed; expected an integer ≥ ${min}`, flag);
  }
  return n;
}
