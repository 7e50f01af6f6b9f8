/**
 * Sweeps and the end-to-end quick start.
 *  - sweep.speedup_jobs2: a 16-job sweep of the synthetic `demo` runner (4 SNRs × 4 antenna
 *    counts, ~0.5–1 s of Monte-Carlo per job) run by the built CLI (`node bin/airlora.js sweep
 *    FILE --jobs N`, as a user runs it) with --jobs 1 (in the main thread) and --jobs 2 (two worker
 *    threads); the ratio of wall times, best of 2 each. Ideal on an idle 2-core machine: 2.
 *  - run.quickstart_s: wall time of the built CLI on the quick-start scenario, as a user runs it
 *    after `npm install`: `node bin/airlora.js run scenarios/quickstart.yaml --out DIR`, then
 *    `airlora figures DIR` if the run left no figures. dist/ is rebuilt first (not timed).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult, BenchSuite } from './harness.js';

const sweepScenario = {
  kind: 'demo', seed: 3,
  demo: { snr_db: 0, antennas: 4, devices: 4, samples: 300000, trials: 3 },
  sweep: { grid: { 'demo.snr_db': [0, 10, 20, 30], 'demo.antennas': [2, 4, 6, 8] } },
};

let runs = 0;
function timeSweep(jobs: number, file: string, root: string): number {
  const t0 = performance.now();
  execFileSync(process.execPath, ['bin/airlora.js', 'sweep', file, '--jobs', String(jobs), '--out', join(root, `s${runs++}`), '--no-figures'], { stdio: 'ignore' });
  return (performance.now() - t0) / 1000;
}

function build(log: (m: string) => void): void {
  log('building dist/ (npm run prepare)');
  try {
    execFileSync(process.execPath, ['scripts/prepare.mjs'], { stdio: 'ignore' });
  } catch {
    log('prepare reported type errors; timing the dist/ it emitted');
  }
}

const suite: BenchSuite = {
  group: 'sweep',
  names: ['sweep.speedup_jobs2', 'run.quickstart_s'],
  async run(log) {
    const out: BenchResult[] = [];
    const root = mkdtempSync(join(tmpdir(), 'airlora-bench-'));
    try {
      build(log);
      const file = join(root, 'sweep16.json');
      writeFileSync(file, JSON.stringify(sweepScenario)); // YAML is a superset of JSON
      const t1 = Math.min(timeSweep(1, file, root), timeSweep(1, file, root));
      const t2 = Math.min(timeSweep(2, file, root), timeSweep(2, file, root));
      log(`16-job sweep: --jobs 1 ${t1.toFixed(2)} s, --jobs 2 ${t2.toFixed(2)} s`);
      out.push({ name: 'sweep.speedup_jobs2', value: t1 / t2, unit: 'x', note: `16 jobs: ${t1.toFixed(2)} s → ${t2.toFixed(2)} s` });

      const dir = join(root, 'quickstart');
      const t0 = performance.now();
      execFileSync(process.execPath, ['bin/airlora.js', 'run', 'scenarios/quickstart.yaml', '--out', dir], { stdio: 'ignore' });
      const hasFigures = existsSync(join(dir, 'figures')) && readdirSync(join(dir, 'figures')).some((f) => f.endsWith('.png'));
      if (!hasFigures) execFileSync(process.execPath, ['bin/airlora.js', 'figures', dir], { stdio: 'ignore' });
      const s = (performance.now() - t0) / 1000;
      out.push({ name: 'run.quickstart_s', value: s, unit: 's', note: hasFigures ? 'run (drew its figures)' : 'run + airlora figures' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    return out;
  },
};
export default suite;
