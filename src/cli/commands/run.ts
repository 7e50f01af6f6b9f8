/**
 * `airlora run FILE [--out DIR] [--resume DIR] [--backend B] [--rounds N]`: run one scenario.
 *
 * Dispatch by the sections the scenario has (RUNNERS below):
 *   fl + airfl → AirFL-LoRA: one training run per aggregation scheme and rank (src/airfl/run-scenario.ts)
 *   fl      → federated LoRA training (src/fl/run-scenario.ts)
 *   split   → split federated LoRA (src/split/run-scenario.ts; same as `airlora split`)
 *   neither → PHY Monte-Carlo (src/phy/experiment; same as `airlora phy --out`)
 * A training run writes manifest.json, metrics.csv, rounds.jsonl, tokenizer.json and checkpoint.json
 * (after every round). `--resume DIR` continues a killed run from its checkpoint; the scenario (with
 * the same flags) must be the one the folder was started with.
 */
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { loadScenario, type Scenario } from '../../scenario/index.js';
import { RunFolder } from '../../results/run-folder.js';
import { canonicalJson } from '../../results/canonical.js';
import { initBackend, parseBackendFlag } from '../../tf/index.js';
import { runTrainingScenario, type TrainingScenario } from '../../fl/run-scenario.js';
import { lora as loraSection } from '../../scenario/sections/lora.js';
import { runSplitScenario } from '../../split/run-scenario.js';
import { phyExperiment } from '../../scenario/phy-experiment.js';
import { runPhyExperiment } from '../../phy/experiment/montecarlo.js';
import { formatPhyTable } from './phy.js';
import { drawFigures } from '../../report/draw.js';
import { runAirflScenario } from '../../airfl/run-scenario.js';

export interface RunFlags {
  out?: string;
  resume?: string;
  backend?: string;
  rounds?: string;
}

type ScenarioKind = 'airfl' | 'train' | 'split' | 'phy';
type Runner = (s: Scenario, file: string, flags: RunFlags) => Promise<void>;

/** Which runner a scenario goes to, from the sections it has. */
export function scenarioKind(s: Scenario): ScenarioKind {
  const r = s as unknown as Record<string, unknown>;
  if (r['airfl'] !== undefined && r['fl'] !== undefined) return 'airfl';
  if (r['fl'] !== undefined) return 'train';
  if (r['split'] !== undefined) return 'split';
  return 'phy';
}

/** The dispatch point: one entry per kind of scenario. */
export const RUNNERS: Record<ScenarioKind, Runner> = {
  airfl: runAirfl,
  train: runTraining,
  split: runSplit,
  phy: runPhy,
};

export function register(program: Command): void {
  program
    .command('run')
    .description('run a scenario: federated LoRA training (fl: section), split learning, or a PHY Monte-Carlo')
    .argument('<file>', 'scenario YAML')
    .option('-o, --out <dir>', 'results folder (default runs/<name>-<UTC time>)')
    .option('--resume <dir>', 'continue a killed run of the same scenario from its last checkpoint')
    .option('--backend <name>', 'tfjs backend: auto, wasm, node, cpu', 'auto')
    .option('--rounds <n>', 'override fl.rounds')
    .action(async (file: string, flags: RunFlags) => {
      const s = loadScenario(file);
      await RUNNERS[scenarioKind(s)](s, file, flags);
    });
}

/** `--rounds N` overrides `<section>.rounds` (training and split scenarios only). */
function applyRounds(s: Scenario, section: 'fl' | 'split', flags: RunFlags): void {
  if (flags.rounds === undefined) return;
  const n = Number(flags.rounds);
  if (!/^\d+$/.test(flags.rounds.trim()) || n < 1) throw new UserInputError(`--rounds: '${flags.rounds}' is not a positive integer`, '--rounds');
  ((s as unknown as Record<string, unknown>)[section] as { rounds: number }).rounds = n;
}

/**
 * The folder of a resumable run: `--resume DIR` (same scenario and flags, not complete) or a new one
 * (`--out` / default). `null` when the folder to resume is already complete (nothing to do).
 */
function resumableFolder(s: Scenario, flags: RunFlags): { folder: RunFolder; resume: boolean } | null {
  if (flags.resume && flags.out) throw new UserInputError('--resume and --out: give one (resume writes into the folder it continues)', '--out');
  if (!flags.resume) {
    const folder = RunFolder.create({ out: flags.out, name: s.name, scenario: s });
    return { folder, resume: folder.resumed };
  }
  const folder = RunFolder.open(flags.resume);
  const m = folder.manifest();
  if (canonicalJson(m.scenario) !== canonicalJson(s)) {
    throw new UserInputError(`--resume: '${flags.resume}' was started from a different scenario (or other --rounds); resume with the same file and flags`, '--resume');
  }
  if (m.status === 'complete') {
    process.stderr.write(`[airlora] ${folder.dir} is already complete; nothing to resume\n`);
    process.stdout.write(`${folder.dir}\n`);
    return null;
  }
  return { folder, resume: true };
}

