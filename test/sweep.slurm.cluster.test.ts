// Emitted sweeps on a real single-node Slurm cluster (scripts/slurm-local.sh: Debian's slurmctld,
// slurmd and munge; .ci/run starts it before the tests). submit.sh runs the array and the
// dependent merge; the merged files must equal `airlora sweep --jobs 1` byte for byte. A task made
// to fail leaves the sweep incomplete with a `sweep status` report whose resubmit line, run as
// printed, finishes the sweep with the uninterrupted result. Without a cluster the suite fails in
// CI (CI=true) and is skipped elsewhere, saying why.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { main } from '../src/cli/main.js';
import { sweepStatus, type SweepStatusReport } from '../src/sweep/status.js';

const ROOT = resolve('.');
const LOCAL = join(ROOT, 'scripts/slurm-local.sh');
process.env.SLURM_CONF ??= '/tmp/airlora-slurm/slurm.conf';

/** `node --import tsx src/cli/dev.ts …` from the repository root (what the jobs run, via --chdir). */
const CLI = 'node --import tsx src/cli/dev.ts';

function clusterUp(): boolean {
  // without its config file, scontrol retries for 60 s before giving up
  if (!existsSync(process.env.SLURM_CONF!)) return false;
  const r = spawnSync('scontrol', ['ping'], { encoding: 'utf8', timeout: 20000 });
  return r.status === 0 && /is UP/.test(r.stdout);
}

/** The CLI in-process (a CLI start-up costs seconds on a busy machine; the jobs pay it anyway). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [], err: string[] = [];
  const [w1, w2] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((c: string) => { out.push(String(c)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => { err.push(String(c)); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'airlora', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

/** `airlora sweep status DIR` as printed. */
async function statusText(dir: string): Promise<string> {
  const r = await cli(['sweep', 'status', dir]);
  expect(r.code, r.stderr).to.equal(0);
  return r.stdout;
}

