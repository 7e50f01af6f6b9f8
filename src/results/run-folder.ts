/**
 * One results folder per run: manifest.json, metrics.csv, rounds.jsonl, figures/, ...
 *
 * Every whole-file write is atomic (tmp + fsync + rename) and the manifest says 'complete' only
 * after `complete()`, so a killed run never leaves a folder or a file that looks complete.
 * Producers (PHY Monte-Carlo, trainer, split learning, sweeps) all write through this class;
 * figures and compare read through `RunFolder.open` and `readCsv`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { EnvironmentError, UserInputError } from '../errors.js';
import { appendFileFlushed, writeFileAtomic } from './atomic.js';
import { canonicalJson } from './canonical.js';
import { type CsvRow, formatCsv, parseCsv } from './csv.js';
import { finiteJson } from './finite-json.js';
import { RUN_NAME_RULE, runNameProblem } from './name.js';
import { buildManifest, type Manifest, type ManifestInput, type RunStatus } from './manifest.js';

export type { Manifest, ManifestInput, RunStatus } from './manifest.js';

export const MANIFEST = 'manifest.json';

export interface CreateOptions {
  /** Explicit folder (`--out DIR`). Must be absent, empty, or a resumable run of `scenario`. */
  out?: string;
  /** Run name: the default folder is `<root>/<name>-<UTC timestamp>[-n]`. */
  name: string;
  /** Parent of default folders (default 'runs'). */
  root?: string;
  /**
   * The resolved scenario. When `out` already holds an unfinished run of this same scenario
   * (canonical JSON equal), that folder is reopened for resuming instead of refused.
   */
  scenario?: unknown;
  /** Clock, for tests. */
  now?: Date;
}

export class RunFolder {
  /** True when `create` reopened an unfinished run of the same scenario (resume). */
  readonly resumed: boolean;

  private constructor(readonly dir: string, resumed = false) {
    this.resumed = resumed;
  }

  static create(opts: CreateOptions): RunFolder {
    const problem = runNameProblem(opts.name);
    if (problem) {
      throw new UserInputError(`name: ${JSON.stringify(opts.name)} is not allowed (${problem}); expected ${RUN_NAME_RULE}`, 'name');
    }
    if (opts.out !== undefined) return RunFolder.createAt(resolve(opts.out), opts.scenario);
    const root = resolve(opts.root ?? 'runs');
    makeDir(root, '--out', true);
    const base = `${opts.name}-${utcStamp(opts.now ?? new Date())}`;
    for (let n = 1; ; n++) {
      const dir = join(root, n === 1 ? base : `${base}-${n}`);
      try {
        mkdirSync(dir); // non-recursive: fails if it exists, so two runs never share a folder
        return new RunFolder(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(e, dir, 'cannot create the results folder', 'name');
      }
    }
  }

  private static createAt(dir: string, scenario: unknown): RunFolder {
    if (!existsSync(dir)) {
      makeDir(dir, '--out', true);
      return new RunFolder(dir);
    }
    if (!statSync(dir).isDirectory()) {
      throw new UserInputError(`--out: '${dir}' exists and is not a folder`, 'out');
    }
    // only the lock of a run killed before its manifest: as good as empty
    if (readdirSync(dir).filter((n) => n !== '.lock').length === 0) return new RunFolder(dir);
    const mpath = join(dir, MANIFEST);
    if (!existsSync(mpath)) {
      throw new UserInputError(
        `--out: '${dir}' is not empty and holds no airlora run (no ${MANIFEST}); choose an empty or new folder`, 'out');
    }
    const m = readManifestFile(mpath);
    if (m.status === 'complete') {
      throw new UserInputError(
        `--out: '${dir}' already holds a complete run (status 'complete'); choose another folder, or run 'airlora figures ${dir}' to redraw its figures`, 'out');
    }
    if (scenario === undefined || canonicalJson(m.scenario) !== canonicalJson(scenario)) {
      throw new UserInputError(
        `--out: '${dir}' holds an unfinished run of a different scenario; choose another folder (only a run of the same scenario can be resumed)`, 'out');
    }
    return new RunFolder(dir, true);
  }

  /** Open an existing folder (for --resume, figures, compare). */
  static open(dir: string): RunFolder {
    const abs = resolve(dir);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) {
      throw new UserInputError(`results folder: '${dir}' does not exist or is not a folder`, 'dir');
    }
    return new RunFolder(abs, true);
  }

  /** Absolute path of a file inside the folder; refuses paths that leave it. */
  path(rel: string): string {
    const norm = normalize(rel);
    if (isAbsolute(rel) || norm === '..' || norm.startsWith('..' + sep)) {
      throw new UserInputError(`results path: '${rel}' must be relative and inside the results folder`, 'path');
    }
    return join(this.dir, norm);
  }

  exists(rel: string): boolean {
    return existsSync(this.path(rel));
  }

  /** JSON; NaN/±Infinity are refused (NonFiniteResultError), see finite-json.ts. */
  writeJson(rel: string, value: unknown): void {
    const p = this.path(rel);
    const text = finiteJson(value, p, 2) + '\n';
    writeOrExplain(p, () => writeFileAtomic(p, text));
  }

  writeText(rel: string, text: string): void {
    const p = this.path(rel);
    writeOrExplain(p, () => writeFileAtomic(p, text));
  }

  writeBytes(rel: string, bytes: Uint8Array): void {
    const p = this.path(rel);
    writeOrExplain(p, () => writeFileAtomic(p, bytes));
  }

