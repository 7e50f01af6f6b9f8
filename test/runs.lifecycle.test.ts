// The run lifecycle under kills and signals: one writer per results folder (a live holder refused, a dead
// one's lock taken over), kill -9 at several points then --resume gives the uninterrupted run's
// metrics.csv byte for byte (training with checkpoints, split from its journal of finished units; PHY restarts in the same folder), and
// SIGINT/SIGTERM mark the folder 'interrupted', print the resume command and exit 130/143.
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FolderLock, LOCK_FILE } from '../src/results/lock.js';

const CLI = ['--import', 'tsx', resolve('src/cli/dev.ts')]; // one process: signals reach the run itself

const TRAIN = `
name: lc-train
seed: 3
model: { preset: gpt-tiny }
lora: { r: 2, lora_alpha: 4, target_modules: [query, value] }
data: { dataset: brown, partition: { kind: one-label }, seq_len: 12, eval_per_client: 2, max_items: 200, vocab_size: 96, test_fraction: 0.2 }
fl: { rounds: 6, clients: 3, local_steps: 2, batch_size: 2, lr: 0.01 }
aggregation: [{ scheme: noisy, nmse: 0.05 }]
`;

const AIRFL = `
name: lc-airfl
seed: 4
model: { preset: gpt-tiny }
lora: { r: 2, lora_alpha: 4, target_modules: [query, value] }
data: { dataset: brown, partition: { kind: one-label }, seq_len: 12, eval_per_client: 2, max_items: 200, vocab_size: 96, test_fraction: 0.2 }
fl: { rounds: 3, clients: 3, local_steps: 1, batch_size: 2, lr: 0.01 }
phy: { antennas: { device: 2, server: 4 }, streams: 1, subcarriers: 8, snr_db: 10 }
aggregation: [ideal, zf, { scheme: noisy, nmse: 0.05 }]
airfl: { ranks: [2] }
`;

const SPLIT = `
name: lc-split
seed: 1
model: { preset: bert-small, overrides: { layers: 1, hidden: 32, heads: 2, intermediate: 64 } }
split:
  devices: 4
  rounds: 4
  trials: 2
  batch_size: 4
  lr: 0.005
  eval_every: 2
  lora: { r: 2, lora_alpha: 4 }
  budget_s: 0.05
  schedulers: [lyapunov, random]
  delay_rounds: 20
  base_init: lecun
  tasks:
    - { name: spam, seq_len: 16, vocab_size: 128, max_items: 200, test_fraction: 0.2, eval_per_client: 10, partition: { kind: iid } }
`;

const PHY = `
name: lc-phy
seed: 2
trials: 12
phy: { devices: 6, antennas: { device: 2, server: [4, 8] }, streams: 1, subcarriers: 16, snr_db: [0, 10] }
aggregation: [ideal, zf, mmse]
`;

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });
  return { status: r.status, stderr: r.stderr };
}

function start(args: string[]): ChildProcess & { err: () => string } {
  const p = spawn(process.execPath, [...CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  return Object.assign(p, { err: () => err });
}

async function until(cond: () => boolean, ms = 180_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode) : p.once('exit', (c) => r(c))));

/** The last checkpointed round of a training folder (-1 before the first). */
function checkpointRound(dir: string): number {
  try {
    return Number((JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { round: number }).round);
  } catch {
    return -1;
  }
}

