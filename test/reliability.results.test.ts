// Issue 13, results side: no NaN/±Infinity in a result file, environment errors named (exit 3),
// a failure to mark a run failed never hides the original error, unusable folder names refused.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFolder, fsError } from '../src/results/run-folder.js';
import { formatCsv, parseCsv } from '../src/results/csv.js';
import { finiteJson } from '../src/results/finite-json.js';
import { EnvironmentError, NonFiniteResultError, UserInputError } from '../src/errors.js';
import { reportError } from '../src/cli/main.js';

describe('reliability: result files and folders', () => {
  let tmp: string;
  beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'airlora-relr-')); });
  afterEach(() => { rmSync(tmp, { recursive: true, force: true }); });

  it('CSV refuses NaN and ±Infinity in a metric, naming file, column and row', () => {
    const rf = RunFolder.create({ name: 'c', root: tmp });
    for (const [col, v] of [['nmse_mean', NaN], ['round_delay_s', Infinity], ['nmse', -Infinity], ['nmse_db', Infinity], ['nmse_db', NaN]] as const) {
      let err: unknown;
      try { rf.writeCsv('m.csv', [{ scheme: 'a', [col]: 1 }, { scheme: 'b', [col]: v }]); } catch (e) { err = e; }
      expect(err, `${col}=${v}`).to.be.instanceOf(NonFiniteResultError);
      const e = err as NonFiniteResultError;
      expect(e.file).to.equal(rf.path('m.csv'));
      expect(e.column).to.equal(col);
      expect(e.row).to.equal(2);
      expect(e.message).to.contain(`${col} in row 2 is ${v}`);
    }
    expect(rf.exists('m.csv')).to.equal(false); // nothing half-written
  });

  it('CSV: −∞ dB (an exact-zero NMSE) and an unbounded interval bound are empty cells, which readers skip', () => {
    const text = formatCsv([{ nmse: 0, nmse_db: -Infinity, nmse_ci_low: -Infinity, nmse_ci_high: Infinity, nmse_ci_low_db: -Infinity }]);
    expect(text).to.equal('nmse,nmse_db,nmse_ci_low,nmse_ci_high,nmse_ci_low_db\n0,,,,\n');
    expect(parseCsv(text)[0]).to.deep.equal({ nmse: '0', nmse_db: '', nmse_ci_low: '', nmse_ci_high: '', nmse_ci_low_db: '' });
  });

  it('JSON refuses NaN/±Infinity naming the path (JSON.stringify would silently write null)', () => {
    const rf = RunFolder.create({ name: 'j', root: tmp });
    expect(() => rf.writeJson('s.json', { summary: [{ nmse_mean: 1 }, { nmse_mean: NaN }] }))
      .to.throw(NonFiniteResultError, /s\.json: summary\[1\]\.nmse_mean is NaN/);
    expect(() => rf.appendJsonl('r.jsonl', { delay: Infinity })).to.throw(NonFiniteResultError, /delay is Infinity/);
    expect(finiteJson({ nmse_db: -Infinity, x: [1, 2] }, 'f')).to.equal('{"nmse_db":null,"x":[1,2]}');
  });

  it('--out through a file (ENOTDIR) is bad input (exit 2); a read-only parent is the environment (exit 3)', function () {
    const file = join(tmp, 'FILE');
    writeFileSync(file, 'x');
    let err: unknown;
    try { RunFolder.create({ name: 'q', out: join(file, 'sub') }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserInputError);
    expect((err as Error).message).to.match(/--out: .*FILE\/sub.*ENOTDIR/);
    expect(quietly(() => reportError(err))).to.equal(2);
    if (process.getuid?.() === 0) {
      // root ignores permissions: check the mapping itself
      err = fsError(Object.assign(new Error('EACCES'), { code: 'EACCES' }), '/x', 'cannot create the results folder', 'out');
    } else {
      const ro = join(tmp, 'ro');
      RunFolder.create({ name: 'q', out: ro });
      chmodSync(ro, 0o500);
      try { RunFolder.create({ name: 'q', out: join(ro, 'sub') }); } catch (e) { err = e; }
    }
    expect(err).to.be.instanceOf(EnvironmentError);
    expect(quietly(() => reportError(err))).to.equal(3);
  });

  it('disk full (ENOSPC) while writing: EnvironmentError naming the file; marking the run failed cannot hide it', () => {
    const rf = RunFolder.create({ name: 'd', root: tmp });
    rf.writeManifest({ kind: 'phy', scenario: { a: 1 }, seed: 1 });
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const e = fsError(enospc, rf.path('metrics.csv'), 'cannot write', 'out');
    expect(e).to.be.instanceOf(EnvironmentError);
    expect((e as Error).message).to.contain(rf.path('metrics.csv')).and.contain('ENOSPC').and.contain('resumes');
    // the manifest cannot be rewritten either (the disk is full): fail() reports false and does not throw
    const mpath = rf.path('manifest.json');
    rmSync(mpath);
    writeFileSync(mpath, '{ torn');
    expect(rf.fail(e)).to.equal(false);
    expect(readFileSync(mpath, 'utf8')).to.equal('{ torn'); // never marked complete
  });

  it('a real full disk (64 KiB tmpfs, when this user may mount one): exit 3, no torn file, manifest never complete', function () {
    const mnt = join(tmp, 'tiny');
    mkdirSync(mnt);
    try { execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' }); } catch { this.skip(); }
    try {
      const rf = RunFolder.create({ name: 'full', out: join(mnt, 'run'), scenario: { a: 1 } });
      rf.writeManifest({ kind: 'phy', scenario: { a: 1 }, seed: 1 });
      const rows = Array.from({ length: 4000 }, (_, i) => ({ round: i, loss: 1 / (i + 1), note: 'x'.repeat(20) }));
      let err: unknown;
      try { rf.writeCsv('metrics.csv', rows); } catch (e) { err = e; }
      expect(err).to.be.instanceOf(EnvironmentError);
      expect((err as Error).message).to.contain(rf.path('metrics.csv')).and.contain('ENOSPC');
      expect(quietly(() => reportError(err))).to.equal(3);
      rf.fail(err); // may or may not fit; must not throw
      expect(rf.status).to.be.oneOf(['running', 'failed']);
      expect(readdirSync(rf.dir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
      expect(RunFolder.create({ name: 'full', out: join(mnt, 'run'), scenario: { a: 1 } }).resumed).to.equal(true);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('fail() marks a failed run and the folder resumes as the same scenario', () => {
    const out = join(tmp, 'o');
    const rf = RunFolder.create({ name: 'f', out, scenario: { a: 1 } });
    rf.writeManifest({ kind: 'phy', scenario: { a: 1 }, seed: 1 });
    expect(rf.fail(new Error('boom'))).to.equal(true);
    expect(rf.status).to.equal('failed');
    expect(RunFolder.create({ name: 'f', out, scenario: { a: 1 } }).resumed).to.equal(true);
  });

  it('run names: blank, newline, NUL, tab, slashes, "..", 300 characters refused; a normal name accepted', () => {
    for (const name of ['', '   ', 'a\nb', 'a\u0000b', 'a\tb', 'a/b', 'a\\b', '..', ' lead', 'x'.repeat(300)]) {
      expect(() => RunFolder.create({ name, root: tmp }), JSON.stringify(name)).to.throw(UserInputError, /^name: /);
    }
    expect(RunFolder.create({ name: 'fl-lm ideal (r=8)', root: tmp }).dir).to.contain('fl-lm ideal (r=8)-');
  });
});

function quietly<T>(f: () => T): T {
  const w = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try { return f(); } finally { process.stderr.write = w; }
}

describe('reliability: CLI error mapping', () => {
  it('an allocation failure is reported as out of memory (exit 3), not as a bug with a stack', () => {
    let err: unknown;
    try { new Float64Array(2 ** 53); } catch (e) { err = e; }
    let text = '';
    const w = process.stderr.write;
    process.stderr.write = ((s: string) => { text += s; return true; }) as typeof process.stderr.write;
    let code: number;
    try { code = reportError(err); } finally { process.stderr.write = w; }
    expect(code).to.equal(3);
    expect(text).to.match(/^environment error: out of memory/);
    expect(text).to.not.match(/\n\s+at /);
  });
});