/** Poll `sweep status` (squeue + markers) until `done(report)`, at most `limitS` seconds. */
async function waitFor(dir: string, done: (r: SweepStatusReport) => boolean, limitS: number): Promise<SweepStatusReport> {
  const t0 = Date.now();
  for (;;) {
    const r = sweepStatus(dir);
    if (done(r)) return r;
    if (Date.now() - t0 > limitS * 1000) {
      const logs = join(dir, 'slurm/logs');
      const tail = existsSync(logs) ? readdirSync(logs).map((f) => `--- ${f}\n${readFileSync(join(logs, f), 'utf8').slice(-800)}`).join('\n') : '';
      throw new Error(`sweep not finished after ${limitS} s:\n${await statusText(dir)}\n${execFileSync('squeue', ['-a'], { encoding: 'utf8' })}\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The merged data files of a sweep folder (every CSV and JSONL it wrote), name → bytes. */
function mergedFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    if ((f.endsWith('.csv') || f.endsWith('.jsonl')) && f !== 'timing.csv') out[f] = readFileSync(join(dir, f), 'utf8');
  }
  return out;
}

describe('sweep on a real Slurm cluster (scripts/slurm-local.sh)', function () {
  this.timeout(300000);
  let tmp: string;
  let startedHere = false;

  before(function () {
    if (!clusterUp()) {
      const why: string[] = [];
      if (process.getuid?.() === 0 && spawnSync('which', ['slurmctld']).status === 0) {
        const s = spawnSync('bash', [LOCAL, 'start'], { encoding: 'utf8' });
        if (s.status === 0 && clusterUp()) startedHere = true;
        else why.push(`scripts/slurm-local.sh start failed: ${(s.stderr || s.stdout).trim().split('\n').slice(-3).join(' | ')}`);
      } else {
        why.push(process.getuid?.() === 0 ? 'slurmctld is not installed (bash scripts/slurm-local.sh install)' : 'not root, and no cluster answers scontrol ping');
      }
      if (!startedHere) {
        const msg = `Slurm cluster not available (SLURM_CONF=${process.env.SLURM_CONF}): ${why.join('; ')}`;
        if (process.env.CI === 'true') throw new Error(msg);
        console.log(`      skipped: ${msg}`);
        this.skip();
      }
    }
    tmp = mkdtempSync(join(tmpdir(), 'airlora-slurm-cluster-'));
  });
  let failed = false;
  afterEach(function () { if (this.currentTest?.state === 'failed') failed = true; });
  after(() => {
    if (tmp && failed) console.log(`      kept for inspection: ${tmp}`);
    else if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (startedHere) spawnSync('bash', [LOCAL, 'stop']);
  });

  it('submit.sh: the array (2 PHY points per task) and the dependent merge give the bytes of `sweep --jobs 1`', async () => {
    const file = join(tmp, 'phy.yaml');
    writeFileSync(file, stringify({
      name: 'slurm-phy', seed: 7, trials: 3,
      phy: { devices: 2, antennas: { device: 1, server: 2 }, streams: 1, subcarriers: 4, payload: 32, snr_db: 0, power: { mode: 'symbol' } },
      aggregation: ['ideal', 'zf'],
      sweep: { grid: { 'phy.snr_db': [0, 10], 'phy.antennas.server': [2, 4] } },
    }));
    const dir = join(tmp, 'phy-slurm');
    const t0 = Date.now();
    const emit = await cli(['sweep', file, '--emit', 'slurm', dir, '--command', CLI, '--partition', 'debug', '--time', '00:10:00',
      '--cpus-per-task', '1', '--mem', '200M', '--array-throttle', '2', '--jobs-per-task', '2', '--setup', 'export AIRLORA_SLURM_TEST=1']);
    expect(emit.code, emit.stderr).to.equal(0);
    expect(emit.stderr).to.contain('4 jobs');
    expect(readFileSync(join(dir, 'slurm/array.sbatch'), 'utf8')).to.match(/^#SBATCH --array=0-1%2$/m).and.contain(`${CLI} sweep task '${dir}' --task`);
    const sub = spawnSync('bash', [join(dir, 'slurm/submit.sh')], { encoding: 'utf8' });
    expect(sub.status, sub.stderr).to.equal(0);
    expect(sub.stdout).to.match(/^submitted array job \d+ and merge job \d+/);
    const ref = await cli(['sweep', file, '--jobs', '1', '--out', join(tmp, 'phy-ref'), '--no-figures']); // while the cluster works
    expect(ref.code, ref.stderr).to.equal(0);
    const r = await waitFor(dir, (x) => x.complete || (!x.active && x.jobs.failed.length > 0), 240);
    expect(r.complete, await statusText(dir)).to.equal(true);
    expect(r.jobs.done).to.have.length(4);
    const took = (Date.now() - t0) / 1000;
    const want = mergedFiles(join(tmp, 'phy-ref'));
    expect(Object.keys(want)).to.include('phy-trials.csv');
    expect(mergedFiles(dir)).to.deep.equal(want);
    // both array tasks ran on the cluster (markers), none failed
    expect(readdirSync(join(dir, 'slurm/tasks')).sort()).to.deep.equal(['0.started', '1.started']);
    expect(await statusText(dir)).to.match(/^status: complete \(merged: .*phy-trials\.csv.*\)$/m);
    console.log(`      (emit + Slurm array + merge: ${took.toFixed(1)} s)`);
  });

  it('a failed task: `sweep status` reports it with the resubmit line; run as printed, the merge completes with the uninterrupted result', async () => {
    const file = join(tmp, 'demo.yaml');
    writeFileSync(file, stringify({
      kind: 'demo', seed: 3, demo: { snr_db: 0, antennas: 2, devices: 3, samples: 200, trials: 2 },
      sweep: { grid: { 'demo.snr_db': [0, 5, 10, 15] } },
    }));
    // The cluster's command: the CLI, except task 2 fails while the flag file exists (an injected fault).
    const flag = join(tmp, 'fail-task-2');
    writeFileSync(flag, '');
    const wrapper = join(tmp, 'airlora.sh');
    writeFileSync(wrapper, `#!/usr/bin/env bash\nif [ -e '${flag}' ] && [ "\${SLURM_ARRAY_TASK_ID:-}" = 2 ]; then echo "error: injected fault in task 2" >&2; exit 3; fi\nexec ${CLI} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const dir = join(tmp, 'demo-slurm');
    const t0 = Date.now();
    const emit = await cli(['sweep', file, '--emit', 'slurm', dir, '--command', wrapper, '--time', '5']);
    expect(emit.code, emit.stderr).to.equal(0);
    expect(spawnSync('bash', [join(dir, 'slurm/submit.sh')], { encoding: 'utf8' }).status).to.equal(0);
    const ref = await cli(['sweep', file, '--jobs', '1', '--out', join(tmp, 'demo-ref'), '--no-figures']);
    expect(ref.code, ref.stderr).to.equal(0);
    let r = await waitFor(dir, (x) => !x.active, 240);
    expect(r.complete).to.equal(false);
    expect(r.jobs).to.deep.include({ done: ['j0000', 'j0001', 'j0003'], failed: ['j0002'], missing: [], running: [], pending: [] });
    expect(r.merge.state).to.equal('cancelled');
    expect(existsSync(join(dir, 'metrics.csv'))).to.equal(false);
    const text = await statusText(dir);
    expect(text).to.match(/task 2 \(j0002\): exit 3 in Slurm job \d+_2 on \S+: error: injected fault in task 2/);
    expect(text).to.match(/merge +cancelled: a task failed, so Slurm dropped merge job \d+ \(DependencyNeverSatisfied\)/);
    expect(text).to.contain('status: incomplete');
    const lines = text.split('\n');
    const line = lines[lines.findIndex((l) => l.startsWith('resubmit only the 1 failed or missing task (2)')) + 1]!.trim();
    expect(line).to.equal(`cd '${dir}/slurm' && jid=$(sbatch --parsable --array=2 array.sbatch) && sbatch --dependency=afterok:\${jid%%;*} merge.sbatch`);
    const failedAt = (Date.now() - t0) / 1000;

    rmSync(flag); // the fault is fixed; resubmit exactly as printed
    const re = spawnSync('bash', ['-c', line], { encoding: 'utf8' });
    expect(re.status, re.stderr).to.equal(0);
    r = await waitFor(dir, (x) => x.complete || !x.active, 240);
    expect(r.complete, await statusText(dir)).to.equal(true);
    const want = mergedFiles(join(tmp, 'demo-ref'));
    expect(Object.keys(want)).to.include('metrics.csv');
    expect(mergedFiles(dir)).to.deep.equal(want);
    expect(existsSync(join(dir, 'slurm/tasks/2.failed'))).to.equal(false);
    console.log(`      (failure reported after ${failedAt.toFixed(1)} s; resubmitted and merged after ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  });
});
