import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunFolder } from '../src/results/run-folder.js';
import { parseCsv, formatCsv } from '../src/results/csv.js';
import { resolveFigure } from '../src/report/figure-spec.js';
import { buildFigure, drawFigures, autoFigures } from '../src/report/draw.js';
import { renderSvg, svgToPng } from '../src/report/render.js';
import { drawFiguresOffThread } from '../src/report/offthread.js';
import { summarize, toDb } from '../src/stats/summary.js';
import { RandomStreams } from '../src/random/streams.js';
import { UserInputError } from '../src/errors.js';

/** Synthetic rows shaped like H3's phy-trials.csv: scheme × snr_db × trial, nmse decaying with SNR. */
function phyRows(trials = 6) {
  const rs = new RandomStreams(11);
  const rows: Record<string, string | number>[] = [];
  for (const scheme of ['ideal', 'zf', 'mmse'])
    for (const snr of [0, 10, 20])
      for (let t = 0; t < trials; t++) {
        const g = rs.stream('test', scheme, snr, t);
        const nmse = scheme === 'ideal' ? 1e-32 : (scheme === 'zf' ? 2 : 1) * 10 ** (-snr / 10) * (0.5 + g.uniform());
        rows.push({ trial: t, server_antennas: 8, point: `snr=${snr}`, snr_db: snr, scheme, nmse });
      }
  return rows;
}

