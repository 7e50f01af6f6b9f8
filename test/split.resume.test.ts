// A split run killed (SIGTERM) after its first task × trial × scheduler unit resumes with --resume
// from its journal: the finished units are kept, not run again, and every output file (CSVs, JSON,
// COLUMNS.md, figures) is byte-identical to an uninterrupted run's, so skipping earlier units changed
// none of the later ones (each draws from its own named streams). Both runs show progress lines with
// an ETA; the resumed one counts only the units it still runs.
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { SPLIT_JOURNAL } from '../src/split/journal.js';

const CLI = ['--import', 'tsx', resolve('src/cli/dev.ts')]; // one process: the signal reaches the run itself

// 1 task × 2 trials × 3 schedulers = 6 units of 4 rounds; baselines matched to the budget, a channel-only
// delay run and the reference model, so every file a split run writes is there
const SCENARIO = `
name: split-resume
seed: 5
model: { preset: bert-small, overrides: { layers: 1, hidden: 32, heads: 2, intermediate: 64 } }
split:
  devices: 4
  rounds: 4
  trials: 2
  batch_size: 4
  lr: 0.005
  eval_every: 2
  lora: { r: 2, lora_alpha: 4 }
  budget_all_in_fraction: 0.6
  schedulers: [lyapunov, random, round-robin]
  baseline_devices: match-budget
  delay_rounds: 10
  reference: true
  resample: true
  base_init: lecun
  tasks:
    - { name: spam, seq_len: 16, vocab_size: 128, max_items: 200, test_fraction: 0.2, eval_per_client: 10, partition: { kind: iid } }
`;
const UNITS = 6;
const ROUNDS = 4;

/** Every file under root, as paths relative to it. */
function files(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(root, p));
    else out.push(relative(root, p));
  }
  return out.sort();
}

/** Lines the progress helper prints when stderr is not a TTY: done/total, elapsed and an ETA. */
const PROGRESS = /\[airlora\] run: (\d+)\/(\d+) steps \(\d+%\), elapsed \S+, eta (\S+)/g;
const progressLines = (err: string) => [...err.matchAll(PROGRESS)].map((m) => ({ done: Number(m[1]), total: Number(m[2]), eta: m[3]! }));

const journalLines = (out: string): number => {
  try {
    // complete lines only (a torn last line is what the run skips too)
    return readFileSync(join(out, SPLIT_JOURNAL), 'utf8').split('\n').slice(0, -1).length;
  } catch {
    return 0;
  }
};

describe('split run: progress with an ETA, and --resume after a kill gives the same bytes', function () {
  this.timeout(240_000);
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlora-split-resume-'));
    file = join(dir, 'split.yaml');
    writeFileSync(file, SCENARIO);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('SIGTERM after the first unit, then --resume: finished units kept, every file byte-identical', async () => {
    const ref = join(dir, 'ref');
    const r0 = spawnSync(process.execPath, [...CLI, 'run', file, '--out', ref, '--backend', 'wasm'], { encoding: 'utf8', timeout: 120_000 });
    expect(r0.status, r0.stderr).to.equal(0);
    // progress: per round over every unit, with an ETA (the first line has one; the last says 100%)
    const lines = progressLines(r0.stderr);
    expect(lines.length).to.be.greaterThan(0);
    expect(lines.every((l) => l.total === UNITS * ROUNDS)).to.equal(true);
    expect(lines.at(-1)!.done).to.equal(UNITS * ROUNDS);
    expect(lines[0]!.eta).to.match(/^\d+(s|m\d\ds|h\d\dm)$/);
    expect(existsSync(join(ref, SPLIT_JOURNAL)), 'journal removed once complete').to.equal(false);

    const out = join(dir, 'killed');
    const p: ChildProcess = spawn(process.execPath, [...CLI, 'run', file, '--out', out, '--backend', 'wasm'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
    const t0 = Date.now();
    while (journalLines(out) < 1 && p.exitCode === null) {
      if (Date.now() - t0 > 120_000) throw new Error('timed out waiting for the first unit');
      await new Promise((r) => setTimeout(r, 20));
    }
    p.kill('SIGTERM');
    expect(await exited, err).to.equal(143);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status).to.equal('interrupted');
    const kept = journalLines(out);
    expect(kept).to.be.within(1, UNITS - 1); // stopped part-way: something is left to resume

    const r1 = spawnSync(process.execPath, [...CLI, 'run', file, '--resume', out, '--backend', 'wasm'], { encoding: 'utf8', timeout: 120_000 });
    expect(r1.status, r1.stderr).to.equal(0);
    // the finished units were not run again, and the progress counts only the rest
    expect(r1.stderr).to.include(`resuming, ${kept} finished task × trial × scheduler unit(s) kept`);
    expect((r1.stderr.match(/trial \d+: \S+ kept from the journal$/gm) ?? []).length).to.equal(kept);
    const resumed = progressLines(r1.stderr);
    expect(resumed.length).to.be.greaterThan(0);
    expect(resumed.every((l) => l.total === (UNITS - kept) * ROUNDS)).to.equal(true);
    expect(resumed.at(-1)!.done).to.equal((UNITS - kept) * ROUNDS);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).status).to.equal('complete');
    expect(existsSync(join(out, SPLIT_JOURNAL))).to.equal(false);

    // every file but the ones that hold times (manifest, timing.csv, report.html) byte for byte
    const timed = new Set(['manifest.json', 'timing.csv', 'report.html']);
    const want = files(ref).filter((f) => !timed.has(f));
    expect(files(out).filter((f) => !timed.has(f))).to.deep.equal(want);
    expect(want).to.include.members(['metrics.csv', 'summary.csv', 'summary_trials.csv', 'paired.csv', 'delay.csv', 'reference.csv', 'payload.json']);
    for (const f of want) expect(readFileSync(join(out, f)).equals(readFileSync(join(ref, f))), f).to.equal(true);
    // timing.csv: the same rows (wall times differ, the kept units' come from the killed run)
    const keys = (d: string) => readFileSync(join(d, 'timing.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, 3).join(','));
    expect(keys(out)).to.deep.equal(keys(ref));
  });
});
