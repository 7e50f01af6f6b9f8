/**
 * Expand a scenario's `sweep:` section into independent jobs. A job is a fully resolved scenario
 * (grid values set at their paths, `sweep:` removed, seed set for its trial) plus an id; its
 * randomness depends only on that scenario, so jobs can run in any order, on any thread or machine.
 */
import { createHash } from 'node:crypto';
import { UserInputError } from '../errors.js';
import { canonicalHash } from '../results/canonical.js';
import { MAX_SWEEP_JOBS, sweepSection, type SweepSection } from '../scenario/sections/sweep.js';

export interface SweepJob {
  /** Stable id, e.g. j0007 (zero-padded index). */
  id: string;
  index: number;
  /** Grid values of this job, keyed by scenario path. */
  point: Record<string, unknown>;
  /** Replicate index (0-based). */
  trial: number;
  seed: number;
  scenario: Record<string, unknown>;
  /** Hash of the job scenario (canonical JSON): a resumed sweep keeps a finished job only if it matches. */
  hash: string;
}

export interface ExpandOptions {
  /** Refuse grid paths that are not in the scenario (default true: catches typos). */
  strictPaths?: boolean;
  /** Check paths against this object (the resolved scenario, defaults filled in) instead. */
  reference?: Record<string, unknown>;
}

export interface SweepPlan {
  sweep: SweepSection;
  /** CSV column name per grid path. */
  columns: Record<string, string>;
  jobs: SweepJob[];
}

/** Parse and check a `sweep:` value (UserInputError names the field). */
export function parseSweep(value: unknown): SweepSection {
  const r = sweepSection.safeParse(value ?? {});
  if (!r.success) {
    const i = r.error.issues[0]!;
    const message = i.code === 'invalid_key' && i.issues[0] ? i.issues[0].message : i.message;
    throw new UserInputError(`sweep.${i.path.join('.')}: ${message}`, `sweep.${i.path.join('.')}`);
  }
  return r.data;
}

/** Seed of trial t: trial 0 keeps the scenario seed (a 1-trial sweep equals plain runs); others derive by name. */
export function trialSeed(seed: number, trial: number): number {
  if (trial === 0) return seed;
  const h = createHash('sha256').update(`airlora/sweep-trial/${seed}/${trial}`).digest();
  return h.readUInt32BE(0) >>> 1; // 31-bit, positive
}

export function expandSweep(scenario: Record<string, unknown>, opts: ExpandOptions = {}): SweepPlan {
  const strict = opts.strictPaths ?? true;
  const sweep = parseSweep(scenario.sweep);
  const base = structuredClone(scenario);
  delete base.sweep;
  const seed = typeof base.seed === 'number' ? base.seed : 0;
  const paths = Object.keys(sweep.grid);
  for (const p of paths) {
    const bad = p.split('.').find((k) => FORBIDDEN_SEGMENTS.has(k));
    if (bad !== undefined) throw new UserInputError(`sweep.grid: '${p}' is not a scenario path ('${bad}' names a built-in object member, not a field)`, `sweep.grid.${p}`);
    if (p === 'seed' || p.startsWith('sweep.')) throw new UserInputError(`sweep.grid: '${p}' cannot be swept (use sweep.trials for seeds)`, `sweep.grid.${p}`);
    const ref = opts.reference ?? base;
    if (strict && getPath(ref, p) === undefined) {
      throw new UserInputError(`sweep.grid: path '${p}' is not in the scenario (check the spelling; keys there are: ${describeKeys(ref, p)})`, `sweep.grid.${p}`);
    }
  }
  const columns = gridColumns(paths, sweep.columns ?? {});
  const jobs: SweepJob[] = [];
  const total = paths.reduce((n, p) => n * sweep.grid[p]!.length, 1) * sweep.trials;
  // counted before a single job is built: a grid of 10⁸ jobs would exhaust memory while expanding
  if (total > MAX_SWEEP_JOBS) {
    throw new UserInputError(`sweep.grid: ${paths.map((p) => `${sweep.grid[p]!.length} values of ${p}`).join(' × ')} × ${sweep.trials} trials = ${total} jobs; at most ${MAX_SWEEP_JOBS} jobs (split the sweep into several files)`, 'sweep.grid');
  }
  const width = Math.max(4, String(total - 1).length);
  const idx = new Array<number>(paths.length).fill(0);
  for (let done = false; !done;) {
    const point: Record<string, unknown> = {};
    paths.forEach((p, i) => { point[p] = sweep.grid[p]![idx[i]!]; });
    for (let t = 0; t < sweep.trials; t++) {
      const sc = structuredClone(base);
      for (const p of paths) setPath(sc, p, structuredClone(point[p]));
      const s = trialSeed(seed, t);
      sc.seed = s;
      const index = jobs.length;
      jobs.push({ id: `j${String(index).padStart(width, '0')}`, index, point, trial: t, seed: s, scenario: sc, hash: canonicalHash(sc) });
    }
    // odometer: last path fastest
    let k = paths.length - 1;
    while (k >= 0) {
      idx[k]!++;
      if (idx[k]! < sweep.grid[paths[k]!]!.length) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) done = true;
  }
  return { sweep, columns, jobs };
}

/** Column names of well-known paths, matching the producers' own columns (and the figure presets). */
export const KNOWN_COLUMNS: Record<string, string> = {
  'phy.antennas.server': 'server_antennas',
  'phy.antennas.device': 'device_antennas',
  'phy.devices': 'devices',
  'fl.clients': 'devices',
  'split.devices': 'devices',
  'lora.r': 'rank',
};

function gridColumns(paths: string[], given: Record<string, string>): Record<string, string> {
  for (const k of Object.keys(given)) {
    if (!paths.includes(k)) throw new UserInputError(`sweep.columns: '${k}' is not a grid path; grid paths: ${paths.join(', ')}`, `sweep.columns.${k}`);
  }
  const last = (p: string) => p.slice(p.lastIndexOf('.') + 1);
  const out: Record<string, string> = {};
  for (const p of paths) {
    const clash = paths.some((q) => q !== p && last(q) === last(p));
    out[p] = given[p] ?? KNOWN_COLUMNS[p] ?? (clash ? p.replace(/\./g, '_') : last(p));
  }
  return out;
}

/** Path segments that reach built-in members (prototype pollution), never scenario fields. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/** The value at a dotted path, through own properties only (so `constructor` is not found). */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  const bad = parts.find((k) => FORBIDDEN_SEGMENTS.has(k));
  if (bad !== undefined) throw new UserInputError(`sweep.grid: '${path}' is not a scenario path ('${bad}' names a built-in object member)`, `sweep.grid.${path}`);
  let cur: Record<string, unknown> = obj;
  for (const part of parts.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(cur, part) ? cur[part] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function describeKeys(obj: unknown, path: string): string {
  const parent = path.includes('.') ? getPath(obj, path.slice(0, path.lastIndexOf('.'))) : obj;
  return parent && typeof parent === 'object' ? Object.keys(parent).join(', ') || '(none)' : '(parent missing)';
}
