/** Flag parsing shared by the commands (integers, --set overrides; the flag named in errors). */
import { UserInputError } from '../../errors.js';
import { readScenarioFile } from '../../scenario/load.js';
import { applySets, collectSet, parseSet } from '../../scenario/overrides.js';

export function parseIntFlag(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min) {
    throw new UserInputError(`${flag}: '${v}' is not allowed; expected an integer ≥ ${min}`, flag);
  }
  return n;
}


export { collectSet };

/** The scenario file as written, with the `--set path=value` overrides applied (not yet validated). */
export function scenarioWithSets(file: string, sets: readonly string[] | undefined): Record<string, unknown> {
  const raw = readScenarioFile(file);
  return sets && sets.length ? applySets(raw, sets.map(parseSet)) : raw;
}

/** What the manifest records of the command line's overrides. */
export function overridesRecord(flags: { set?: string[]; rounds?: string; trials?: string; seed?: string }): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (flags.set?.length) o['set'] = [...flags.set];
  for (const k of ['rounds', 'trials', 'seed'] as const) if (flags[k] !== undefined) o[k] = Number(flags[k]);
  return o;
}

/**
 * `--rounds`, `--trials`, `--seed` as `--set` overrides at the paths the scenario's run kind uses for them
 * (commands that take a raw scenario file and no lifecycle overrides: sweep, design).
 */
export async function flagSets(raw: Record<string, unknown>, flags: { rounds?: string; trials?: string; seed?: string }): Promise<string[]> {
  const { loadRunner, runnerKindOf } = await import('../../runs/registry.js');
  const { overrideSets } = await import('../../runs/lifecycle.js');
  return overrideSets(await loadRunner(runnerKindOf(raw)), overridesFrom(flags)).map((o) => o.text);
}

/** The overrides every run-like command takes. */
export function overridesFrom(flags: { rounds?: string; trials?: string; seed?: string }): { rounds?: number; trials?: number; seed?: number } {
  const o: { rounds?: number; trials?: number; seed?: number } = {};
  const rounds = parseIntFlag(flags.rounds, '--rounds', 1);
  const trials = parseIntFlag(flags.trials, '--trials', 1);
  const seed = parseIntFlag(flags.seed, '--seed', 0);
  if (rounds !== undefined) o.rounds = rounds;
  if (trials !== undefined) o.trials = trials;
  if (seed !== undefined) o.seed = seed;
  return o;
}
