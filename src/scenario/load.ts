/**
 * Reading scenario files: YAML → zod validation → the resolved scenario (defaults filled in).
 * Every failure is a UserInputError whose message names the file, the field path, the value and what
 * is allowed (the CLI prints it and exits 2).
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { UserInputError } from '../errors.js';
import { issueLines, scenarioError } from './errors.js';
import { scenarioSchema, type Scenario } from './schema.js';

export type { Scenario } from './schema.js';

/** Validate an already-parsed object (e.g. from JSON or a notebook). */
export function resolveScenario(input: unknown, sourceName = 'scenario'): Scenario {
  const r = scenarioSchema.safeParse(input, { reportInput: true });
  if (r.success) return r.data;
  throw scenarioError(sourceName, issueLines(r.error.issues, input, scenarioSchema));
}

export function parseScenario(text: string, sourceName = 'scenario'): Scenario {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const where = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    throw new UserInputError(`${sourceName}: not valid YAML${where}: ${e.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UserInputError(`${sourceName}: a scenario is a YAML mapping (key: value lines) at the top level; found ${data === null ? 'an empty document' : Array.isArray(data) ? 'a list' : typeof data}`);
  }
  return resolveScenario(data, sourceName);
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserInputError(`${path}: cannot read the scenario file (${code === 'ENOENT' ? 'no such file' : code ?? String(e)})`, 'FILE');
  }
  return parseScenario(text, path);
}
