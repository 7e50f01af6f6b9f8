/**
 * `airlora run FILE [--out DIR] [--resume DIR] [--backend B] [--rounds N] [--trials N] [--seed S]`:
 * run one scenario of any kind (src/runs/registry.ts decides which from its sections: AirFL-LoRA,
 * federated training, split learning or a PHY Monte-Carlo) through the one lifecycle
 * (src/runs/lifecycle.ts). `--resume DIR` continues a killed run from its checkpoints; the scenario
 * (with the same flags) must be the one the folder was started with.
 */
import type { Command } from 'commander';
import { executeRun } from '../../runs/lifecycle.js';
import { parseBackendFlag } from '../../tf/index.js';
import { progress } from '../progress.js';
import { collectSet, overridesFrom, overridesRecord, scenarioWithSets } from './flags.js';

export { overridesFrom };

export interface RunFlags {
  out?: string;
  resume?: string;
  backend?: string;
  rounds?: string;
  trials?: string;
  seed?: string;
  set?: string[];
}

/** The exact command that resumes an interrupted run in `dir` (same file, same flags). */
export function resumeCommand(command: string, file: string, flags: { rounds?: string; trials?: string; seed?: string; backend?: string; set?: string[] }): (dir: string) => string {
  const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const extra = [
    ...(flags.set ?? []).map((v) => `--set ${q(v)}`),
    ...(['rounds', 'trials', 'seed', 'backend'] as const)
      .filter((k) => flags[k] !== undefined && !(k === 'backend' && flags[k] === 'auto'))
      .map((k) => `--${k} ${q(String(flags[k]))}`),
  ];
  return (dir) => ['airlora', command, q(file), '--resume', q(dir), ...extra].join(' ');
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a scenario: federated LoRA training (fl: section), AirFL-LoRA (fl + airfl), split learning, or a PHY Monte-Carlo')
    .argument('<file>', 'scenario YAML')
    .option('-o, --out <dir>', 'results folder (default runs/<name>-<UTC time>)')
    .option('--resume <dir>', 'continue a killed run of the same scenario from its last checkpoint')
    .option('--backend <name>', 'tfjs backend: auto, wasm, node, cpu', 'auto')
    .option('--rounds <n>', 'override the rounds (fl.rounds or split.rounds)')
    .option('--trials <n>', 'override the trials (PHY Monte-Carlo)')
    .option('--seed <s>', 'override the scenario seed')
    .option('--set <path=value>', 'override a scenario key (YAML value; repeatable), e.g. --set phy.snr_db=10', collectSet, [])
    .action(async (file: string, flags: RunFlags) => {
      const s = scenarioWithSets(file, flags.set);
      const bar = progress('run', 'steps');
      const out = await executeRun(s, {
        onProgress: (d, t) => bar.update(d, t),
        ...(flags.out !== undefined ? { out: flags.out } : {}), ...(flags.resume !== undefined ? { resume: flags.resume } : {}),
        backend: parseBackendFlag(flags.backend ?? 'auto'), overrides: overridesFrom(flags), source: file,
        extra: { command: ['airlora', 'run', file, ...process.argv.slice(4)], overrides: overridesRecord(flags) },
        signals: { resumeCommand: resumeCommand('run', file, flags) },
      });
      bar.stop();
      process.stdout.write(`${out.folder.dir}\n`);
    });
}
