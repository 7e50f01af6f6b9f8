/**
 * The one table of run kinds, used by `airlora run`, `airlora phy --out`, sweeps and Slurm tasks.
 * Order matters for detection: the first entry whose detect() matches a scenario without an explicit
 * `kind:` wins (AirFL before plain training, PHY last). A new kind is one file plus one row here.
 *
 * Entries load their module lazily (worker threads import this table too, so entries are module
 * imports, not closures made at run time). `registerRunnerModule` adds a kind by module URL and export
 * name (plugins, tests); worker threads replay those registrations.
 */
import { UserInputError } from '../errors.js';
import type { RawScenario, Runner } from './runner.js';

export interface RunnerEntry {
  kind: string;
  detect: (s: RawScenario) => boolean;
  load: () => Promise<Runner>;
  /** for entries registered at run time: how worker threads import them */
  module?: { url: string; export: string };
}

const has = (s: RawScenario, k: string) => s[k] !== undefined;

const TABLE: RunnerEntry[] = [
  { kind: 'airfl', detect: (s) => has(s, 'fl') && has(s, 'airfl'), load: async () => (await import('./airfl.js')).airflRunner as Runner },
  { kind: 'train', detect: (s) => has(s, 'fl'), load: async () => (await import('./train.js')).trainRunner as Runner },
  { kind: 'split', detect: (s) => has(s, 'split'), load: async () => (await import('./split.js')).splitRunner as Runner },
  { kind: 'demo', detect: (s) => has(s, 'demo'), load: async () => (await import('./demo.js')).demoRunner as Runner },
  // PHY Monte-Carlo: anything that neither trains nor names another kind
  { kind: 'phy', detect: () => true, load: async () => (await import('./phy.js')).phyRunner as Runner },
];

const entries: RunnerEntry[] = [...TABLE];

/** Register (or replace) a kind by module URL and export name (importable from worker threads too). */
export function registerRunnerModule(kind: string, url: string, exportName: string, detect: RunnerEntry['detect'] = () => false): void {
  const entry: RunnerEntry = {
    kind, detect, module: { url, export: exportName },
    load: async () => {
      const mod = (await import(url)) as Record<string, unknown>;
      const r = mod[exportName] as Runner | undefined;
      if (!r || typeof r.run !== 'function') throw new Error(`runner module ${url} has no Runner export '${exportName}'`);
      return r;
    },
  };
  const i = entries.findIndex((e) => e.kind === kind);
  if (i >= 0) entries[i] = entry; else entries.unshift(entry);
}

export function runnerKinds(): string[] {
  return entries.map((e) => e.kind);
}

/** The kind of a scenario: its `kind:` field, else the first entry whose detect() matches. */
export function runnerKindOf(s: RawScenario): string {
  if (s.kind !== undefined) {
    if (typeof s.kind !== 'string' || !entries.some((e) => e.kind === s.kind)) {
      throw new UserInputError(`kind: no runner for ${JSON.stringify(s.kind)}; allowed: ${runnerKinds().join(', ')}`, 'kind');
    }
    return s.kind;
  }
  return entries.find((e) => e.detect(s))!.kind;
}

export async function loadRunner(kind: string): Promise<Runner> {
  const e = entries.find((x) => x.kind === kind);
  if (!e) throw new UserInputError(`kind: no runner for '${kind}'; allowed: ${runnerKinds().join(', ')}`, 'kind');
  return e.load();
}

/** Module references of run-time registrations, to replay inside worker threads. */
export function runnerModuleRefs(): { kind: string; url: string; export: string }[] {
  return entries.filter((e) => e.module).map((e) => ({ kind: e.kind, ...e.module! }));
}

/** Whether worker threads can load this kind (in the table, or registered with a module URL). */
export function workerLoadable(kind: string): boolean {
  const e = entries.find((x) => x.kind === kind);
  return e !== undefined && (TABLE.includes(e) || e.module !== undefined);
}
