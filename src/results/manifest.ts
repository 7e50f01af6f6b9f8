/**
 * manifest.json: what a results folder holds and how it was made. Written with status 'running'
 * when a run starts and rewritten with status 'complete' (and an end time) only after every other
 * file is in place, so a killed run never looks complete.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export type RunStatus = 'running' | 'complete' | 'failed' | 'interrupted';

export interface ManifestInput {
  /** What produced the folder: 'phy', 'train', 'split', 'sweep', ... */
  kind: string;
  /** The scenario as resolved (defaults filled in), exactly what the run used. */
  scenario: unknown;
  seed: number;
  /** Numerical backend, e.g. 'wasm', 'cpu', 'tensorflow' (omit for pure-JS runs). */
  backend?: string;
  /** Free-form extra facts (command line, job ids, ...). */
  extra?: Record<string, unknown>;
}

export interface Manifest {
  format: 'airlora-run/1';
  status: RunStatus;
  kind: string;
  seed: number;
  backend: string | null;
  scenario: unknown;
  versions: { airlora: string; node: string; deps: Record<string, string> };
  git: { commit: string; dirty: boolean } | null;
  startedAt: string;
  endedAt: string | null;
  [key: string]: unknown;
}

/** The package root: src/results/ and dist/results/ both sit two levels below it. */
export function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

let depCache: Record<string, string> | undefined;
/** Installed versions of the package's declared dependencies (declared range if not found). */
export function dependencyVersions(): Record<string, string> {
  if (depCache) return depCache;
  const root = packageRoot();
  const out: Record<string, string> = {};
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const deps = { ...pkg.dependencies, ...pkg.optionalDependencies };
    for (const name of Object.keys(deps).sort()) {
      const p = join(root, 'node_modules', name, 'package.json');
      if (existsSync(p)) {
        try { out[name] = (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version; continue; } catch { /* fall through */ }
        out[name] = deps[name]!;
      }
    }
  } catch { /* no package.json: leave empty */ }
  depCache = out;
  return out;
}

let gitCache: { commit: string; dirty: boolean } | null | undefined;
/** The checkout's commit and whether tracked files differ from it; null outside a git checkout. */
export function gitInfo(): { commit: string; dirty: boolean } | null {
  if (gitCache !== undefined) return gitCache;
  const cwd = packageRoot();
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim();
    let dirty = false;
    try {
      dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim() !== '';
    } catch { /* unknown: report clean */ }
    gitCache = /^[0-9a-f]{40}$/.test(commit) ? { commit, dirty } : null;
  } catch {
    gitCache = null;
  }
  return gitCache;
}

export function packageVersionAt(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function buildManifest(m: ManifestInput, now = new Date()): Manifest {
  return {
    format: 'airlora-run/1',
    status: 'running',
    kind: m.kind,
    seed: m.seed,
    backend: m.backend ?? null,
    scenario: m.scenario,
    versions: { airlora: packageVersionAt(), node: process.versions.node, deps: dependencyVersions() },
    git: gitInfo(),
    startedAt: now.toISOString(),
    endedAt: null,
    ...(m.extra ?? {}),
  };
}
