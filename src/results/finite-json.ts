/**
 * JSON for result files. `JSON.stringify` silently turns NaN and ±Infinity into `null`, which hides
 * a numerical failure in a folder that looks complete; here they are refused with a
 * NonFiniteResultError naming the file and the JSON path, except the two defined cases of csv.ts
 * (−Infinity in a `*_db` key, ±Infinity in a `*_low`/`*_high` bound), which become null.
 */
import { NonFiniteResultError } from '../errors.js';
import { nonFiniteAllowed } from './csv.js';

export function finiteJson(value: unknown, file: string, indent?: number): string {
  const paths = new WeakMap<object, string>();
  return JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    const parent = typeof this === 'object' && this !== null ? paths.get(this) : undefined;
    const path = parent === undefined ? key : Array.isArray(this) ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
    if (typeof v === 'number' && !Number.isFinite(v)) {
      if (nonFiniteAllowed(key, v) === null) return null;
      throw new NonFiniteResultError(file, path || '(top level)', undefined, v);
    }
    if (typeof v === 'object' && v !== null) paths.set(v, path);
    return v;
  }, indent);
}
