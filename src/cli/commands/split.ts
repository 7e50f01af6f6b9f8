/**
 * `airlora split FILE [--out DIR] [--backend B] [--rounds N]`: run a split-learning scenario (a
 * scenario with a `split:` section) directly; `airlora run` dispatches the same runner.
 */
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { loadScenario } from '../../scenario/index.js';
import { RunFolder } from '../../results/run-folder.js';
import { initBackend, parseBackendFlag } from '../../tf/index.js';
import { runSplitScenario } from '../../split/run-scenario.js';

export function register(program: Command): void {
  program
    .command('split')
    .description('run a split federated LoRA scenario (split: section): every scheduler on the same channel and data draws')
    .argument('<file>', 'scenario YAML with a split: section')
    .option('-o, --out <dir>', 'results folder (default runs/<name>-<UTC time>)')
    .option('--backend <name>', 'tfjs backend: auto, wasm, node, cpu', 'auto')
    .option('--rounds <n>', 'override split.rounds')
    .action(async (file: string, flags: { out?: string; backend?: string; rounds?: string }) => {
      const s = loadScenario(file) as unknown as Record<string, unknown>;
      if (s['split'] === undefined) throw new UserInputError(`${file}: no split: section`, 'split');
      if (flags.rounds !== undefined) {
        const n = Number(flags.rounds);
        if (!/^\d+$/.test(flags.rounds.trim()) || n < 1) throw new UserInputError(`--rounds: '${flags.rounds}' is not a positive integer`, '--rounds');
        (s['split'] as { rounds: number }).rounds = n;
      }
      const folder = RunFolder.create({ out: flags.out, name: String(s['name']), scenario: s });
      const backend = await initBackend({ backend: parseBackendFlag(flags.backend ?? 'auto') });
      folder.writeManifest({ kind: 'split', scenario: s, seed: s['seed'] as number, backend, extra: { command: ['airlora', 'split', file, ...process.argv.slice(4)] } });
      process.stderr.write(`[airlora] split ${String(s['name'])} → ${folder.dir}\n`);
      try {
        await runSplitScenario(s, folder, { log: (l) => process.stderr.write(`[airlora] ${l}\n`) });
        folder.complete();
      } catch (e) {
        folder.fail(e);
        throw e;
      }
      process.stdout.write(`${folder.dir}\n`);
    });
}