/** Run `work` in the folder: complete on success, failed (and rethrown) otherwise; then figures. */
async function lifecycle(folder: RunFolder, work: () => Promise<object | void>): Promise<void> {
  try {
    const extra = await work();
    folder.complete(extra ?? undefined);
  } catch (e) {
    folder.fail(e);
    throw e;
  }
  await drawQuietly(folder);
  process.stdout.write(`${folder.dir}\n`);
}

const log = (line: string) => process.stderr.write(`[airlora] ${line}\n`);
const command = (file: string) => ['airlora', 'run', file, ...process.argv.slice(4)];

async function runTraining(s: Scenario, file: string, flags: RunFlags): Promise<void> {
  const r = s as unknown as Record<string, unknown>;
  applyRounds(s, 'fl', flags);
  if (r['data'] === undefined) throw new UserInputError(`${file}: a training scenario (fl: section) needs a data: section (dataset, partition, seq_len, ...)`, 'data');
  const scenario: TrainingScenario = {
    name: s.name, seed: s.seed,
    fl: r['fl'] as TrainingScenario['fl'],
    data: r['data'] as TrainingScenario['data'],
    model: r['model'] as TrainingScenario['model'],
    lora: (r['lora'] as TrainingScenario['lora'] | undefined) ?? loraSection.parse({})!,
  };
  const backendChoice = parseBackendFlag(flags.backend ?? 'auto');
  const target = resumableFolder(s, flags);
  if (!target) return;
  const { folder, resume } = target;
  const backend = await initBackend({ backend: backendChoice });
  if (!folder.hasManifest()) folder.writeManifest({ kind: 'train', scenario: s, seed: s.seed, backend, extra: { command: command(file) } });
  log(`${resume ? 'resuming' : 'training'} ${s.name} → ${folder.dir}`);
  await lifecycle(folder, async () => {
    const res = await runTrainingScenario(scenario, { folder, resume, log });
    return { rounds: res.lastRound, backendAtEnd: backend };
  });
}

async function runAirfl(s: Scenario, file: string, flags: RunFlags): Promise<void> {
  applyRounds(s, 'fl', flags);
  const backendChoice = parseBackendFlag(flags.backend ?? 'auto');
  const target = resumableFolder(s, flags);
  if (!target) return;
  const { folder, resume } = target;
  const backend = await initBackend({ backend: backendChoice });
  if (!folder.hasManifest()) folder.writeManifest({ kind: 'airfl', scenario: s, seed: s.seed, backend, extra: { command: command(file) } });
  log(`AirFL-LoRA ${s.name} → ${folder.dir}`);
  await lifecycle(folder, () => runAirflScenario(s, { folder, resume, backend, log }).then(() => undefined));
}

async function runSplit(s: Scenario, file: string, flags: RunFlags): Promise<void> {
  if (flags.resume) throw new UserInputError('--resume: split-learning runs cannot be resumed; start a new run', '--resume');
  applyRounds(s, 'split', flags);
  const folder = RunFolder.create({ out: flags.out, name: s.name, scenario: s });
  const backend = await initBackend({ backend: parseBackendFlag(flags.backend ?? 'auto') });
  folder.writeManifest({ kind: 'split', scenario: s, seed: s.seed, backend, extra: { command: command(file) } });
  log(`split ${s.name} → ${folder.dir}`);
  await lifecycle(folder, () => runSplitScenario(s as unknown as Record<string, unknown>, folder, { log }).then(() => undefined));
}

async function runPhy(s: Scenario, file: string, flags: RunFlags): Promise<void> {
  if (flags.resume) throw new UserInputError('--resume: PHY Monte-Carlo runs cannot be resumed; start a new run', '--resume');
  if (flags.rounds !== undefined) throw new UserInputError('--rounds: only for training scenarios (fl: section)', '--rounds');
  const exp = phyExperiment(s);
  const resolved = { ...s, trials: exp.trials, seed: exp.seed };
  const folder = RunFolder.create({ out: flags.out, name: s.name, scenario: resolved });
  folder.writeManifest({ kind: 'phy', scenario: resolved, seed: exp.seed, extra: { command: command(file) } });
  await lifecycle(folder, async () => {
    const { rows, summary } = runPhyExperiment(exp);
    folder.writeCsv('phy-trials.csv', rows);
    folder.writeCsv('phy-summary.csv', summary);
    folder.writeJson('phy-summary.json', { name: s.name, seed: exp.seed, trials: exp.trials, summary });
    process.stderr.write(formatPhyTable(summary));
  });
}

/** Figures of a finished run (the scenario's figures: section, else the presets its metrics allow). */
async function drawQuietly(folder: RunFolder): Promise<void> {
  try {
    const drawn = await drawFigures(folder);
    for (const d of drawn) process.stderr.write(`[airlora] figure ${d.name}: ${d.files.filter((f) => f.endsWith('.png')).join(', ')}\n`);
  } catch (e) {
    // The results are complete; a figure problem must not lose them (redraw with `airlora figures DIR`).
    process.stderr.write(`[airlora] figures not drawn: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
