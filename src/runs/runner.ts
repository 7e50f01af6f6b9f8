/**
 * What a kind of run is (Flower-style: an object that declares what it can do, not a branch on a
 * name). `airlora run`, `airlora phy --out`, sweeps and Slurm array tasks all execute runners through
 * the one lifecycle (lifecycle.ts) and find them in the one table (registry.ts).
 */
import type { RunFolder } from '../results/run-folder.js';

/** A scenario as read from YAML or built in code (validated by the runner's `resolve`). */
export type RawScenario = Record<string, unknown>;

export interface Resolved<C> {
  /** the typed configuration the run consumes */
  config: C;
  /** the scenario as validated (defaults filled in): recorded in the manifest, compared on resume */
  scenario: unknown;
  seed: number;
  /** the run's name (default folder name) */
  name: string;
}

export interface RunContext {
  folder: RunFolder;
  /** the folder holds an unfinished run of the same scenario: continue from its checkpoints */
  resume: boolean;
  log: (line: string) => void;
  /** the tfjs backend in use (runners with `usesBackend`) */
  backend?: string;
  /** progress: units done of total (trial blocks, rounds, ...) */
  onProgress?: (done: number, total: number) => void;
}

/** Command-line overrides, applied to the scenario (at the runner's paths) before it is validated. */
export interface Overrides {
  rounds?: number;
  trials?: number;
  seed?: number;
}

export interface Runner<C = unknown> {
  readonly kind: string;
  /** whether a scenario without an explicit `kind:` is of this kind (the table is tried in order) */
  detect(s: RawScenario): boolean;
  /**
   * Validate the scenario and map it onto the typed configuration. Every start-up check happens here,
   * before a folder exists or memory is spent; errors are UserInputErrors naming the field.
   */
  resolve(s: RawScenario, source: string): Resolved<C>;
  /** scenario paths the --rounds / --trials / --seed flags set for this kind (absent: flag refused) */
  readonly overrides: { [K in keyof Overrides]?: string };
  /**
   * a killed run continues in its folder from its checkpoints; without them `--resume` restarts the
   * run in the same folder (the same scenario gives the same bytes)
   */
  readonly resumable: boolean;
  /** trains tfjs models: the lifecycle starts a backend first and records it */
  readonly usesBackend: boolean;
  /** run into ctx.folder; the returned object is recorded in the manifest on completion */
  run(config: C, ctx: RunContext): Promise<object | void> | object | void;
}
