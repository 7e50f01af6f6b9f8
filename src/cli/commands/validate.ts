/** `airlora validate FILE [--print]`: check a scenario file; bad input exits 2 with the field, value and allowed values. */
import type { Command } from 'commander';
import { loadScenario } from '../../scenario/load.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a scenario file (unknown keys, types, ranges, cross-field rules)')
    .argument('<file>', 'scenario YAML file')
    .option('--print', 'print the resolved scenario (defaults filled in) as JSON')
    .action((file: string, opts: { print?: boolean }) => {
      const s = loadScenario(file);
      if (opts.print) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else process.stdout.write(`${file}: valid scenario '${s.name}' (seed ${s.seed}, ${s.trials} trials)\n`);
    });
}
