import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFolder } from '../src/results/run-folder.js';
import { compareRuns, formatCompareTable } from '../src/report/compare.js';
import { summarize } from '../src/stats/summary.js';
import { UserInputError } from '../src/errors.js';

describe('report: compare', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'airlora-cmp-'));
    // training-like run: scheme × trial × round
    const a = RunFolder.create({ out: join(tmp, 'train'), name: 'train' });
    const rows = [];
    for (const scheme of ['ideal', 'ota'])
      for (let trial = 0; trial < 4; trial++)
        for (let round = 0; round < 3; round++)
          rows.push({ scheme, trial, round, train_loss: 3 - round + trial * 0.1 + (scheme === 'ota' ? 0.5 : 0), perplexity: 20 - round - trial });
    a.writeCsv('metrics.csv', rows);
    // single-trial run
    const b = RunFolder.create({ out: join(tmp, 'single'), name: 'single' });
    b.writeCsv('metrics.csv', [{ scheme: 'ideal', round: 0, train_loss: 2 }, { scheme: 'ideal', round: 5, train_loss: 1.5 }]);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('takes the final round per trial and gives the mean with its Student-t 95% CI', () => {
    const res = compareRuns([join(tmp, 'train'), join(tmp, 'single')]);
    expect(res.keyColumns).to.deep.equal(['scheme']);
    expect(res.metrics).to.deep.equal(['train_loss', 'perplexity']);
    const ota = res.rows.find((r) => r.run === 'train' && r.keys.scheme === 'ota' && r.metric === 'train_loss')!;
    const s = summarize([0, 1, 2, 3].map((t) => 3 - 2 + t * 0.1 + 0.5));
    expect(ota.n).to.equal(4);
    expect(ota.mean).to.be.closeTo(s.mean, 1e-12);
    expect(ota.ciLow).to.be.closeTo(s.ciLow, 1e-12);
    expect(ota.ciHigh).to.be.closeTo(s.ciHigh, 1e-12);
    const single = res.rows.find((r) => r.run === 'single')!;
    expect([single.mean, single.n, single.ciLow]).to.deep.equal([1.5, 1, null]);
    const table = formatCompareTable(res);
    expect(table).to.match(/^run\s+scheme\s+train_loss\s+perplexity/);
    expect(table).to.contain('(n=4)').and.to.contain('±').and.to.contain('1.5 (n=1)');
  });

  it('--metric/--by name unknown columns with the choices', () => {
    expect(() => compareRuns([join(tmp, 'train')], { metrics: ['acc'] })).to.throw(UserInputError, /'acc'.*columns: scheme, trial/);
    expect(() => compareRuns([join(tmp, 'nope')])).to.throw(UserInputError, /does not exist/);
  });
});
