/**
 * `airlora split FILE [--out DIR] [--backend B] [--rounds N] [--seed S]`: run a split-learning scenario
 * (a `split:` section); the same run as `airlora run FILE`, refused for other kinds.
 */
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { executeRun } from '../../runs/lifecycle.js';
import { runnerKindOf } from '../../runs/registry.js';
import { parseBackendFlag } from '../../tf/index.js';
import { overridesFrom, resumeCommand } from './run.js';
import { collectSet, overridesRecord, scenarioWithSets } from './flags.js';

export function register(program: Command): void {
  program
    .command('split')
    .description('run a split federated LoRA scenario (split: section): every scheduler on the same channel and data draws')
    .argument('<file>', 'scenario YAML with a split: section')
    .option('-o, --out <dir>', 'results folder (default runs/<name>-<UTC time>)')
    .option('--backend <name>', 'tfjs backend: auto, wasm, node, cpu', 'auto')
    .option('--rounds <n>', 'override split.rounds')
    .option('--seed <s>', 'override the scenario seed')
    .option('--set <path=value>', 'override a scenario key (YAML value; repeatable)', collectSet, [])
    .action(async (file: string, flags: { out?: string; backend?: string; rounds?: string; seed?: string; set?: string[] }) => {
      const s = scenarioWithSets(file, flags.set);
      if (runnerKindOf(s) !== 'split') throw new UserInputError(`${file}: no split: section`, 'split');
      const out = await executeRun(s, {
        ...(flags.out !== undefined ? { out: flags.out } : {}), backend: parseBackendFlag(flags.backend ?? 'auto'),
        overrides: overridesFrom(flags), source: file, extra: { command: ['airlora', 'split', file, ...process.argv.slice(4)], overrides: overridesRecord(flags) },
        signals: { resumeCommand: resumeCommand('run', file, flags) },
      });
      process.stdout.write(`${out.folder.dir}\n`);
    });
}
