/**
 * `airlora sweep status DIR [--watch] [--interval S] [--timeout S] [--json]`: done / running /
 * pending / failed / missing jobs of a sweep folder, from its job folders, the Slurm queue and the
 * array tasks' markers, and the exact line that resubmits only the failed tasks. --watch re-prints
 * until the sweep is merged, nothing of it is queued or running any more, or --timeout passes.
 */
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { formatStatus, sweepStatus } from '../../sweep/status.js';

function seconds(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UserInputError(`${flag}: '${v}' is not a positive number of seconds`, flag);
  return n;
}

export function registerStatus(sweep: Command): void {
  sweep
    .command('status')
    .description('progress of a sweep folder (on Slurm: queued, running, failed tasks and how to resubmit them)')
    .argument('<dir>', 'sweep folder (written by sweep --emit slurm, or a local sweep)')
    .option('-w, --watch', 're-print until the sweep is merged or nothing of it is queued or running')
    .option('--interval <s>', 'seconds between reports with --watch', '10')
    .option('--timeout <s>', 'with --watch: stop after this many seconds even if the sweep is still running')
    .option('--json', 'print the report as JSON (one object per report)')
    .action(async (dir: string, o: { watch?: boolean; interval: string; timeout?: string; json?: boolean }) => {
      const interval = seconds(o.interval, '--interval');
      const timeout = o.timeout === undefined ? undefined : seconds(o.timeout, '--timeout');
      const t0 = Date.now();
      for (;;) {
        const r = sweepStatus(dir);
        if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
        else process.stdout.write((o.watch ? `[${new Date().toISOString().slice(0, 19)}Z] ` : '') + formatStatus(r));
        if (!o.watch || r.complete || !r.active) return;
        const left = timeout === undefined ? Infinity : timeout * 1000 - (Date.now() - t0);
        if (left <= 0) {
          if (!o.json) process.stdout.write(`watch: stopped after ${timeout} s; the sweep is still in progress\n`);
          return;
        }
        await new Promise((res) => setTimeout(res, Math.min(interval * 1000, left)));
        if (!o.json) process.stdout.write('\n');
      }
    });
}
