/**
 * zod issues → one readable UserInputError: every line names the field path (phy.antennas.server,
 * aggregation[1].threshold), the value found, and what is allowed.
 */
import type { z } from 'zod';
import { UserInputError } from '../errors.js';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

export function formatPath(path: readonly PathKey[]): string {
  let s = '';
  for (const p of path) {
    // eslint-disable-next-line no-control-regex
    const k = typeof p === 'string' && /[\u0000-\u001f\u007f]/.test(p) ? JSON.stringify(p) : String(p);
    if (typeof p === 'number') s += `[${p}]`;
    else s += s ? `.${k}` : k;
  }
  return s || '(top level)';
}

function valueAt(root: unknown, path: readonly PathKey[]): { found: boolean; value: unknown } {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !(p in (v as object))) return { found: false, value: undefined };
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return { found: true, value: v };
}

export function showValue(v: unknown): string {
  if (typeof v === 'string') {
    // control characters (newline, NUL) escaped, long text cut: the message stays one readable line
    // eslint-disable-next-line no-control-regex
    const t = /[\u0000-\u001f\u007f]/.test(v) ? JSON.stringify(v).slice(1, -1) : v;
    return t.length > 80 ? `'${t.slice(0, 60)}...' (${v.length} characters)` : `'${t}'`;
  }
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v); // JSON would say null
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

/** Keys an object schema accepts at `path` (unwrapping defaults, optionals, pipes, unions, arrays). */
export function allowedKeys(schema: z.ZodType, path: readonly PathKey[]): string[] {
  let nodes: unknown[] = [schema];
  const unwrap = (n: unknown): unknown[] => {
    const def = (n as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def) return [];
    switch (def.type) {
      case 'optional': case 'default': case 'prefault': case 'nullable': case 'readonly': case 'catch':
        return unwrap(def.innerType);
      case 'pipe':
        return unwrap(def.in);
      case 'union':
        return (def.options as unknown[]).flatMap(unwrap);
      default:
        return [n];
    }
  };
  const step = (n: unknown, key: PathKey): unknown[] => {
    const def = (n as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === 'object' && typeof key === 'string') {
      const shape = def.shape as Record<string, unknown>;
      return key in shape ? [shape[key]] : [];
    }
    if (def.type === 'array' && typeof key === 'number') return [def.element];
    return [];
  };
  nodes = nodes.flatMap(unwrap);
  for (const key of path) nodes = nodes.flatMap((n) => step(n, key)).flatMap(unwrap);
  const keys = new Set<string>();
  for (const n of nodes) {
    const def = (n as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === 'object') for (const k of Object.keys(def.shape as object)) keys.add(k);
  }
  return [...keys];
}

function expectation(issue: Issue): string {
  const generic = /^(Invalid input|Invalid option|Too (small|big)|Unrecognized key|Invalid key)/;
  if (issue.message && !generic.test(issue.message) && issue.code !== 'unrecognized_keys') return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `a value of type ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => showValue(v)).join(', ')}`;
    case 'too_small':
      return `${issue.origin === 'array' ? 'a list with at least' : '≥'} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'too_big':
      return `${issue.origin === 'array' ? 'a list with at most' : '≤'} ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'invalid_key':
      return issue.issues[0] ? expectation(issue.issues[0]) : issue.message;
    case 'invalid_union': {
      const alts = new Set<string>();
      for (const errs of issue.errors) for (const e of errs) if (e.path.length === 0) alts.add(expectation(e));
      return alts.size ? [...alts].join(' or ') : issue.message;
    }
    default:
      return issue.message;
  }
}

export interface IssueLine {
  field: string;
  line: string;
}

/**
 * One line per issue: `path: value is not allowed; expected …`. Cross-field rules (custom issues) are
 * reported only when the structure itself is valid, so one typo does not cascade into follow-up lines.
 */
export function issueLines(all: readonly Issue[], input: unknown, schema: z.ZodType): IssueLine[] {
  const structural = all.filter((i) => i.code !== 'custom');
  const issues = structural.length ? structural : all;
  const lines: IssueLine[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path).filter((k) => !issue.keys.includes(k));
      for (const key of issue.keys) {
        const p = [...issue.path, key];
        const { value } = valueAt(input, p);
        lines.push({ field: formatPath(p), line: `${formatPath(p)}: unknown key (value ${showValue(value)}); allowed keys here: ${allowed.join(', ') || '(none)'}` });
      }
      continue;
    }
    const { found, value } = valueAt(input, issue.path);
    const f = formatPath(issue.path);
    if (!found && issue.input === undefined) lines.push({ field: f, line: `${f}: missing; expected ${expectation(issue)}` });
    else lines.push({ field: f, line: `${f}: ${showValue(found ? value : issue.input)} is not allowed; expected ${expectation(issue)}` });
  }
  return lines;
}

export function scenarioError(source: string, issues: IssueLine[]): UserInputError {
  const head = `${source}: invalid scenario`;
  const lines = issues.map((i) => i.line);
  return new UserInputError(lines.length === 1 ? `${head}: ${lines[0]}` : `${head}:\n  ${lines.join('\n  ')}`, issues[0]?.field);
}
