/**
 * The one lifecycle of a run, written once: resolve the scenario (every start-up check before anything
 * is written), open a new or resumed results folder, start the tfjs backend when the kind trains,
 * write the manifest, run, mark the folder complete (or failed, rethrowing), draw the figures.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserInputError } from '../errors.js';
import { canonicalJson } from '../results/canonical.js';
import { RunFolder } from '../results/run-folder.js';
import { FolderLock } from '../results/lock.js';
import { backendInfo, initBackend, resolveBackendChoice, type BackendChoice } from '../tf/index.js';
import { loadRunner, runnerKindOf } from './registry.js';
import { checkFigures, ignoredSections } from './checks.js';
import { startupChecks } from '../scenario/startup.js';
import { applySets, type SetOverride } from '../scenario/overrides.js';
import type { Overrides, RawScenario, Resolved, RunContext, Runner } from './runner.js';

export interface RunOptions {
  /** results folder (`--out`); default runs/<name>-<UTC time> */
  out?: string;
  /** parent of default folders */
  root?: string;
  /** default folder name (default: the scenario's name) */
  name?: string;
  /** continue the unfinished run in this folder (`--resume`) */
  resume?: string;
  /** run in this folder, already created by the caller (sweep jobs) */
  folder?: RunFolder;
  overrides?: Overrides;
  backend?: BackendChoice;
  /** no backend line, no per-round chatter */
  quiet?: boolean;
  /** where the scenario came from, for messages (file name, 'job 3') */
  source?: string;
  /** recorded in the manifest (the command line, sweep job facts) */
  extra?: Record<string, unknown>;
  /** draw the figures after completion (default true) */
  figures?: boolean;
  /**
   * Handle SIGINT/SIGTERM (the CLI): mark the folder 'interrupted', print what was interrupted and the
   * exact command that resumes it, and exit 130/143. Library callers keep the process's own handlers.
   */
  signals?: { resumeCommand: (dir: string) => string };
  log?: (line: string) => void;
  onProgress?: RunContext['onProgress'];
}

export interface RunOutcome {
  folder: RunFolder;
  kind: string;
  /** false when the folder to resume was already complete (nothing ran) */
  ran: boolean;
  result?: object | void;
}

const defaultLog = (line: string) => process.stderr.write(`[airlora] ${line}\n`);

/** The scenario with the command-line overrides applied at the runner's paths (a copy). */
export function applyOverrides(s: RawScenario, runner: Runner, over: Overrides = {}): RawScenario {
  return applySets(s, overrideSets(runner, over));
}

/** The overrides as `--set` entries at the runner's own paths (refused where the kind has none). */
export function overrideSets(runner: Runner, over: Overrides = {}): SetOverride[] {
  const sets: SetOverride[] = [];
  for (const [flag, value] of Object.entries(over) as [keyof Overrides, number | undefined][]) {
    if (value === undefined) continue;
    const path = runner.overrides[flag];
    if (!path) throw new UserInputError(`--${flag}: not used by ${runner.kind} runs`, `--${flag}`);
    sets.push({ path, value, text: `${path}=${value}` });
  }
  return sets;
}

/** Resolve a scenario for its kind (overrides applied): the start-up checks of `run`, usable by `validate`. */
export async function resolveRun(s: RawScenario, opts: Pick<RunOptions, 'overrides' | 'source'> = {}): Promise<{ runner: Runner; resolved: Resolved<unknown>; warnings: string[] }> {
  const runner = await loadRunner(runnerKindOf(s));
  const scenario = applyOverrides(s, runner, opts.overrides);
  // sizes first, on the scenario as written: resolve() itself allocates per device / client
  startupChecks(scenario);
  const resolved = runner.resolve(scenario, opts.source ?? 'scenario');
  startupChecks(resolved.scenario);
  checkFigures(s);
  return { runner, resolved, warnings: ignoredSections(s, runner.kind) };
}

/**
 * The run's folder, locked: `--resume DIR`, `--out DIR` (new, empty, or an unfinished run of the same
 * scenario) or a new default folder. An existing folder's lock is taken before anything reads it, so
 * a folder a live process is writing is refused as such. `null`: the folder to resume is complete.
 */
function openFolder(r: Resolved<unknown>, opts: RunOptions): { folder: RunFolder; resume: boolean; lock: FolderLock } | null {
  if (opts.folder) return { folder: opts.folder, resume: opts.folder.resumed, lock: FolderLock.acquire(opts.folder.dir) };
  if (opts.resume !== undefined) {
    if (opts.out !== undefined) throw new UserInputError('--resume and --out: give one (resume writes into the folder it continues)', '--out');
    const folder = RunFolder.open(opts.resume);
    const lock = FolderLock.acquire(folder.dir);
    try {
      const m = folder.manifest();
      if (canonicalJson(m.scenario) !== canonicalJson(r.scenario)) {
        throw new UserInputError(`--resume: '${opts.resume}' was started from a different scenario (or other flags); resume with the same file and flags`, '--resume');
      }
      if (m.status === 'complete') {
        lock.release();
        return null;
      }
    } catch (e) {
      lock.release();
      throw e;
    }
    return { folder, resume: true, lock };
  }
  const early = opts.out !== undefined && existsSync(opts.out) && statSync(opts.out).isDirectory() ? FolderLock.acquire(resolve(opts.out)) : undefined;
  try {
    const folder = RunFolder.create({ out: opts.out, root: opts.root, name: opts.name ?? r.name, scenario: r.scenario });
    return { folder, resume: folder.resumed, lock: early ?? FolderLock.acquire(folder.dir) };
  } catch (e) {
    early?.release();
    throw e;
  }
}

