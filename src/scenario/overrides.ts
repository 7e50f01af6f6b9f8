/**
 * `--set path=value` overrides (repeatable, on every command that reads a scenario): the value is
 * YAML-typed (`--set phy.snr_db=10`, `--set aggregation=[ideal,zf]`, `--set lora.target_modules=[query]`)
 * and set at the dotted path of the scenario as written, which is then validated like the file. Paths
 * through `__proto__`, `constructor` or `prototype` are refused.
 */
import { parse } from 'yaml';
import { UserInputError } from '../errors.js';

export interface SetOverride {
  path: string;
  value: unknown;
  /** as given on the command line */
  text: string;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Parse one `path=value`. */
export function parseSet(text: string): SetOverride {
  const i = text.indexOf('=');
  if (i <= 0) throw new UserInputError(`--set: '${text}' is not path=value (e.g. --set phy.snr_db=10)`, '--set');
  const path = text.slice(0, i).trim();
  const segs = path.split('.');
  if (segs.some((s) => s === '' || !/^[\w-]+$/.test(s))) {
    throw new UserInputError(`--set: '${path}' is not a dotted path of scenario keys (letters, digits, _ and -; e.g. fl.rounds)`, '--set');
  }
  const bad = segs.find((s) => FORBIDDEN.has(s));
  if (bad) throw new UserInputError(`--set: '${path}': '${bad}' is not a scenario key`, '--set');
  let value: unknown;
  try {
    value = parse(text.slice(i + 1), { maxAliasCount: 0 });
  } catch (e) {
    throw new UserInputError(`--set ${path}: the value is not valid YAML (${(e as Error).message.split('\n')[0]})`, '--set');
  }
  return { path, value: value === undefined ? null : value, text };
}

/** The scenario (a copy) with the overrides applied in order; sections are created as needed. */
export function applySets(raw: Record<string, unknown>, sets: readonly SetOverride[]): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const { path, value } of sets) {
    const segs = path.split('.');
    let o: Record<string, unknown> = out;
    for (const [j, k] of segs.slice(0, -1).entries()) {
      const next = Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
      if (next === undefined || next === null) o[k] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) {
        throw new UserInputError(`--set ${path}: '${segs.slice(0, j + 1).join('.')}' is a value, not a section`, '--set');
      }
      o = o[k] as Record<string, unknown>;
    }
    o[segs[segs.length - 1]!] = value;
  }
  return out;
}

/** Commander collector for a repeatable `--set`. */
export function collectSet(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
