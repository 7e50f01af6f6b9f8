/**
 * Runner registry: how a job (one fully resolved scenario) is executed, per scenario kind.
 * The sweep layer never imports the CLI or a producer directly; producers are reached through
 * this table, which worker threads also read (so entries must be loadable by import, not closures
 * created at runtime in the main thread).
 *
 * A runner writes its results into the job's RunFolder (at least metrics.csv; optionally
 * rounds.jsonl and other *.csv / *.jsonl files, which the sweep merges by name). The sweep layer
 * writes the job's manifest and marks it complete after the runner returns.
 *
 * To add a producer (lead): one entry in BUILTIN, e.g.
 *   { kind: 'phy', detect: (s) => 'phy' in s, load: async () => (await import('../phy/runner.js')).runPhyJob },
 * Order matters for detection: the first entry whose detect() matches wins (put split/train before phy).
 */
import { UserInputError } from '../errors.js';
import type { RunFolder } from '../results/run-folder.js';

export interface RunnerContext {
  /** The job's resolved scenario (sweep values and seed applied). */
  scenario: Record<string, unknown>;
  /** The job's own results folder (jobs/<id>/). */
  folder: RunFolder;
  jobId: string;
  log: (msg: string) => void;
}

export type Runner = (ctx: RunnerContext) => Promise<void> | void;

export interface RunnerEntry {
  kind: string;
  /** Whether a scenario without an explicit `kind:` belongs to this runner. */
  detect?: (scenario: Record<string, unknown>) => boolean;
  load: () => Promise<Runner>;
  /**
   * For entries registered at runtime: an importable module URL and export name, so worker
   * threads can load the runner too. Entries in BUILTIN do not need it.
   */
  module?: { url: string; export: string };
}

const BUILTIN: RunnerEntry[] = [
  // AirFL-LoRA: fl + airfl sections (every scheme and rank on one preparation).
  { kind: 'airfl', detect: (s) => 'fl' in s && 'airfl' in s, load: async () => (await import('../airfl/sweep-runner.js')).runAirflJob },
  // Federated LoRA training with one aggregator: an fl section.
  { kind: 'train', detect: (s) => 'fl' in s, load: async () => (await import('./train-runner.js')).runTrainJob },
  // Split federated LoRA (H8): a split section.
  { kind: 'split', detect: (s) => 'split' in s, load: async () => (await import('../split/run-scenario.js')).runSplitJob },
  // PHY Monte-Carlo: a phy section and nothing that trains (fl/split runners go before this one).
  { kind: 'phy', detect: (s) => 'phy' in s && !('fl' in s) && !('split' in s), load: async () => (await import('./phy-runner.js')).runPhyJob },
  { kind: 'demo', detect: (s) => 'demo' in s, load: async () => (await import('./demo-runner.js')).runDemo },
];

const entries: RunnerEntry[] = [...BUILTIN];

/** Register (or replace) a runner at runtime. Give `module` if sweeps with --jobs > 1 must use it. */
export function registerRunner(entry: RunnerEntry): void {
  const i = entries.findIndex((e) => e.kind === entry.kind);
  if (i >= 0) entries[i] = entry; else entries.unshift(entry);
}

/** Register a runner by module URL + export name (works in worker threads). */
export function registerRunnerModule(kind: string, url: string, exportName: string, detect?: RunnerEntry['detect']): void {
  registerRunner({
    kind, detect, module: { url, export: exportName },
    load: async () => pickExport(await import(url), exportName, url),
  });
}

function pickExport(mod: Record<string, unknown>, name: string, url: string): Runner {
  const f = mod[name];
  if (typeof f !== 'function') throw new Error(`runner module ${url} has no function export '${name}'`);
  return f as Runner;
}

export function runnerKinds(): string[] {
  return entries.map((e) => e.kind);
}

/** The runner kind of a scenario: its `kind:` field, else the first entry whose detect() matches. */
export function runnerKindOf(scenario: Record<string, unknown>): string {
  if (typeof scenario.kind === 'string') {
    if (!entries.some((e) => e.kind === scenario.kind)) {
      throw new UserInputError(`kind: no runner for '${scenario.kind}'; runners: ${runnerKinds().join(', ')}`, 'kind');
    }
    return scenario.kind;
  }
  const e = entries.find((x) => x.detect?.(scenario));
  if (!e) {
    throw new UserInputError(
      `scenario: cannot tell what to run (no 'kind:' and no section a runner recognises); runners: ${runnerKinds().join(', ')}`, 'kind');
  }
  return e.kind;
}

export async function loadRunner(kind: string): Promise<Runner> {
  const e = entries.find((x) => x.kind === kind);
  if (!e) throw new UserInputError(`kind: no runner for '${kind}'; runners: ${runnerKinds().join(', ')}`, 'kind');
  return e.load();
}

/** Whether worker threads can load this kind's runner (built in, or registered with a module URL). */
export function workerLoadable(kind: string): boolean {
  return BUILTIN.some((e) => e.kind === kind && entries.find((x) => x.kind === kind) === e) ||
    entries.some((e) => e.kind === kind && e.module !== undefined);
}

/** Module references of runtime registrations, to replay inside worker threads. */
export function runnerModuleRefs(): { kind: string; url: string; export: string }[] {
  return entries.filter((e) => e.module).map((e) => ({ kind: e.kind, ...e.module! }));
}