  /**
   * Tidy CSV, stable column order (given, else first-seen), numbers as String(x), RFC 4180 quoting.
   * NaN/±Infinity are refused (NonFiniteResultError naming file, column and row), see csv.ts.
   */
  writeCsv(rel: string, rows: CsvRow[], columns?: string[]): void {
    const p = this.path(rel);
    const text = formatCsv(rows, columns, p);
    writeOrExplain(p, () => writeFileAtomic(p, text));
  }

  /** Append one JSON line and flush it. A torn last line (killed mid-write) is skipped by readJsonl. */
  appendJsonl(rel: string, value: unknown): void {
    const p = this.path(rel);
    const line = finiteJson(value, p) + '\n';
    writeOrExplain(p, () => appendFileFlushed(p, line));
  }

  readText(rel: string): string {
    return readFileSync(this.path(rel), 'utf8');
  }

  readJson<T = unknown>(rel: string): T {
    return JSON.parse(this.readText(rel)) as T;
  }

  readCsv(rel: string): Record<string, string>[] {
    return readCsv(this.path(rel));
  }

  readJsonl<T = unknown>(rel: string): T[] {
    return readJsonl<T>(this.path(rel));
  }

  /** manifest.json: scenario as resolved, seed, versions, backend, git commit, start time, status 'running'. */
  writeManifest(m: ManifestInput): void {
    this.writeJson(MANIFEST, buildManifest(m));
  }

  hasManifest(): boolean {
    return this.exists(MANIFEST);
  }

  manifest(): Manifest {
    if (!this.hasManifest()) {
      throw new UserInputError(`results folder: '${this.dir}' has no ${MANIFEST} (not an airlora run)`, 'dir');
    }
    return readManifestFile(this.path(MANIFEST));
  }

  get status(): RunStatus | 'none' {
    return this.hasManifest() ? this.manifest().status : 'none';
  }

  isComplete(): boolean {
    return this.status === 'complete';
  }

  /** Mark the run complete (status + end time); call last, after every other file is written. */
  complete(extra?: object): void {
    this.finish('complete', extra);
  }

  /**
   * Mark the run failed (keeps its partial files for inspection; it never looks complete, and a run of
   * the same scenario resumes it). Never throws: it is called while another error propagates, and a
   * second failure here (the disk that just filled up) must not hide the first. Returns whether the
   * manifest now says 'failed'; when it could not be written it still says 'running'.
   */
  fail(error: unknown, extra?: object): boolean {
    try {
      this.finish('failed', { ...extra, error: error instanceof Error ? error.message : String(error) });
      return true;
    } catch {
      return false;
    }
  }

  /** Mark the run interrupted (SIGINT/SIGTERM): resumable, never complete. Never throws (called while exiting). */
  interrupt(extra?: object): boolean {
    try {
      this.finish('interrupted', extra);
      return true;
    } catch {
      return false;
    }
  }

  private finish(status: RunStatus, extra?: object): void {
    const m = this.manifest();
    this.writeJson(MANIFEST, { ...m, ...(extra ?? {}), status, endedAt: new Date().toISOString() });
  }
}

/** Errno codes that mean the machine, not the input, is at fault (exit 3). */
const ENVIRONMENT_CODES: Record<string, string> = {
  ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system',
  EACCES: 'permission denied', EPERM: 'operation not permitted', EIO: 'input/output error',
  EMFILE: 'too many open files', ENFILE: 'too many open files in the system', ENOMEM: 'out of memory',
};
/** Errno codes that mean the path given is unusable (exit 2). */
const INPUT_CODES: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder', EISDIR: 'is a folder', ENAMETOOLONG: 'the name is too long',
  EEXIST: 'a file of that name exists', EINVAL: 'invalid path', ENOENT: 'a part of the path does not exist',
};

/** A file-system error as the named error the CLI maps to an exit code (others pass through unchanged). */
export function fsError(e: unknown, path: string, what: string, field: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && code in ENVIRONMENT_CODES) return new EnvironmentError(`${what} '${path}': ${ENVIRONMENT_CODES[code]} (${code}); the results folder is left unfinished and resumes when run again`, code);
  if (code && code in INPUT_CODES) return new UserInputError(`${field}: ${what} '${path}': ${INPUT_CODES[code]} (${code})`, field);
  return e;
}

function writeOrExplain(path: string, write: () => void): void {
  try {
    write();
  } catch (e) {
    throw fsError(e, path, 'cannot write', 'out');
  }
}

function makeDir(dir: string, field: string, recursive: boolean): void {
  try {
    mkdirSync(dir, { recursive });
  } catch (e) {
    throw fsError(e, dir, 'cannot create the results folder', field);
  }
}

function readManifestFile(path: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new UserInputError(`${path}: not valid JSON (${(e as Error).message})`, 'manifest');
  }
  if (!m || typeof m !== 'object' || typeof m.status !== 'string') {
    throw new UserInputError(`${path}: not an airlora manifest (no status)`, 'manifest');
  }
  return m;
}

/** Read a CSV file into rows keyed by header (all values as strings; convert with Number()). */
export function readCsv(path: string): Record<string, string>[] {
  if (!existsSync(path)) throw new UserInputError(`CSV file '${path}' does not exist`, 'path');
  return parseCsv(readFileSync(path, 'utf8'));
}

/** Read a JSON-lines file; a torn, unterminated last line (killed mid-append) is dropped. */
export function readJsonl<T = unknown>(path: string): T[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  // The last split piece is '' after a final newline, or a torn line: drop it either way.
  return text.split('\n').slice(0, -1).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

/** UTC timestamp for folder names: 20261122-032500Z (no colons, sorts by time). */
export function utcStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}
