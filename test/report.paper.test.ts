/**
 * Paper-ready figures: fixed per-scheme styles in the specs, axes fitted to the data, CI bands
 * clipped to the quantity's range, budget lines, paired Δ-vs-ideal against an independent
 * computation, IEEE sizes of the SVG/PNG/PDF outputs, and pgfplots tables equal to the points.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, formatCsv } from '../src/results/csv.js';
import { RunFolder } from '../src/results/run-folder.js';
import { axisTitle, columnInfo } from '../src/results/columns.js';
import { resolveFigure } from '../src/report/figure-spec.js';
import { buildFigure, drawFigures, headlineStatistic } from '../src/report/draw.js';
import { seriesStyle, STYLES } from '../src/report/style.js';
import { fixedParams } from '../src/report/params.js';
import { summarize } from '../src/stats/summary.js';
import { RandomStreams } from '../src/random/streams.js';

type Spec = Record<string, unknown>;
/** Every object in a spec tree with key k. */
function collect(o: unknown, k: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(o)) o.forEach((x) => collect(x, k, out));
  else if (o && typeof o === 'object') for (const [kk, v] of Object.entries(o)) { if (kk === k) out.push(v); collect(v, k, out); }
  return out;
}

describe('report: paper-ready figures', () => {
  it('each scheme has one fixed colour, marker and dash, carried in the spec scales; markers and dashes differ within a family', () => {
    const schemes = ['ideal', 'zf', 'mmse', 'tci', 'manifold', 'digital'];
    const scheds = ['lyapunov', 'all-in', 'random', 'best-channel', 'round-robin'];
    for (const fam of [schemes, scheds]) {
      expect(new Set(fam.map((s) => STYLES[s]!.shape)).size).to.equal(fam.length);
      expect(new Set(fam.map((s) => JSON.stringify(STYLES[s]!.dash))).size).to.equal(fam.length);
      expect(new Set(fam.map((s) => STYLES[s]!.color)).size).to.equal(fam.length);
    }
    // unknown names: deterministic, independent of the other series
    expect(seriesStyle('my-scheme')).to.deep.equal(seriesStyle('my-scheme'));
    expect(seriesStyle('zf (warm start)').color).to.equal(STYLES['zf']!.color);
    // the same scheme gets the same style whatever else is plotted
    const rows = (names: string[]) => parseCsv(formatCsv(names.flatMap((s) => [0, 1, 2].map((round) => ({ round, scheme: s, train_loss: 1 + round + s.length })))));
    const colorOf = (spec: Spec) => {
      const sc = collect(spec, 'color').find((c) => (c as Spec)['field'] === 'series') as { scale: { domain: string[]; range: string[] } };
      return Object.fromEntries(sc.scale.domain.map((d, i) => [d, sc.scale.range[i]]));
    };
    const a = colorOf(buildFigure(rows(['ideal', 'mmse']), resolveFigure('loss_vs_round')).spec);
    const b = colorOf(buildFigure(rows(['manifold', 'mmse', 'digital']), resolveFigure('loss_vs_round')).spec);
    expect(a['mmse']).to.equal(b['mmse']).and.to.equal(STYLES['mmse']!.color);
    const spec = buildFigure(rows(['ideal', 'zf']), resolveFigure('loss_vs_round')).spec;
    const dash = collect(spec, 'strokeDash').find((c) => (c as Spec)['field'] === 'series') as { scale: { domain: string[]; range: number[][] } };
    expect(dash.scale.range).to.deep.equal([STYLES['ideal']!.dash, STYLES['zf']!.dash]);
    // axis titles are words with units, never the raw column
    expect(JSON.stringify(spec)).to.contain('"training loss (nats)"');
  });

  it('axes fit the data: rank ticks at 1, 2, 4, 8, 16; a log axis for 40–60 spans only that; split rounds count from 1', () => {
    const rows = parseCsv(formatCsv([1, 2, 4, 8, 16].flatMap((rank) => ['ideal', 'zf'].map((scheme) => ({ rank, scheme, round: 5, perplexity: 40 + 20 / rank + (scheme === 'zf' ? 3 : 0) })))));
    const { spec } = buildFigure(rows, resolveFigure('final_perplexity_vs_rank'));
    const xAxis = collect(spec, 'x').map((x) => (x as Spec)['axis']).find((a) => a && (a as Spec)['values']) as { values: number[] };
    expect(xAxis.values).to.deep.equal([1, 2, 4, 8, 16]);
    const yScale = collect(spec, 'scale').find((s) => (s as Spec)['type'] === 'log' && Array.isArray((s as Spec)['domain']) && ((s as Spec)['domain'] as number[])[0]! > 20) as { domain: number[] };
    expect(yScale.domain[0]).to.be.within(38, 42);
    expect(yScale.domain[1]).to.be.within(62, 66);
    // two trials far apart: the t-interval dwarfs the lines, so the axis follows the lines and the band is cut
    const wide = parseCsv('round,trial,scheme,train_loss\n1,0,zf,1\n1,1,zf,3\n2,0,zf,1.1\n2,1,zf,1.2\n3,0,zf,1\n3,1,zf,1.05\n');
    const ws = buildFigure(wide, resolveFigure('loss_vs_round')).spec;
    const yEnc = collect(ws, 'y').find((e) => (e as Spec)['field'] === 'y') as { scale: { domain: number[] } };
    const dom = yEnc.scale.domain;
    expect(dom[0]).to.be.lessThan(1);
    expect(dom[1]).to.be.lessThan(4); // t_{0.975,1} = 12.7: the band would reach ≈ 14
    expect(JSON.stringify(ws)).to.contain('"clip":true').and.to.contain('cut at the frame');
    const split = parseCsv('task,trial,scheduler,round,train_loss\nspam,0,lyapunov,0,1\nspam,0,lyapunov,1,0.9\nspam,0,lyapunov,2,0.8\n');
    expect(buildFigure(split, resolveFigure('split_loss_vs_round')).data.points.map((p) => p.x)).to.deep.equal([1, 2, 3]);
  });

  it('CI bands stay in the quantity range (accuracy ≤ 1, delay ≥ 0) and a delay figure draws its budget line', () => {
    const rows: Record<string, string | number>[] = [];
    for (let trial = 0; trial < 3; trial++) {
      for (const round of [0, 1]) rows.push({ task: 't', trial, scheduler: 'random', budget_s: 0.05, round, avg_delay_s: [0.001, 0.02, 0.0005][trial]!, test_accuracy: [1, 0.9, 1][trial]! });
    }
    const csv = parseCsv(formatCsv(rows));
    const raw = summarize([0.001, 0.02, 0.0005]);
    expect(raw.ciLow).to.be.lessThan(0); // the plain t-interval would leave the range
    const pos = summarize([0.001, 0.02, 0.0005], { nonNegative: true }); // a delay's mean: log-scale interval
    const d = buildFigure(csv, resolveFigure('delay_vs_round')).data;
    for (const p of d.points) { expect(p.lo).to.be.greaterThan(0).and.closeTo(pos.ciLow, 1e-15); expect(p.hi).to.be.closeTo(pos.ciHigh, 1e-12); }
    expect(d.refLines).to.deep.equal([{ facet: 't', y: 0.05, label: 'budget 0.05 s' }]);
    const acc = buildFigure(csv, resolveFigure('split_accuracy_vs_round')).data;
    for (const p of acc.points) expect(p.hi).to.equal(1);
    expect(axisTitle('avg_delay_s')).to.equal('average round delay (s)');
    expect(columnInfo('nmse_mean_db')?.unit).to.equal('dB');
  });

  it('Δ vs ideal pairs rows by trial and round; its mean and CI equal those of the per-trial differences', () => {
    const rs = new RandomStreams(5);
    const rows: Record<string, string | number>[] = [];
    const diffs = new Map<string, number[]>();
    for (let trial = 0; trial < 6; trial++) {
      for (const round of [1, 2]) {
        const common = rs.stream('common', trial, round).normal() * 5; // shared by all schemes: cancels in the pair
        const ideal = 40 + common;
        for (const [scheme, off] of [['ideal', 0], ['zf', 2], ['mmse', 0.5]] as const) {
          const v = ideal + off + (scheme === 'ideal' ? 0 : rs.stream('own', scheme, trial, round).normal() * 0.3);
          rows.push({ trial, round, scheme, perplexity: v, train_loss: 1 });
          if (scheme !== 'ideal') { const k = `${scheme}/${round}`; diffs.set(k, [...(diffs.get(k) ?? []), v - ideal]); }
        }
      }
    }
    rows.push({ trial: 9, round: 1, scheme: 'zf', perplexity: 50, train_loss: 1 }); // no ideal partner
    const { data } = buildFigure(parseCsv(formatCsv(rows)), resolveFigure('delta_perplexity_vs_round'));
    expect(data.delta).to.deep.equal({ baseline: 'ideal', unpaired: 1 });
    expect(data.seriesOrder).to.deep.equal(['zf', 'mmse']);
    for (const p of data.points) {
      const s = summarize(diffs.get(`${p.series}/${p.x}`)!);
      expect(p.n).to.equal(6);
      expect(p.y).to.be.closeTo(s.mean, 1e-12);
      expect(p.lo).to.be.closeTo(s.ciLow, 1e-12);
      expect(p.hi).to.be.closeTo(s.ciHigh, 1e-12);
      // pairing removes the shared variation: far narrower than the unpaired spread of the absolute values
      expect(p.hi! - p.lo!).to.be.lessThan(2);
    }
    expect(data.refLines).to.deep.equal([{ facet: null, y: 0, label: 'ideal' }]);
  });

  it('a heavy-tailed NMSE (headline median in phy-summary.csv) is plotted by its median with the order-statistic CI', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'airlora-heavy-'));
    try {
      const rf = RunFolder.create({ name: 'h', root: tmp });
      const rows: Record<string, string | number>[] = [];
      const vals = [0.01, 0.02, 0.015, 0.012, 5, 0.011, 0.013, 0.018];
      vals.forEach((nmse, trial) => { for (const snr of [0, 10]) rows.push({ trial, server_antennas: 8, point: `snr=${snr}`, snr_db: snr, scheme: 'zf', nmse }); });
      const csv = parseCsv(formatCsv(rows));
      const fig = resolveFigure('nmse_vs_snr');
      rf.writeCsv('phy-summary.csv', [{ scheme: 'zf', headline: 'mean' }]);
      expect(headlineStatistic(rf, fig, csv).aggregate).to.equal('auto');
      rf.writeCsv('phy-summary.csv', [{ scheme: 'zf', headline: 'median' }]);
      const med = headlineStatistic(rf, fig, csv);
      const { data } = buildFigure(csv, med);
      const s = summarize(vals);
      expect(data.aggregate).to.equal('median');
      for (const p of data.points) { expect(p.y).to.be.closeTo(10 * Math.log10(s.median), 1e-12); expect(p.hi).to.be.closeTo(10 * Math.log10(s.medianHigh), 1e-12); }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('subtitles list the fixed parameters, not those the figure varies', () => {
    const scen = { phy: { devices: 10, antennas: { device: 2, server: [8] }, streams: 2, snr_db: [0, 10, 20], channel: { csi_error: 0.1 } } };
    expect(fixedParams(scen, { x: 'snr_db', series: 'scheme' })).to.equal('K = 10, Nₜ = 2, Nᵣ = 8, S = 2, ε² = 0.1');
    expect(fixedParams({ ...scen, phy: { ...scen.phy, snr_db: 0 } }, { x: 'server_antennas' })).to.equal('K = 10, Nₜ = 2, S = 2, SNR = 0 dB, ε² = 0.1');
  });

  it('draws IEEE sizes (3.5 in / 7.16 in; 1050 / 2148 px at 300 dpi) as SVG, PDF and PNG, with pgfplots tables equal to the points', async function () {
    this.timeout(60000);
    const tmp = mkdtempSync(join(tmpdir(), 'airlora-paper-'));
    try {
      const rf = RunFolder.create({ name: 'p', root: tmp });
      const rows = [];
      for (const scheme of ['ideal', 'zf']) for (const round of [0, 1, 2, 3]) for (const trial of [0, 1]) rows.push({ round, scheme, trial, train_loss: 3 - round * 0.5 + (scheme === 'zf' ? 0.2 : 0) + trial * 0.05 });
      rf.writeCsv('metrics.csv', rows);
      rf.writeManifest({ kind: 'train', seed: 1, scenario: { name: 'p', fl: { clients: 4 }, figures: ['loss_vs_round'] } });
      const drawn = await drawFigures(rf);
      expect(drawn.map((d) => d.name)).to.deep.equal(['loss_vs_round', 'delta_loss_vs_round']);
      const png = (f: string) => readFileSync(rf.path(f)).readUInt32BE(16); // IHDR width
      expect(png('figures/loss_vs_round.png')).to.equal(1050);
      expect(png('figures/loss_vs_round.wide.png')).to.equal(2148);
      const svg = readFileSync(rf.path('figures/loss_vs_round.svg'), 'utf8');
      expect(svg).to.match(/width="3\.500in"/);
      expect(Number(/viewBox="0 0 ([\d.]+)/.exec(svg)![1])).to.be.within(251, 253.5);
      expect(readFileSync(rf.path('figures/loss_vs_round.wide.svg'), 'utf8')).to.match(/width="7\.160in"/);
      const pdf = readFileSync(rf.path('figures/loss_vs_round.pdf')).toString('latin1');
      expect(pdf.startsWith('%PDF-')).to.equal(true);
      const box = /\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/.exec(pdf)!;
      expect(Number(box[1])).to.be.within(251, 253.5);
      expect(pdf).to.contain('DejaVu'); // the font is embedded
      // .dat: one row per round, per series value and CI ends, equal to points.csv
      const dat = readFileSync(rf.path('figures/loss_vs_round.dat'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
      expect(dat[0]).to.equal('x ideal ideal_lo ideal_hi zf zf_lo zf_hi');
      const pts = rf.readCsv('figures/loss_vs_round.points.csv');
      for (const line of dat.slice(1)) {
        const [x, iy, ilo, ihi, zy] = line.split(' ').map(Number);
        const p = pts.find((q) => q.series === 'ideal' && Number(q.x) === x)!;
        expect([iy, ilo, ihi]).to.deep.equal([Number(p.y), Number(p.lo), Number(p.hi)]);
        expect(zy).to.equal(Number(pts.find((q) => q.series === 'zf' && Number(q.x) === x)!.y));
      }
      expect(readdirSync(rf.dir)).to.include.members(['report.html', 'COLUMNS.md']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('one figure whose data file is missing is named in the error; the others are drawn and the report written', async function () {
    this.timeout(60000);
    const tmp = mkdtempSync(join(tmpdir(), 'airlora-paper-'));
    try {
      const rf = RunFolder.create({ name: 'p', root: tmp });
      rf.writeCsv('metrics.csv', [0, 1, 2].map((round) => ({ round, scheme: 'ideal', trial: 0, train_loss: 3 - round })));
      const bad = { name: 'missing_data', kind: 'line', data: 'nowhere.csv', x: 'round', y: 'train_loss' };
      rf.writeManifest({ kind: 'train', seed: 1, scenario: { name: 'p', fl: { clients: 4 }, figures: [bad, 'loss_vs_round'] } });
      let err: unknown;
      try { await drawFigures(rf); } catch (e) { err = e; }
      expect((err as Error).message).to.match(/^1 figure not drawn \(1 drawn\): figure 'missing_data': data file 'nowhere.csv'/);
      expect(readdirSync(rf.path('figures'))).to.include('loss_vs_round.png');
      expect(readdirSync(rf.dir)).to.include('report.html');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
