import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFolder, readCsv, utcStamp } from '../src/results/run-folder.js';
import { formatCsv, parseCsv } from '../src/results/csv.js';
import { canonicalJson } from '../src/results/canonical.js';
import { UserInputError } from '../src/errors.js';

describe('results: RunFolder', () => {
  let tmp: string;
  beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'airlora-rf-')); });
  afterEach(() => { rmSync(tmp, { recursive: true, force: true }); });

  it('default folders are <name>-<UTC stamp>[-n] and never reuse an earlier one', () => {
    const now = new Date(Date.UTC(2026, 10, 22, 3, 4, 5));
    const a = RunFolder.create({ name: 'q', root: tmp, now });
    const b = RunFolder.create({ name: 'q', root: tmp, now });
    expect(a.dir).to.equal(join(tmp, 'q-20261122-030405Z'));
    expect(b.dir).to.equal(join(tmp, 'q-20261122-030405Z-2'));
    expect(utcStamp(now)).to.equal('20261122-030405Z');
  });

  it('--out: refuses a non-empty foreign folder, a complete run, and another scenario; resumes the same one', () => {
    const foreign = join(tmp, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'x.txt'), 'x');
    expect(() => RunFolder.create({ name: 'q', out: foreign })).to.throw(UserInputError, /not empty/);
    const out = join(tmp, 'out');
    const rf = RunFolder.create({ name: 'q', out, scenario: { a: 1, b: [1, 2] } });
    expect(rf.resumed).to.equal(false);
    rf.writeManifest({ kind: 'phy', scenario: { a: 1, b: [1, 2] }, seed: 7 });
    // same scenario, keys in a different order → resumable
    const again = RunFolder.create({ name: 'q', out, scenario: { b: [1, 2], a: 1 } });
    expect(again.resumed).to.equal(true);
    expect(() => RunFolder.create({ name: 'q', out, scenario: { a: 2, b: [1, 2] } })).to.throw(UserInputError, /different scenario/);
    rf.complete();
    expect(() => RunFolder.create({ name: 'q', out, scenario: { a: 1, b: [1, 2] } })).to.throw(UserInputError, /complete run/);
  });

  it('manifest: running until complete(), with versions, seed and scenario', () => {
    const rf = RunFolder.create({ name: 'm', root: tmp });
    rf.writeManifest({ kind: 'phy', scenario: { seed: 3 }, seed: 3, backend: 'js' });
    const m = rf.manifest();
    expect(m.status).to.equal('running');
    expect(rf.isComplete()).to.equal(false);
    expect(m.seed).to.equal(3);
    expect(m.versions.node).to.equal(process.versions.node);
    expect(m.versions.deps).to.have.property('vega');
    expect(m.endedAt).to.equal(null);
    rf.complete({ trials: 5 });
    const m2 = rf.manifest();
    expect(m2.status).to.equal('complete');
    expect(m2.trials).to.equal(5);
    expect(Date.parse(m2.endedAt!)).to.be.at.least(Date.parse(m2.startedAt));
  });

  it('writes atomically (no temp files left) and refuses paths outside the folder', () => {
    const rf = RunFolder.create({ name: 'a', root: tmp });
    rf.writeJson('sub/x.json', { v: 1 });
    rf.writeText('t.txt', 'hello');
    expect(readdirSync(rf.dir).sort()).to.deep.equal(['sub', 't.txt']);
    expect(readdirSync(join(rf.dir, 'sub'))).to.deep.equal(['x.json']);
    expect(() => rf.writeText('../evil.txt', 'x')).to.throw(UserInputError);
    expect(() => rf.writeText('/tmp/evil.txt', 'x')).to.throw(UserInputError);
  });

  it('CSV: stable columns, shortest round-trip numbers, RFC 4180 quoting, read back equal', () => {
    const rows = [
      { scheme: 'ideal', snr_db: 0, nmse: 0.1 + 0.2, ok: true, note: 'a,"b"\nc' },
      { scheme: 'zf', snr_db: -0, nmse: 0, ok: false, note: null, extra: 1e-300 },
    ];
    const text = formatCsv(rows);
    expect(text.split('\n')[0]).to.equal('scheme,snr_db,nmse,ok,note,extra');
    expect(text).to.contain('0.30000000000000004');
    expect(text).to.contain('"a,""b""\nc"');
    const back = parseCsv(text);
    expect(back).to.have.length(2);
    expect(Number(back[0]!.nmse)).to.equal(0.1 + 0.2);
    expect(back[0]!.note).to.equal('a,"b"\nc');
    expect(Number(back[1]!.nmse)).to.equal(0);
    expect(back[1]!.snr_db).to.equal('0');
    expect(back[1]!.note).to.equal('');
    expect(Number(back[1]!.extra)).to.equal(1e-300);
    const rf = RunFolder.create({ name: 'c', root: tmp });
    rf.writeCsv('metrics.csv', rows, ['nmse', 'scheme']);
    expect(readFileSync(rf.path('metrics.csv'), 'utf8').split('\n')[0]).to.equal('nmse,scheme');
    expect(readCsv(rf.path('metrics.csv'))[1]).to.deep.equal({ nmse: '0', scheme: 'zf' });
    expect(parseCsv('a,b\r\n1,2\r\n')).to.deep.equal([{ a: '1', b: '2' }]);
  });

  it('JSONL: one flushed line per record; a torn last line is dropped', () => {
    const rf = RunFolder.create({ name: 'j', root: tmp });
    rf.appendJsonl('rounds.jsonl', { round: 0 });
    rf.appendJsonl('rounds.jsonl', { round: 1 });
    writeFileSync(rf.path('rounds.jsonl'), '{"round":2', { flag: 'a' });
    expect(rf.readJsonl('rounds.jsonl')).to.deep.equal([{ round: 0 }, { round: 1 }]);
  });

  it('open: refuses a missing folder; canonical JSON ignores key order', () => {
    expect(() => RunFolder.open(join(tmp, 'nope'))).to.throw(UserInputError, /does not exist/);
    expect(existsSync(tmp)).to.equal(true);
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).to.equal('{"a":{"c":3,"d":2},"b":1}');
  });
});
