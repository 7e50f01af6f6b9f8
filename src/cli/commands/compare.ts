/**
 * `airlora compare DIR... [--metric m] [--by col] [--json]`: final metrics across runs and
 * schemes with 95% CIs over trials.
 */
import type { Command } from 'commander';
import { compareRuns, formatCompareTable } from '../../report/compare.js';

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function register(program: Command): void {
  program
    .command('compare')
    .description('table of final metrics across results folders and schemes, with 95% CIs where there are trials')
    .argument('<dirs...>', 'results folders')
    .option('--metric <cols>', 'metric columns (comma-separated, repeatable; default: every numeric column)', list)
    .option('--by <cols>', 'group-by columns (default: scheme-like and sweep-point columns)', list)
    .option('--data <file>', 'CSV inside each folder (default metrics.csv, else phy-trials.csv)')
    .option('--json', 'print JSON instead of a table')
    .action((dirs: string[], o: { metric?: string[]; by?: string[]; data?: string; json?: boolean }) => {
      const res = compareRuns(dirs, { metrics: o.metric, by: o.by, data: o.data });
      process.stdout.write(o.json ? JSON.stringify(res, null, 2) + '\n' : formatCompareTable(res));
    });
}
