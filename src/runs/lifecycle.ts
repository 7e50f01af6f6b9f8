/**
 * The one lifecycle of a run, written once: resolve the scenario (every start-up check before anything
 * is written), open a new or resumed results folder, start the tfjs backend when the kind trains,
 * write the manifest, run, mark the folder complete (or failed, rethrowing), draw the figures.
 */
import { UserInputError } from '../errors.js';
import { canonicalJson } from '../results/canonical.js';
import { RunFolder } from '../results/run-folder.js';
import { drawFigures } from '../report/draw.js';
import { backendInfo, initBackend, type BackendChoice } from '../tf/index.js';
import { loadRunner, runnerKindOf } from './registry.js';
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

/** Set `path` (dotted) of a scenario copy to `value`; refuses paths through non-objects. */
function setPath(s: RawScenario, path: string, value: unknown): void {
  const keys = path.split('.');
  let o: Record<string, unknown> = s;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (next === undefined) o[k] = {};
    else if (next === null || typeof next !== 'object' || Array.isArray(next)) throw new UserInputError(`${path}: cannot override, '${k}' is not a section`, path);
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]!] = value;
}

/** The scenario with the command-line overrides applied at the runner's paths (a copy). */
export function applyOverrides(s: RawScenario, runner: Runner, over: Overrides = {}): RawScenario {
  const out = structuredClone(s);
  for (const [flag, value] of Object.entries(over) as [keyof Overrides, number | undefined][]) {
    if (value === undefined) continue;
    const path = runner.overrides[flag];
    if (!path) throw new UserInputError(`--${flag}: not used by ${runner.kind} runs`, `--${flag}`);
    setPath(out, path, value);
  }
  return out;
}

/** Resolve a scenario for its kind (overrides applied): the start-up checks of `run`, usable by `validate`. */
export async function resolveRun(s: RawScenario, opts: Pick<RunOptions, 'overrides' | 'source'> = {}): Promise<{ runner: Runner; resolved: Resolved<unknown> }> {
  const runner = await loadRunner(runnerKindOf(s));
  const resolved = runner.resolve(applyOverrides(s, runner, opts.overrides), opts.source ?? 'scenario');
  return { runner, resolved };
}

function openFolder(runner: Runner, r: Resolved<unknown>, opts: RunOptions): { folder: RunFolder; resume: boolean } | null {
  if (opts.folder) return { folder: opts.folder, resume: opts.folder.resumed };
  if (opts.resume !== undefined) {
    if (opts.out !== undefined) throw new UserInputError('--resume and --out: give one (resume writes into the folder it continues)', '--out');
    if (!runner.resumable) throw new UserInputError(`--resume: ${runner.kind} runs cannot be resumed; start a new run`, '--resume');
    const folder = RunFolder.open(opts.resume);
    const m = folder.manifest();
    if (canonicalJson(m.scenario) !== canonicalJson(r.scenario)) {
      throw new UserInputError(`--resume: '${opts.resume}' was started from a different scenario (or other flags); resume with the same file and flags`, '--resume');
    }
    if (m.status === 'complete') return null;
    return { folder, resume: true };
  }
  const folder = RunFolder.create({ out: opts.out, root: opts.root, name: opts.name ?? r.name, ...(runner.resumable ? { scenario: r.scenario } : {}) });
  return { folder, resume: folder.resumed };
}

/** Execute one run of any kind through the lifecycle. */
export async function executeRun(s: RawScenario, opts: RunOptions = {}): Promise<RunOutcome> {
  const log = opts.log ?? defaultLog;
  const { runner, resolved } = await resolveRun(s, opts);
  const target = openFolder(runner, resolved, opts);
  if (!target) {
    const folder = RunFolder.open(opts.resume!);
    log(`${folder.dir} is already complete; nothing to resume`);
    return { folder, kind: runner.kind, ran: false };
  }
  const { folder, resume } = target;
  let backend: string | undefined;
  if (runner.usesBackend) {
    backend = await initBackend({ backend: opts.backend ?? 'auto', quiet: opts.quiet ?? false });
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

/** Figures of a finished run; a figure problem never loses the results (redraw with `airlora figures DIR`). */
async function drawQuietly(folder: RunFolder, log: (line: string) => void): Promise<void> {
  try {
    const drawn = await drawFigures(folder);
    for (const d of drawn) log(`figure ${d.name}: ${d.files.filter((f) => f.endsWith('.png')).join(', ')}`);
  } catch (e) {
    log(`figures not drawn: ${e instanceof Error ? e.message : String(e)}`);
  }
}
