/**
 * Reading a scenario file for sweeps and figures-all. The YAML is parsed here and resolved by the
 * project's scenario schema (src/scenario: validation + defaults, `sweep:` and `figures:` are
 * sections of it), so sweep paths are checked against the scenario as resolved. Scenarios with an
 * explicit `kind:` (e.g. the synthetic `demo` runner) are outside that schema and kept as written;
 * `setScenarioResolver` replaces this choice.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UserInputError } from '../errors.js';
import { resolveScenario } from '../scenario/load.js';
import { figuresSection } from '../scenario/sections/figures.js';
import { applySets, parseSet } from '../scenario/overrides.js';
import { parseSweep } from './grid.js';

export type ScenarioResolver = (raw: Record<string, unknown>, file: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

let resolver: ScenarioResolver | undefined;

/** Replace the scenario resolver (validation + defaults); it must keep `sweep:` and `figures:`. */
export function setScenarioResolver(r: ScenarioResolver | undefined): void {
  resolver = r;
}

export interface LoadedScenario {
  /** The scenario as written (sweeps set grid values here; each job is then resolved on its own). */
  raw: Record<string, unknown>;
  /** The scenario as resolved (defaults filled in): sweep paths are checked against it. */
  resolved: Record<string, unknown>;
}

/** Validate each sweep job's scenario the way the file was validated (so bad grid values fail early). */
export async function resolveJobScenario(s: Record<string, unknown>, name: string): Promise<Record<string, unknown>> {
  if (resolver) return resolver(s, name);
  return s.kind === undefined ? (resolveScenario(s, name) as unknown as Record<string, unknown>) : s;
}

/** Read a scenario file; `sets` are `--set path=value` overrides applied before validation. */
export async function loadScenarioFile(file: string, sets: readonly string[] = []): Promise<LoadedScenario> {
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
  const obj = sets.length ? applySets(raw as Record<string, unknown>, sets.map(parseSet)) : (raw as Record<string, unknown>);
  if (obj.sweep !== undefined) parseSweep(obj.sweep);
  if (obj.figures !== undefined) {
    const r = figuresSection.safeParse(obj.figures);
    if (!r.success) {
      const i = r.error.issues[0]!;
      throw new UserInputError(`${file}: figures.${i.path.join('.')}: ${i.message}`, `figures.${i.path.join('.')}`);
    }
  }
  return { raw: obj, resolved: await resolveJobScenario(obj, file) };
}