describe('report: figures', () => {
  it("a figure's points equal the CSV's trial means and 95% CIs (dB after linear averaging)", () => {
    const rows = parseCsv(formatCsv(phyRows()));
    const fig = resolveFigure('nmse_vs_snr');
    const { data, spec } = buildFigure(rows, fig);
    expect(data.points).to.have.length(6);
    expect(data.aggregate).to.equal('mean');
    for (const p of data.points) {
      expect(p.facet).to.equal('8');
      const ys = rows.filter((r) => r.scheme === p.series && Number(r.snr_db) === p.x).map((r) => Number(r.nmse));
      const s = summarize(ys, { nonNegative: true }); // NMSE ≥ 0: the mean's interval on the log scale
      expect(p.n).to.equal(ys.length);
      expect(p.y).to.equal(toDb(s.mean));
      expect(p.lo).to.equal(toDb(s.ciLow));
      expect(p.hi).to.equal(toDb(s.ciHigh));
    }
    // the spec carries exactly these points, in series then x order
    const plot = (spec.vconcat as { data: { values: { kind: string; x: number; y: number; series: string }[] } }[])[0]!;
    const values = plot.data.values.filter((v) => v.kind === 'pt');
    expect(values.map((v) => [v.series, v.x, v.y])).to.deep.equal(data.points.map((p) => [p.series, p.x, p.y]));
    // the exact 'ideal' scheme is left out of NMSE figures
    expect(values.map((v) => v.series)).to.deep.equal(['zf', 'zf', 'zf', 'mmse', 'mmse', 'mmse']);
  });

  it('precomputed CI columns are used as they are; series order follows seriesOrder', () => {
    const rows = parseCsv('scheme,round,loss,lo,hi\nota,0,3,2.5,3.5\nideal,0,2.9,,\nota,1,2,1.5,2.5\nideal,1,1.8,,\n');
    const fig = resolveFigure({ name: 'l', x: 'round', y: 'loss', series: 'scheme', ciLow: 'lo', ciHigh: 'hi', seriesOrder: ['ideal', 'ota'] });
    const { data } = buildFigure(rows, fig);
    expect(data.seriesOrder).to.deep.equal(['ideal', 'ota']);
    expect(data.points.map((p) => [p.series, p.x, p.y, p.lo, p.hi])).to.deep.equal([
      ['ideal', 0, 2.9, null, null], ['ideal', 1, 1.8, null, null], ['ota', 0, 3, 2.5, 3.5], ['ota', 1, 2, 1.5, 2.5]]);
  });

  it('final keeps the last round per trial; filters apply; bad columns name the choices', () => {
    const rows = parseCsv('scheme,snr_db,trial,round,perplexity\n' +
      'a,0,0,0,90\na,0,0,1,50\na,0,1,0,80\na,0,1,1,40\nb,0,0,0,70\nb,0,0,1,30\nb,0,1,0,60\nb,0,1,1,20\n');
    const { data } = buildFigure(rows, resolveFigure({ preset: 'final_perplexity_vs_snr', filter: { scheme: 'a' } }));
    expect(data.points).to.have.length(1);
    expect(data.points[0]!.y).to.equal(45);
    expect(data.points[0]!.n).to.equal(2);
    expect(() => buildFigure(rows, resolveFigure({ name: 'z', x: 'snr_db', y: 'nope' }))).to.throw(UserInputError, /'nope'.*columns: scheme/);
    expect(() => resolveFigure('no_such_preset')).to.throw(UserInputError, /allowed: nmse_vs_snr/);
  });

  it('non-finite values are dropped and counted, empty cells skipped, never plotted as NaN', () => {
    const rows = parseCsv('x,y\n1,2\n2,NaN\n3,\n4,-Infinity\n');
    const { data } = buildFigure(rows, resolveFigure({ name: 'n', x: 'x', y: 'y' }));
    expect(data.points.map((p) => p.x)).to.deep.equal([1]);
    expect(data.dropped).to.equal(2); // NaN and -Infinity; an empty cell is 'not measured', not an error
  });

  it('SVG and PNG are byte-stable, use the bundled font, and show the scheme names', async function () {
    this.timeout(30000);
    const rows = parseCsv(formatCsv(phyRows(3)));
    const { spec } = buildFigure(rows, resolveFigure('nmse_vs_snr'));
    const a = await renderSvg(spec);
    const b = await renderSvg(spec);
    expect(a).to.equal(b);
    expect(a).to.contain('DejaVu Sans');
    expect(a).to.match(/>ZF</).and.to.match(/>MMSE</);
    expect(a).to.contain('NMSE (dB)');
    const p1 = svgToPng(a, 1);
    const p2 = svgToPng(a, 1);
    expect(Buffer.from(p1).subarray(1, 4).toString()).to.equal('PNG');
    expect(Buffer.compare(Buffer.from(p1), Buffer.from(p2))).to.equal(0);
  });

  it('drawFigures reads the figure list from the manifest scenario, else picks presets by columns', async function () {
    this.timeout(30000);
    const tmp = mkdtempSync(join(tmpdir(), 'airlora-fig-'));
    try {
      const rf = RunFolder.create({ name: 'f', root: tmp });
      rf.writeCsv('phy-trials.csv', phyRows(3));
      expect(autoFigures(rf)).to.deep.equal(['nmse_vs_snr']);
      rf.writeManifest({ kind: 'phy', seed: 1, scenario: { figures: ['nmse_vs_snr', { name: 'lin', data: 'phy-trials.csv', x: 'snr_db', y: 'nmse', series: 'scheme', yScale: 'log', filter: { scheme: ['zf', 'mmse'] } }] } });
      const drawn = await drawFigures(rf, { layouts: ['single'] });
      expect(drawn.map((d) => d.name)).to.deep.equal(['nmse_vs_snr', 'lin']);
      const pts = parseCsv(readFileSync(rf.path('figures/nmse_vs_snr.points.csv'), 'utf8'));
      expect(pts).to.have.length(6);
      expect(readFileSync(rf.path('figures/lin.png')).subarray(1, 4).toString()).to.equal('PNG');
      // redrawing from the folder alone gives the same bytes
      const svg1 = readFileSync(rf.path('figures/nmse_vs_snr.svg'), 'utf8');
      rmSync(rf.path('figures'), { recursive: true });
      await drawFigures(rf, { formats: ['svg'], layouts: ['single'] });
      expect(readFileSync(rf.path('figures/nmse_vs_snr.svg'), 'utf8')).to.equal(svg1);
      // the same drawing off the main thread (what require()-based callers such as notebooks use)
      rmSync(rf.path('figures'), { recursive: true });
      const off = await drawFiguresOffThread(rf.dir, { formats: ['svg'], layouts: ['single'] });
      expect(off.map((d) => d.name)).to.deep.equal(['nmse_vs_snr', 'lin']);
      expect(readFileSync(rf.path('figures/nmse_vs_snr.svg'), 'utf8')).to.equal(svg1);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
