import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runSweep, prepareSweepFolder } from '../src/sweep/run-sweep.js';
import { runSweepJob, mergeSweepFolder } from '../src/sweep/shards.js';
import { emitSlurm } from '../src/sweep/slurm.js';
import { RunFolder } from '../src/results/run-folder.js';
import { parseCsv } from '../src/results/csv.js';
import { UserInputError } from '../src/errors.js';

/** A 12-job demo sweep (2 SNRs × 3 antenna counts × 2 trials). */
function scenario(samples = 300) {
  return {
    kind: 'demo', seed: 21,
    demo: { snr_db: 0, antennas: 4, devices: 4, samples, trials: 3 },
    sweep: { grid: { 'demo.snr_db': [0, 10], 'demo.antennas': [2, 4, 8] }, trials: 2 },
  };
}

const bytes = (dir: string, f = 'metrics.csv') => readFileSync(join(dir, f), 'utf8');

describe('sweep: runs', function () {
  this.timeout(120000);
  let tmp: string;
  let reference: string; // metrics.csv of an uninterrupted --jobs 1 run
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'airlora-sweep-'));
    reference = bytes((await runSweep({ scenario: scenario(), out: join(tmp, 'ref'), jobs: 1 })).folder.dir);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('a sweep run twice gives byte-identical metrics.csv; tidy rows carry job, trial and grid columns', async () => {
    const again = await runSweep({ scenario: scenario(), out: join(tmp, 'again'), jobs: 1 });
    expect(bytes(again.folder.dir)).to.equal(reference);
    const rows = parseCsv(reference);
    expect(rows).to.have.length(12 * 2 * 3);
    expect(Object.keys(rows[0]!)).to.deep.equal(['job', 'sweep_trial', 'scheme', 'snr_db', 'antennas', 'devices', 'trial', 'nmse']);
    expect(rows[0]!.job).to.equal('j0000');
    expect(again.folder.manifest().status).to.equal('complete');
    // the estimate agrees with the analytic NMSE 10^(-snr/10)/(N·K) within a few standard errors
    const mrc = rows.filter((r) => r.scheme === 'mrc' && r.snr_db === '10' && r.antennas === '8').map((r) => Number(r.nmse));
    const mean = mrc.reduce((a, b) => a + b, 0) / mrc.length;
    expect(mean).to.be.closeTo(0.1 / 32, 0.1 / 32 * 0.1);
  });

  it('--jobs 2 (worker threads) gives the same bytes as --jobs 1', async () => {
    const par = await runSweep({ scenario: scenario(), out: join(tmp, 'par'), jobs: 2 });
    expect(par.ran).to.equal(12);
    expect(bytes(par.folder.dir)).to.equal(reference);
  });

  it('killed midway (SIGKILL), then --resume: finished jobs are kept and the result equals an uninterrupted run', async () => {
    const sc = scenario(6000); // slow enough (~0.1–0.3 s per job) to be killed mid-sweep
    const file = join(tmp, 'slow.yaml');
    writeFileSync(file, stringify(sc));
    const out = join(tmp, 'killed');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev.ts', 'sweep', file, '--jobs', '2', '--out', out, '--no-figures'],
      { stdio: 'ignore' });
    const finished = () => existsSync(join(out, 'jobs'))
      ? readdirSync(join(out, 'jobs')).filter((d) => RunFolder.open(join(out, 'jobs', d)).status === 'complete').length : 0;
    const t0 = Date.now();
    while (finished() < 3 && Date.now() - t0 < 60000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const done = finished();
    expect(done).to.be.within(3, 11);
    expect(RunFolder.open(out).isComplete()).to.equal(false);
    expect(existsSync(join(out, 'metrics.csv'))).to.equal(false);
    const logs: string[] = [];
    const res = await runSweep({ scenario: sc, resume: out, jobs: 2, log: (m) => logs.push(m) });
    expect(res.skipped).to.be.at.least(done);
    expect(res.ran + res.skipped).to.equal(12);
    expect(logs[0]).to.match(/resuming/);
    const full = await runSweep({ scenario: sc, out: join(tmp, 'slow-full'), jobs: 1 });
    expect(bytes(out)).to.equal(bytes(full.folder.dir));
    expect(RunFolder.open(out).isComplete()).to.equal(true);
  });

  it('--resume refuses a folder of another scenario; --out refuses a complete run', async () => {
    const other = { ...scenario(), seed: 22 };
    let err: unknown;
    try { await runSweep({ scenario: other, resume: join(tmp, 'ref'), jobs: 1 }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    err = undefined;
    try { await runSweep({ scenario: scenario(), out: join(tmp, 'ref'), jobs: 1 }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect((err as Error).message).to.match(/complete run/);
  });

  it('a failing job fails the sweep (through worker threads too) and leaves it not complete', async () => {
    for (const jobs of [1, 2]) {
      const sc = { ...scenario(), demo: { ...scenario().demo, fail: true } };
      let err: unknown;
      try { await runSweep({ scenario: sc, out: join(tmp, `fail${jobs}`), jobs }); } catch (e) { err = e; }
      expect((err as Error).message).to.match(/asked to fail/);
      expect(RunFolder.open(join(tmp, `fail${jobs}`)).status).to.equal('failed');
    }
  });

  it('Slurm: one array task per job, a merge step with afterok; shards merge into the uninterrupted result', async () => {
    const a = await prepareSweepFolder({ scenario: scenario(), out: join(tmp, 'slurmA') });
    const files = emitSlurm(a.folder, a.plan, { command: 'node /opt/airlora/bin/airlora.js', partition: 'cpu' });
    expect(files).to.deep.equal(['slurm/array.sbatch', 'slurm/merge.sbatch', 'slurm/submit.sh']);
    const arr = readFileSync(a.folder.path('slurm/array.sbatch'), 'utf8');
    expect(arr.split('\n')[0]).to.equal('#!/usr/bin/env bash');
    expect(arr).to.match(/^#SBATCH --array=0-11$/m);
    expect(arr).to.match(/^#SBATCH --partition=cpu$/m);
    expect(arr).to.contain(`node /opt/airlora/bin/airlora.js sweep-job '${a.folder.dir}' --index "\${SLURM_ARRAY_TASK_ID}"`);
    const merge = readFileSync(a.folder.path('slurm/merge.sbatch'), 'utf8');
    expect(merge).to.contain(`node /opt/airlora/bin/airlora.js merge '${a.folder.dir}'`);
    const submit = readFileSync(a.folder.path('slurm/submit.sh'), 'utf8');
    expect(submit).to.match(/sbatch --parsable array\.sbatch/).and.to.match(/--dependency=afterok:"\$\{array_id\}" merge\.sbatch/);
    // even tasks ran on machine A, odd ones on machine B (a second prepared folder of the same sweep)
    const b = await prepareSweepFolder({ scenario: scenario(), out: join(tmp, 'slurmB') });
    for (let i = 0; i < 12; i++) await runSweepJob(i % 2 ? b.folder.dir : a.folder.dir, i);
    expect(() => mergeSweepFolder(a.folder.dir)).to.throw(UserInputError, /6 of 12 jobs are not finished/);
    expect((await runSweepJob(a.folder.dir, 0)).skipped).to.equal(true);
    const m = mergeSweepFolder(a.folder.dir, [b.folder.dir]);
    expect(m.copied).to.equal(6);
    expect(bytes(a.folder.dir)).to.equal(reference);
    expect(RunFolder.open(a.folder.dir).isComplete()).to.equal(true);
    let err: unknown;
    try { await runSweepJob(a.folder.dir, 12); } catch (e) { err = e; }
    expect((err as Error).message).to.match(/--index: 12 is out of range; this sweep has jobs 0\.\.11/);
  });
});
