/**
 * Reading scenario files: YAML → zod validation → the resolved scenario (defaults filled in).
 * Every failure is a UserInputError whose message names the file, the field path, the value and what
 * is allowed (the CLI prints it and exits 2).
 */
import { readFileSync, statSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { UserInputError } from '../errors.js';
import { issueLines, scenarioError } from './errors.js';
import { scenarioSchema, type Scenario } from './schema.js';

export type { Scenario } from './schema.js';

/** Largest scenario file read (a scenario is a page of YAML; this keeps a wrong path from eating memory). */
export const MAX_SCENARIO_BYTES = 1 << 20;
/** Aliases a scenario may expand (YAML anchors); more is an alias bomb. */
const MAX_ALIASES = 100;

/** Validate an already-parsed object (e.g. from JSON or a notebook). */
export function resolveScenario(input: unknown, sourceName = 'scenario'): Scenario {
  const r = scenarioSchema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  throw scenarioError(sourceName, issueLines(r.error.issues, input, scenarioSchema));
}

/** Parse scenario YAML into its raw mapping (not validated: the run kind's resolve() validates it). */
export function parseScenarioText(text: string, sourceName = 'scenario'): Record<string, unknown> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const where = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    throw new UserInputError(`${sourceName}: not valid YAML${where}: ${e.message.split('\n')[0]}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    // 'Excessive alias count' (an alias bomb), a cyclic alias, or nesting too deep to expand
    throw new UserInputError(`${sourceName}: not valid YAML: ${(e as Error).message.split('\n')[0]} (anchors and aliases may expand at most ${MAX_ALIASES} times)`);
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data) && Object.getPrototypeOf(data) !== Object.prototype && Object.getPrototypeOf(data) !== null) {
    throw new UserInputError(`${sourceName}: a scenario is a YAML mapping (key: value lines) at the top level; found a tagged value (${(data as object).constructor?.name ?? 'object'})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UserInputError(`${sourceName}: a scenario is a YAML mapping (key: value lines) at the top level; found ${data === null ? 'an empty document' : Array.isArray(data) ? 'a list' : typeof data}`);
  }
  return data as Record<string, unknown>;
}

export function parseScenario(text: string, sourceName = 'scenario'): Scenario {
  return resolveScenario(parseScenarioText(text, sourceName), sourceName);
}

/** The scenario file as written (a YAML mapping), before validation. */
export function readScenarioFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > MAX_SCENARIO_BYTES) throw new UserInputError(`${path}: ${size} bytes is not a scenario file (at most ${MAX_SCENARIO_BYTES} bytes)`, 'FILE');
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UserInputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserInputError(`${path}: cannot read the scenario file (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`, 'FILE');
  }
  return parseScenarioText(text, path);
}

/** Read and validate a scenario file. */
export function loadScenario(path: string): Scenario {
  return resolveScenario(readScenarioFile(path), path);
}
