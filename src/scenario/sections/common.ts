/** Small zod building blocks shared by section schemas (with allowed-value wording for error messages). */
import { z } from 'zod';

export const posInt = z.number({ error: 'an integer ≥ 1' }).int({ error: 'an integer ≥ 1' }).min(1, { error: 'an integer ≥ 1' });
export const unit = z.number({ error: 'a number in [0, 1]' }).min(0, { error: 'a number in [0, 1]' }).max(1, { error: 'a number in [0, 1]' });
export const finite = z.number({ error: 'a finite number' });
export const nonNeg = z.number({ error: 'a number ≥ 0' }).min(0, { error: 'a number ≥ 0' });
export const positive = z.number({ error: 'a number > 0' }).positive({ error: 'a number > 0' });

/**
 * `superRefine(fn, { when: structurallyValid })`: run a cross-field rule only when every field it reads
 * parsed (zod runs refinements after non-aborting issues too, when a field may still hold the raw,
 * wrong-typed input, e.g. `antennas.server: 0` instead of a list).
 */
export const structurallyValid = { when: (payload: { issues: readonly unknown[] }): boolean => payload.issues.length === 0 };

/** A number or a non-empty list of numbers (a sweep); resolves to a list. */
export function oneOrList<T extends z.ZodType<number>>(item: T, what: string) {
  return z
    .union([item, z.array(item, { error: `${what}, or a non-empty list of them` }).min(1, { error: `${what}, or a non-empty list of them` })], {
      error: `${what}, or a non-empty list of them`,
    })
    .transform((v): number[] => (Array.isArray(v) ? v : [v]));
}
