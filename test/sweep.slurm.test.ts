// Slurm export and `sweep status` without a cluster: the emitted scripts' knobs, the array script's
// task loop and failure markers run by bash with Slurm's environment, and status reports built from
// job folders, markers and (fake) squeue snapshots. The real-cluster test is sweep.slurm.cluster.test.ts.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserInputError } from '../src/errors.js';
import { prepareSweepFolder } from '../src/sweep/run-sweep.js';
import { runSweepJob } from '../src/sweep/shards.js';
import { checkSlurmOptions, emitSlurm, type SlurmLayout } from '../src/sweep/slurm.js';
import { runSlurmTask, taskJobIndices } from '../src/sweep/slurm-task.js';
import { parseSqueue, querySqueue, type QueueEntry } from '../src/sweep/slurm-queue.js';
import { main } from '../src/cli/main.js';
import { compactIndices, formatStatus, sweepStatus } from '../src/sweep/status.js';

const demo = (jobs: number) => ({
  kind: 'demo', seed: 5,
  demo: { snr_db: 0, antennas: 2, devices: 2, samples: 20, trials: 1 },
  sweep: { grid: { 'demo.snr_db': Array.from({ length: jobs }, (_, i) => i) } },
});

describe('sweep: Slurm scripts and status (no cluster)', function () {
  this.timeout(60000);
  let tmp: string;
  const conf = process.env.SLURM_CONF; // the fake squeue calls below must not depend on a real cluster's config
  before(() => { tmp = mkdtempSync(join(tmpdir(), 'airlora-slurm-')); delete process.env.SLURM_CONF; });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
    if (conf !== undefined) process.env.SLURM_CONF = conf;
  });

  it('the emitted scripts carry the cluster knobs; slurm.json records the task layout', async () => {
    const { folder, plan } = await prepareSweepFolder({ scenario: demo(12), out: join(tmp, 'knobs') });
    emitSlurm(folder, plan, {
      command: 'node /opt/airlora/bin/airlora.js', partition: 'cpu', account: 'proj42', time: '0-02:00:00', mergeTime: '10:00',
      cpusPerTask: 4, memory: '8G', maxConcurrent: 2, jobsPerTask: 5, moduleLoad: ['nodejs/20'], setup: ['source ~/env.sh'],
      workdir: '/home/me/study', extra: ['--qos=short'],
    });
    const arr = readFileSync(folder.path('slurm/array.sbatch'), 'utf8');
    for (const l of ['--array=0-2%2', '--partition=cpu', '--account=proj42', '--time=0-02:00:00', '--cpus-per-task=4', '--mem=8G', '--chdir=/home/me/study', '--qos=short', `--output=${folder.dir}/slurm/logs/%A_%a.out`]) {
      expect(arr).to.match(new RegExp(`^#SBATCH ${l.replace(/[%.*+?^$()[\]{}|\\]/g, '\\$&')}$`, 'm'), l);
    }
    // environment lines come after the marker traps and before the strict mode and the CLI
    const lines = arr.split('\n');
    const at = (s: string) => lines.findIndex((x) => x.startsWith(s));
    expect(at('trap ')).to.be.lessThan(at('module load nodejs/20'));
    expect(at('module load nodejs/20')).to.be.lessThan(at('source ~/env.sh'));
    expect(at('source ~/env.sh')).to.be.lessThan(at('set -u'));
    expect(arr).to.contain(`node /opt/airlora/bin/airlora.js sweep task '${folder.dir}' --task "\${SLURM_ARRAY_TASK_ID}"`);
    const merge = readFileSync(folder.path('slurm/merge.sbatch'), 'utf8');
    expect(merge).to.match(/^#SBATCH --time=10:00$/m).and.match(/^#SBATCH --kill-on-invalid-dep=yes$/m).and.match(/^#SBATCH --account=proj42$/m);
    expect(merge).to.contain('module load nodejs/20').and.contain(`node /opt/airlora/bin/airlora.js merge '${folder.dir}'`);
    const layout = folder.readJson<SlurmLayout>('slurm/slurm.json');
    expect(layout).to.deep.include({ jobs: 12, jobsPerTask: 5, tasks: 3, maxConcurrent: 2, arrayScript: `${folder.dir}/slurm/array.sbatch` });
    // every script is valid bash
    for (const f of ['array.sbatch', 'merge.sbatch', 'submit.sh']) execFileSync('bash', ['-n', folder.path(`slurm/${f}`)]);
  });

  it('CLI: `sweep FILE --emit slurm DIR` passes every knob through; a bad one exits 2 before any folder is made', async () => {
    const file = join(tmp, 'demo.yaml');
    writeFileSync(file, JSON.stringify(demo(3))); // JSON is YAML
    const run = async (args: string[]) => {
      const err: string[] = [];
      const [w1, w2] = [process.stdout.write, process.stderr.write];
      process.stdout.write = (() => true) as typeof process.stdout.write;
      process.stderr.write = ((c: string) => { err.push(String(c)); return true; }) as typeof process.stderr.write;
      try { return { code: await main(['node', 'airlora', 'sweep', file, '--emit', 'slurm', ...args]), stderr: err.join('') }; } finally {
        process.stdout.write = w1;
        process.stderr.write = w2;
      }
    };
    const dir = join(tmp, 'cli-emit');
    const ok = await run([dir, '--command', 'node /opt/a.js', '--partition', 'p1', '--account', 'acc', '--time', '2-00:00:00', '--merge-time', '20',
      '--cpus-per-task', '3', '--mem', '5G', '--array-throttle', '4', '--jobs-per-task', '2', '--module-load', 'gcc/12', '--module-load', 'nodejs/20',
      '--setup', 'source ~/e.sh', '--sbatch=--qos=long', '--sbatch', '--mail-type=FAIL']);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stderr).to.contain('3 jobs; wrote slurm/array.sbatch');
    const arr = readFileSync(join(dir, 'slurm/array.sbatch'), 'utf8');
    for (const l of ['#SBATCH --array=0-1%4', '#SBATCH --partition=p1', '#SBATCH --account=acc', '#SBATCH --time=2-00:00:00', '#SBATCH --cpus-per-task=3',
      '#SBATCH --mem=5G', `#SBATCH --chdir=${process.cwd()}`, '#SBATCH --qos=long', '#SBATCH --mail-type=FAIL', 'module load gcc/12\nmodule load nodejs/20\nsource ~/e.sh\n',
      `node /opt/a.js sweep task '${dir}' --task "\${SLURM_ARRAY_TASK_ID}"`]) expect(arr).to.contain(l);
    expect(readFileSync(join(dir, 'slurm/merge.sbatch'), 'utf8')).to.contain('#SBATCH --time=20\n').and.contain(`node /opt/a.js merge '${dir}'`);
    for (const [args, re] of [[['--mem', '5GB'], /error: --mem: '5GB' is not a Slurm memory size/], [['--jobs-per-task', '0'], /error: --jobs-per-task: '0' is not a positive integer/],
      [['--setup', 'a\nb'], /error: --setup: 'a\nb' must be one non-empty line/]] as [string[], RegExp][]) {
      const bad = await run([join(tmp, 'cli-bad'), ...args]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.match(re);
      expect(existsSync(join(tmp, 'cli-bad'))).to.equal(false);
    }
  });

  it('bad knobs are refused with the flag named', () => {
    const bad: [object, RegExp][] = [
      [{ memory: 'lots' }, /--mem: 'lots' is not a Slurm memory size/],
      [{ time: '2 hours' }, /--time: '2 hours'/],
      [{ setup: ['a\nb'] }, /--setup: [\s\S]* must be one non-empty line/],
      [{ cpusPerTask: 0 }, /--cpus-per-task: 0 is not a positive integer/],
      [{ extra: ['qos=x'] }, /--sbatch: 'qos=x' must be a long sbatch option/],
      [{ partition: 'a b' }, /--partition: 'a b' must not contain spaces/],
    ];
    for (const [o, re] of bad) expect(() => checkSlurmOptions(o), re.source).to.throw(UserInputError, re);
  });

  it('array script under bash with Slurm\'s environment: runs its task, a failure leaves the task\'s marker, a rerun clears it', async () => {
    const { folder, plan } = await prepareSweepFolder({ scenario: demo(12), out: join(tmp, 'loop') });
    const calls = join(tmp, 'calls.txt');
    const fake = join(tmp, 'fake-airlora.sh');
    writeFileSync(fake, `#!/usr/bin/env bash\necho "$*" >> '${calls}'\nif [ "$5" = 1 ]; then echo "error: task 1 broke" >&2; exit 3; fi\n`);
    chmodSync(fake, 0o755);
    emitSlurm(folder, plan, { command: fake, jobsPerTask: 5 });
    const run = (task: number) => spawnSync('bash', [folder.path('slurm/array.sbatch')], {
      env: { ...process.env, SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_JOB_ID: '77' }, encoding: 'utf8',
    });
    expect(run(0).status).to.equal(0);
    const r1 = run(1);
    expect(r1.status).to.equal(3);
    expect(readFileSync(calls, 'utf8')).to.equal(`sweep task ${folder.dir} --task 0\nsweep task ${folder.dir} --task 1\n`);
    expect(existsSync(folder.path('slurm/tasks/0.failed'))).to.equal(false);
    expect(readFileSync(folder.path('slurm/tasks/1.failed'), 'utf8')).to.match(/^exit=3 job=77_1 host=\S+ end=\S+Z\n$/);
    expect(readFileSync(folder.path('slurm/tasks/1.started'), 'utf8')).to.match(/^job=77_1 /);
    // a rerun of the task clears its old marker
    writeFileSync(fake, `#!/usr/bin/env bash\necho "$*" >> '${calls}'\n`);
    expect(run(1).status).to.equal(0);
    expect(existsSync(folder.path('slurm/tasks/1.failed'))).to.equal(false);
    // a failing setup line fails the task too
    emitSlurm(folder, plan, { command: fake, jobsPerTask: 5, setup: ['false'] });
    expect(run(2).status).to.equal(1);
    expect(readFileSync(folder.path('slurm/tasks/2.failed'), 'utf8')).to.match(/^exit=1 job=77_2 /);
    // not under Slurm: refused with a message, no marker
    const direct = spawnSync('bash', [folder.path('slurm/array.sbatch')], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '' }, encoding: 'utf8' });
    expect(direct.status).to.not.equal(0);
    expect(direct.stderr).to.match(/run this script with sbatch/);
  });

  it('sweep task: task t runs jobs Kt…Kt+K−1 in one process, keeps finished ones, stops at the first failure', async () => {
    const sc = { ...demo(5), demo: { ...demo(5).demo, fail: false }, sweep: { grid: { 'demo.fail': [false, false, true, false, false] } } };
    const { folder, plan } = await prepareSweepFolder({ scenario: sc, out: join(tmp, 'task') });
    emitSlurm(folder, plan, { command: 'airlora', jobsPerTask: 2 });
    expect(taskJobIndices({ jobs: 5, jobsPerTask: 2 }, 2)).to.deep.equal([4]);
    await runSweepJob(folder.dir, 0);
    const log: string[] = [];
    expect(await runSlurmTask(folder.dir, 0, (m) => log.push(m))).to.deep.equal({ ran: ['j0001'], kept: ['j0000'] });
    expect(log).to.deep.equal(['j0000 already finished', 'j0001 done']);
    expect(await runSlurmTask(folder.dir, 2)).to.deep.equal({ ran: ['j0004'], kept: [] });
    let err: unknown;
    try { await runSlurmTask(folder.dir, 1); } catch (e) { err = e; }
    expect((err as Error).message).to.match(/asked to fail/);
    expect(existsSync(join(folder.dir, 'jobs/j0003'))).to.equal(false); // not started after the failure
    err = undefined;
    try { await runSlurmTask(folder.dir, 3); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect((err as Error).message).to.equal('--task: 3 is out of range; this sweep has array tasks 0..2');
  });

  it('status: done from job folders, failed from markers and squeue, running and pending from squeue, and the resubmit line', async () => {
    const { folder, plan } = await prepareSweepFolder({ scenario: demo(5), out: join(tmp, 'status') });
    emitSlurm(folder, plan, { command: 'airlora', maxConcurrent: 3 });
    const dir = folder.dir;
    const A = `${dir}/slurm/array.sbatch`, M = `${dir}/slurm/merge.sbatch`;
    const fresh = sweepStatus(dir, { queue: { available: true, entries: [] } });
    expect(fresh.resubmit).to.equal(undefined);
    expect(fresh.hint).to.equal(`not submitted yet; submit with: bash '${dir}/slurm/submit.sh'`);
    expect(fresh.merge.state).to.equal('not submitted');
    await runSweepJob(dir, 0);
    await runSweepJob(dir, 1);
    mkdirSync(join(dir, 'slurm/tasks'), { recursive: true });
    mkdirSync(join(dir, 'slurm/logs'), { recursive: true });
    writeFileSync(join(dir, 'slurm/tasks/2.started'), 'job=40_2 host=n1 start=2026-01-01T00:00:00Z\n');
    writeFileSync(join(dir, 'slurm/tasks/2.failed'), 'exit=3 job=40_2 host=n1 end=2026-01-01T00:00:09Z\n');
    writeFileSync(join(dir, 'slurm/logs/40_2.out'), 'starting\nerror: demo.snr_db: broke\n\n');
    const e = (jobId: number, task: number | undefined, state: string, reason = 'None', script = A): QueueEntry => ({ jobId, task, state, reason, script });
    const q = (entries: QueueEntry[]) => ({ queue: { available: true, entries } });

    let r = sweepStatus(dir, q([e(40, 0, 'COMPLETED'), e(40, 1, 'COMPLETED'), e(40, 2, 'FAILED', 'NonZeroExitCode'), e(40, 3, 'RUNNING'), e(40, 4, 'PENDING', 'Resources'), e(41, undefined, 'CANCELLED', 'DependencyNeverSatisfied', M)]));
    expect(r.jobs).to.deep.include({ total: 5, done: ['j0000', 'j0001'], failed: ['j0002'], running: ['j0003'], pending: ['j0004'], missing: [] });
    expect(r.active).to.equal(true);
    expect(r.resubmit).to.equal(undefined);
    expect(r.hint).to.match(/1 task\(s\) to resubmit \(2\) once the running ones end/);
    expect(r.merge).to.deep.equal({ state: 'cancelled', detail: 'a task failed, so Slurm dropped merge job 41 (DependencyNeverSatisfied)' });
    expect(r.tasks[2]!.detail).to.equal('exit 3 in Slurm job 40_2 on n1: error: demo.snr_db: broke');

    // task 3 ended without a marker (killed by the time limit), task 4 never ran and is no longer queued
    r = sweepStatus(dir, q([e(40, 2, 'FAILED'), e(40, 3, 'TIMEOUT', 'TimeLimit'), e(41, undefined, 'CANCELLED', 'DependencyNeverSatisfied', M)]));
    expect(r.jobs).to.deep.include({ failed: ['j0002', 'j0003'], missing: ['j0004'], running: [], pending: [] });
    expect(r.active).to.equal(false);
    expect(r.resubmit!.tasks).to.deep.equal([2, 3, 4]);
    expect(r.resubmit!.sbatch).to.equal(`cd '${dir}/slurm' && jid=$(sbatch --parsable --array=2-4%3 array.sbatch) && sbatch --dependency=afterok:\${jid%%;*} merge.sbatch`);
    expect(r.resubmit!.submit).to.equal(`bash '${dir}/slurm/submit.sh' --array=2-4%3`);
    const text = formatStatus(r);
    expect(text).to.match(/^ +done +2 +j0000, j0001$/m).and.match(/^ +failed +2 +j0002, j0003$/m).and.match(/^ +missing +1 +j0004 +\(not queued, never started\)$/m);
    expect(text).to.contain('task 3 (j0003): Slurm job 40_3 TIMEOUT (TimeLimit)').and.contain('status: incomplete');
    expect(text).to.contain(r.resubmit!.sbatch);

    // a merge that ran and failed names its log's error line
    writeFileSync(join(dir, 'slurm/logs/42_0.out'), 'x\n');
    writeFileSync(join(dir, 'slurm/logs/merge_43.out'), 'error: merge: 3 of 5 jobs are not finished\nslurmstepd-n1: error: *** JOB 43 ON n1 CANCELLED AT 2026-01-01T00:00:00 DUE TO TIME LIMIT ***\nTerminated\n');
    r = sweepStatus(dir, q([e(43, undefined, 'TIMEOUT', 'TimeLimit', M)]));
    expect(r.merge).to.deep.equal({ state: 'failed', detail: `merge job 43 TIMEOUT: slurmstepd-n1: error: *** JOB 43 ON n1 CANCELLED AT 2026-01-01T00:00:00 DUE TO TIME LIMIT *** (log: ${dir}/slurm/logs/merge_43.out)` });
    expect(sweepStatus(dir, q([e(44, undefined, 'CANCELLED', 'None', M)])).merge).to.deep.equal({ state: 'cancelled', detail: 'merge job 44 CANCELLED' });

    // resubmitted task 2 pending again (newer array job 50) outranks its old failure marker; the merge waits
    r = sweepStatus(dir, q([e(40, 2, 'FAILED'), e(50, 2, 'PENDING', 'Priority'), e(51, undefined, 'PENDING', 'Dependency', M)]));
    expect(r.tasks[2]!.state).to.equal('pending');
    expect(r.tasks[2]!.detail).to.equal('Slurm job 50_2 pending (Priority)');
    expect(r.merge.state).to.equal('waiting');

    // without squeue: markers only; a never-started task is unknown rather than missing, and no line is offered for it
    r = sweepStatus(dir, { queue: { available: false, entries: [], note: "'squeue' not found" } });
    expect(r.jobs).to.deep.include({ failed: ['j0002'], unknown: ['j0003', 'j0004'] });
    expect(r.resubmit!.tasks).to.deep.equal([2]);
    expect(formatStatus(r)).to.contain("note: 'squeue' not found");
  });

  it('squeue: a missing SLURM_CONF is reported at once (Slurm\'s clients would retry it for a minute)', () => {
    process.env.SLURM_CONF = join(tmp, 'no-such.conf');
    try {
      const t0 = Date.now();
      const s = querySqueue(['/x/array.sbatch']);
      expect(s).to.deep.equal({ available: false, entries: [], note: `SLURM_CONF=${join(tmp, 'no-such.conf')} does not exist: queued and running tasks are unknown` });
      expect(Date.now() - t0).to.be.below(1000);
    } finally {
      delete process.env.SLURM_CONF;
    }
  });

  it('status of a local (not emitted) sweep: done and missing jobs, and how to resume', async () => {
    const { folder } = await prepareSweepFolder({ scenario: demo(3), out: join(tmp, 'local') });
    await runSweepJob(folder.dir, 1);
    const r = sweepStatus(folder.dir);
    expect(r.jobs).to.deep.include({ done: ['j0001'], missing: ['j0000', 'j0002'] });
    expect(r.queue.available).to.equal(false);
    expect(r.hint).to.equal(`1 of 3 jobs finished; finish the rest with: airlora sweep FILE --resume '${folder.dir}'`);
    expect(formatStatus(r)).to.match(/^sweep .*: 3 jobs\n/).and.not.contain('merge');
  });

  it('squeue: an old client without --me is asked by user name; a failing one is reported, not thrown', () => {
    const sq = join(tmp, 'old-squeue');
    writeFileSync(sq, `#!/usr/bin/env bash\nif [ "$1" = --me ]; then echo "squeue: unrecognized option '--me'" >&2; exit 1; fi\necho "$1" > '${tmp}/old.args'\necho '5|0|RUNNING|None|/x/array.sbatch'\necho '6|0|RUNNING|None|/y/array.sbatch'\n`);
    chmodSync(sq, 0o755);
    const s = querySqueue(['/x/array.sbatch'], sq);
    expect(s.entries).to.deep.equal([{ jobId: 5, task: 0, state: 'RUNNING', reason: 'None', script: '/x/array.sbatch' }]);
    expect(readFileSync(join(tmp, 'old.args'), 'utf8').trim()).to.match(/^--user=\S+$/);
    writeFileSync(sq, '#!/usr/bin/env bash\necho "slurm_load_jobs error: Unable to contact slurm controller" >&2; exit 1\n');
    expect(querySqueue(['/x/array.sbatch'], sq)).to.deep.equal({ available: false, entries: [], note: 'squeue failed (slurm_load_jobs error: Unable to contact slurm controller): queued and running tasks are unknown' });
    expect(querySqueue(['/x'], join(tmp, 'nope')).note).to.match(/not found: run this on the cluster/);
  });

  it('compactIndices and parseSqueue', () => {
    expect(compactIndices([7, 2, 5, 6, 9, 2])).to.equal('2,5-7,9');
    expect(compactIndices([0])).to.equal('0');
    expect(parseSqueue('12|3|RUNNING|None|/a/array.sbatch\n13|N/A|PENDING|Dependency|/a/merge.sbatch\ngarbage\n')).to.deep.equal([
      { jobId: 12, task: 3, state: 'RUNNING', reason: 'None', script: '/a/array.sbatch' },
      { jobId: 13, task: undefined, state: 'PENDING', reason: 'Dependency', script: '/a/merge.sbatch' },
    ]);
  });

  it('CLI: `sweep status DIR` prints the report; --watch re-prints until --timeout while tasks are queued', async () => {
    const { folder, plan } = await prepareSweepFolder({ scenario: demo(3), out: join(tmp, 'cli') });
    emitSlurm(folder, plan, { command: 'airlora' });
    await runSweepJob(folder.dir, 0);
    // a fake squeue: task 1 running, task 2 pending (the format is what querySqueue asks for)
    const squeue = join(tmp, 'squeue');
    writeFileSync(squeue, `#!/usr/bin/env bash\necho "$*" > '${tmp}/squeue.args'\nprintf '9|1|RUNNING|None|${folder.dir}/slurm/array.sbatch\\n9|2|PENDING|Resources|${folder.dir}/slurm/array.sbatch\\n10|N/A|PENDING|Dependency|${folder.dir}/slurm/merge.sbatch\\n'\n`);
    chmodSync(squeue, 0o755);
    // in-process (one CLI start-up is seconds on a busy machine); stdout and stderr captured
    const cli = async (...args: string[]) => {
      const out: string[] = [], err: string[] = [];
      const [w1, w2] = [process.stdout.write, process.stderr.write];
      process.env.AIRLORA_SQUEUE = squeue;
      process.stdout.write = ((c: string) => { out.push(String(c)); return true; }) as typeof process.stdout.write;
      process.stderr.write = ((c: string) => { err.push(String(c)); return true; }) as typeof process.stderr.write;
      try {
        const status = await main(['node', 'airlora', 'sweep', 'status', folder.dir, ...args]);
        return { status, stdout: out.join(''), stderr: err.join('') };
      } finally {
        process.stdout.write = w1;
        process.stderr.write = w2;
        delete process.env.AIRLORA_SQUEUE;
      }
    };
    const once = await cli();
    expect(once.status, once.stderr).to.equal(0);
    expect(once.stdout).to.match(/^sweep .*: 3 jobs in 3 Slurm array tasks \(1 job per task\)$/m)
      .and.match(/^ +running +1 +j0001$/m).and.match(/^ +pending +1 +j0002$/m).and.match(/merge +waiting: merge job 10 waits for the array/)
      .and.match(/status: in progress \(1\/3 jobs done\)/);
    expect(readFileSync(join(tmp, 'squeue.args'), 'utf8')).to.contain('--me --noheader --array --states=all --format=%F|%K|%T|%r|%o');
    const watch = await cli('--watch', '--interval', '0.3', '--timeout', '1');
    expect(watch.status, watch.stderr).to.equal(0);
    expect(watch.stdout.match(/status: in progress/g)!.length).to.be.within(3, 6);
    expect(watch.stdout).to.match(/watch: stopped after 1 s; the sweep is still in progress\n$/);
    const json = JSON.parse((await cli('--json')).stdout) as { jobs: { done: string[] }; active: boolean };
    expect(json.jobs.done).to.deep.equal(['j0000']);
    expect(json.active).to.equal(true);
    const bad = await cli('--interval', 'soon');
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/--interval: 'soon' is not a positive number of seconds/);
  });
});