describe('runs: lifecycle (lock, kill -9 and resume, signals)', function () {
  this.timeout(900_000);
  let dir: string;
  let trainFile: string;
  let reference: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlora-lc-'));
    trainFile = join(dir, 'train.yaml');
    writeFileSync(trainFile, TRAIN);
    writeFileSync(join(dir, 'phy.yaml'), PHY);
    const r = run(['run', trainFile, '--out', join(dir, 'ref'), '--backend', 'wasm']);
    expect(r.status, r.stderr).to.equal(0);
    reference = readFileSync(join(dir, 'ref', 'metrics.csv'), 'utf8');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a folder has one writer: a live holder is refused, a dead holder\'s lock is taken over', () => {
    const d = join(dir, 'lock');
    mkdirSync(d);
    const held = FolderLock.acquire(d);
    expect(() => FolderLock.acquire(d)).to.throw(/already being written by this process/);
    held.release();
    expect(existsSync(join(d, LOCK_FILE))).to.equal(false);
    // a live process of this host (a sleeping child) holds it: refused, naming the pid
    const sleeper = spawn('sleep', ['30']);
    writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: sleeper.pid, host: hostname(), startedAt: 'x', command: 'sleep' }));
    try {
      expect(() => FolderLock.acquire(d)).to.throw(new RegExp(`live process \\(pid ${sleeper.pid}`));
    } finally {
      sleeper.kill('SIGKILL');
    }
    // a process that has exited: stale, taken over
    const gone = spawnSync('true');
    writeFileSync(join(d, LOCK_FILE), JSON.stringify({ pid: gone.pid, host: hostname(), startedAt: 'x', command: 'true' }));
    const taken = FolderLock.acquire(d);
    expect(JSON.parse(readFileSync(join(d, LOCK_FILE), 'utf8')).pid).to.equal(process.pid);
    taken.release();
  });

  it('a second run into a folder a live run is writing is refused (exit 2) while the first goes on', async () => {
    const out = join(dir, 'twice');
    // a long first run (--rounds 500), so it is surely still writing when the second one starts
    const first = start(['run', trainFile, '--out', out, '--backend', 'wasm', '--rounds', '500']);
    try {
      await until(() => checkpointRound(out) >= 1 || first.exitCode !== null);
      const second = run(['run', trainFile, '--out', out, '--backend', 'wasm', '--rounds', '500']);
      expect(second.status).to.equal(2);
      expect(second.stderr).to.match(/being written by a live process \(pid \d+/);
      expect(second.stderr).to.not.match(/\n\s+at /); // no stack trace
      expect(first.exitCode).to.equal(null); // untouched: still running
    } finally {
      first.kill('SIGTERM');
      await exited(first);
    }
  });

  for (const at of [1, 3]) {
    it(`training killed with SIGKILL after round ${at} resumes to the uninterrupted metrics.csv byte for byte`, async () => {
      const out = join(dir, `kill-${at}`);
      const p = start(['run', trainFile, '--out', out, '--backend', 'wasm']);
      await until(() => checkpointRound(out) >= at || p.exitCode !== null);
      p.kill('SIGKILL');
      await exited(p);
      expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status).to.not.equal('complete');
      const r = run(['run', trainFile, '--resume', out, '--backend', 'wasm']);
      expect(r.status, r.stderr).to.equal(0);
      expect(readFileSync(join(out, 'metrics.csv'), 'utf8')).to.equal(reference);
    });
  }

  it('SIGINT marks the folder interrupted, prints the resume command, exits 130; resuming gives the same bytes', async () => {
    const out = join(dir, 'sigint');
    const p = start(['run', trainFile, '--out', out, '--backend', 'wasm']);
    await until(() => checkpointRound(out) >= 2 || p.exitCode !== null);
    p.kill('SIGINT');
    expect(await exited(p)).to.equal(130);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.status).to.equal('interrupted');
    expect(p.err()).to.match(/interrupted by SIGINT: train run lc-train, last completed round \d+; resume with: airlora run \S+ --resume \S+ --backend wasm/);
    expect(existsSync(join(out, LOCK_FILE))).to.equal(false);
    const r = run(['run', trainFile, '--resume', out, '--backend', 'wasm']);
    expect(r.status, r.stderr).to.equal(0);
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8')).to.equal(reference);
  });

  it('SIGTERM exits 143 and leaves the folder resumable', async () => {
    const out = join(dir, 'sigterm');
    const p = start(['run', trainFile, '--out', out, '--backend', 'wasm']);
    await until(() => checkpointRound(out) >= 1 || p.exitCode !== null);
    p.kill('SIGTERM');
    expect(await exited(p)).to.equal(143);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status).to.equal('interrupted');
    const r = run(['run', trainFile, '--resume', out, '--backend', 'wasm']);
    expect(r.status, r.stderr).to.equal(0);
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8')).to.equal(reference);
  });

  it('an AirFL run killed with SIGKILL inside its second scheme resumes to the uninterrupted metrics.csv and final.csv', async () => {
    const file = join(dir, 'airfl.yaml');
    writeFileSync(file, AIRFL);
    const ref = run(['run', file, '--out', join(dir, 'airfl-ref'), '--backend', 'wasm']);
    expect(ref.status, ref.stderr).to.equal(0);
    const out = join(dir, 'airfl-kill');
    const p = start(['run', file, '--out', out, '--backend', 'wasm']);
    await until(() => checkpointRound(join(out, 'runs', 'r2-zf')) >= 1 || p.exitCode !== null);
    p.kill('SIGKILL');
    await exited(p);
    const r = run(['run', file, '--resume', out, '--backend', 'wasm']);
    expect(r.status, r.stderr).to.equal(0);
    for (const f of ['metrics.csv', 'final.csv']) {
      expect(readFileSync(join(out, f), 'utf8'), f).to.equal(readFileSync(join(dir, 'airfl-ref', f), 'utf8'));
    }
  });

  it('a split run killed with SIGKILL restarts on --resume in the same folder and gives the same bytes', async () => {
    const file = join(dir, 'split.yaml');
    writeFileSync(file, SPLIT);
    const ref = run(['run', file, '--out', join(dir, 'split-ref'), '--backend', 'wasm']);
    expect(ref.status, ref.stderr).to.equal(0);
    const out = join(dir, 'split-kill');
    const p = start(['run', file, '--out', out, '--backend', 'wasm']);
    await until(() => existsSync(join(out, 'metrics.csv')) || p.exitCode !== null);
    p.kill('SIGKILL');
    await exited(p);
    const r = run(['run', file, '--resume', out, '--backend', 'wasm']);
    expect(r.status, r.stderr).to.equal(0);
    for (const f of ['metrics.csv', 'summary.csv', 'delay.csv']) {
      expect(readFileSync(join(out, f), 'utf8'), f).to.equal(readFileSync(join(dir, 'split-ref', f), 'utf8'));
    }
  });

  it('SIGINT during a PHY Monte-Carlo stops it between trials: interrupted, exit 130, resume command printed', async () => {
    const file = join(dir, 'phy.yaml');
    const out = join(dir, 'phy-sigint');
    const p = start(['run', file, '--out', out, '--trials', '100000']);
    await until(() => existsSync(join(out, 'manifest.json')) || p.exitCode !== null);
    await new Promise((r) => setTimeout(r, 500));
    p.kill('SIGINT');
    expect(await exited(p)).to.equal(130);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status).to.equal('interrupted');
    expect(p.err()).to.match(/interrupted by SIGINT: phy run lc-phy; resume with: airlora run \S+ --resume \S+ --trials 100000/);
  });

  it('a PHY run killed midway restarts on --resume in the same folder and gives the same bytes', async () => {
    const file = join(dir, 'phy.yaml');
    const ref = run(['run', file, '--out', join(dir, 'phy-ref')]);
    expect(ref.status, ref.stderr).to.equal(0);
    const out = join(dir, 'phy-kill');
    const p = start(['run', file, '--out', out]);
    await until(() => existsSync(join(out, 'manifest.json')) || p.exitCode !== null);
    p.kill('SIGKILL');
    await exited(p);
    const r = run(['run', file, '--resume', out]);
    expect(r.status, r.stderr).to.equal(0);
    expect(readFileSync(join(out, 'phy-trials.csv'), 'utf8')).to.equal(readFileSync(join(dir, 'phy-ref', 'phy-trials.csv'), 'utf8'));
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status).to.equal('complete');
  });
});
