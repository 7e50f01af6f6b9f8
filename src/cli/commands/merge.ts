/**
 * `airlora merge DIR [SHARD...]`: merge a sweep folder's finished jobs (plus those found in shard
 * folders of the same sweep) into one metrics.csv, draw its figures, and mark it complete.
 */
import type { Command } from 'commander';
import { mergeSweepFolder } from '../../sweep/shards.js';
import { drawAfterRun } from './sweep.js';

export function register(program: Command): void {
  program
    .command('merge')
    .description('merge the job folders of a sweep (and of shard folders of the same sweep) into one results folder')
    .argument('<dir>', 'sweep folder')
    .argument('[shards...]', 'other folders of the same sweep whose finished jobs are gathered in')
    .option('--no-figures', 'skip drawing figures')
    .action(async (dir: string, shards: string[], o: { figures: boolean }) => {
      const log = (m: string) => process.stderr.write(m + '\n');
      const r = mergeSweepFolder(dir, shards);
      log(`merged ${r.plan.jobs.length} jobs${r.copied ? ` (${r.copied} gathered from shards)` : ''}: ${Object.entries(r.merged.rows).map(([f, n]) => `${f} ${n} rows`).join(', ')}`);
      if (o.figures) await drawAfterRun(r.folder, log);
      process.stdout.write(`${r.folder.dir}\n`);
    });
}