/** Execute one run of any kind through the lifecycle. */
export async function executeRun(s: RawScenario, opts: RunOptions = {}): Promise<RunOutcome> {
  const log = opts.log ?? defaultLog;
  const { runner, resolved, warnings } = await resolveRun(s, opts);
  for (const w of warnings) if (!opts.folder) log(`warning: ${w}`);
  const target = openFolder(resolved, opts);
  if (!target) {
    const folder = RunFolder.open(opts.resume!);
    log(`${folder.dir} is already complete; nothing to resume`);
    return { folder, kind: runner.kind, ran: false };
  }
  const { folder } = target;
  // kinds without checkpoints restart an unfinished folder from scratch (same scenario: same bytes)
  const resume = target.resume && runner.resumable;
  const lock = target.lock;
  const unhook = opts.signals ? onSignals(folder, lock, `${runner.kind} run ${resolved.name}`, opts.signals.resumeCommand(folder.dir)) : () => {};
  try {
    return await runLocked(runner, resolved, folder, resume, opts, log);
  } finally {
    unhook();
    lock.release();
  }
}

async function runLocked(runner: Runner, resolved: Resolved<unknown>, folder: RunFolder, resume: boolean, opts: RunOptions, log: (line: string) => void): Promise<RunOutcome> {
  let backend: string | undefined;
  if (runner.usesBackend) {
    const fromScenario = (resolved.scenario as { backend?: BackendChoice } | null)?.backend;
    backend = await initBackend({ backend: resolveBackendChoice(opts.backend ?? 'auto', fromScenario), quiet: opts.quiet ?? false });
  }
  if (!folder.hasManifest()) {
    folder.writeManifest({
      kind: runner.kind, scenario: resolved.scenario, seed: resolved.seed,
      ...(backend !== undefined ? { backend } : {}),
      extra: { ...(backend !== undefined ? { engine: backendInfo() } : {}), ...(opts.extra ?? {}) },
    });
  }
  if (!opts.folder) log(`${resume ? 'resuming' : 'running'} ${runner.kind} ${resolved.name} → ${folder.dir}`);
  let result: object | void;
  try {
    const ctx: RunContext = { folder, resume, log: opts.quiet ? () => {} : log, ...(backend !== undefined ? { backend } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) };
    result = await runner.run(resolved.config, ctx);
    folder.complete(result ?? undefined);
  } catch (e) {
    folder.fail(e);
    throw e;
  }
  if (opts.figures !== false) await drawQuietly(folder, log);
  return { folder, kind: runner.kind, ran: true, result };
}

/** The last round a run checkpointed (training kinds), for the interruption message. */
function lastRound(folder: RunFolder): number | undefined {
  try {
    if (!folder.exists('checkpoint.json')) return undefined;
    const r = (folder.readJson('checkpoint.json') as { round?: unknown }).round;
    return typeof r === 'number' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** SIGINT/SIGTERM while a run holds its folder: manifest 'interrupted', one line, exit 130/143. */
function onSignals(folder: RunFolder, lock: FolderLock, what: string, resume: string): () => void {
  const handler = (sig: NodeJS.Signals) => {
    const round = lastRound(folder);
    // a run that completed (a signal while its figures are drawn) stays complete
    if (folder.status !== 'complete') folder.interrupt({ signal: sig, ...(round !== undefined ? { round } : {}) });
    lock.release();
    process.stderr.write(`[airlora] interrupted by ${sig}: ${what}${round !== undefined ? `, last completed round ${round}` : ''}; resume with: ${resume}\n`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Figures of a finished run; a figure problem never loses the results (redraw with `airlora figures DIR`). */
async function drawQuietly(folder: RunFolder, log: (line: string) => void): Promise<void> {
  try {
    // loaded on demand: the renderer (vega) has a top-level await, which would stop CommonJS hosts
    // (notebooks' require) from loading anything that imports the lifecycle
    const { drawFigures } = await import('../report/draw.js');
    const drawn = await drawFigures(folder);
    for (const d of drawn) log(`figure ${d.name}: ${d.files.filter((f) => f.endsWith('.png')).join(', ')}`);
  } catch (e) {
    log(`figures not drawn: ${e instanceof Error ? e.message : String(e)}`);
  }
}
