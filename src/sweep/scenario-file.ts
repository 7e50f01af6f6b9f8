/**
 * Reading a scenario file for sweeps and figures-all. The YAML is parsed here; the project's
 * scenario resolver (schema, defaults) is applied when one is registered with
 * `setScenarioResolver` (the lead wires src/scenario's loader in), so sweep paths are checked
 * against the scenario as resolved. The `sweep:` and `figures:` sections are validated here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UserInputError } from '../errors.js';
import { figuresSection } from '../scenario/sections/figures.js';
import { parseSweep } from './grid.js';

export type ScenarioResolver = (raw: Record<string, unknown>, file: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

let resolver: ScenarioResolver | undefined;

/** Install the project's scenario resolver (validation + defaults). It must keep `sweep:` and `figures:`. */
export function setScenarioResolver(r: ScenarioResolver | undefined): void {
  resolver = r;
}

export async function loadScenarioFile(file: string): Promise<Record<string, unknown>> {
  if (!existsSync(file)) throw new UserInputError(`scenario file '${file}' does not exist`, 'file');
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserInputError(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`, 'file');
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserInputError(`${file}: a scenario is a YAML mapping (key: value lines)`, 'file');
  }
  const obj = raw as Record<string, unknown>;
  if (obj.sweep !== undefined) parseSweep(obj.sweep);
  if (obj.figures !== undefined) {
    const r = figuresSection.safeParse(obj.figures);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new UserInputError(`${file}: figures.${i.path.join('.')}: ${i.message}`, `figures.${i.path.join('.')}`);
    }
  }
  if (!resolver) return obj;
  const { sweep, figures, ...rest } = obj;
  const resolved = { ...(await resolver(rest, file)) };
  if (sweep !== undefined) resolved.sweep = sweep;
  if (figures !== undefined) resolved.figures = figures;
  return resolved;
}
