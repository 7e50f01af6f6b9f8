/**
 * pgfplots tables: one whitespace-separated `.dat` per panel, one row per x, and per series its
 * value and 95% CI ends (`<series>`, `<series>_lo`, `<series>_hi`; `nan` where there is none), so a
 * paper redraws the figure with
 *   \addplot table[x=x, y=zf] {nmse_vs_snr.dat};
 *   \addplot[fill opacity=0.2] fill between[of=zf_lo and zf_hi];   (with named paths)
 * Comment lines (#) state the axes and what the band is.
 */
import { axisTitle } from '../results/columns.js';
import type { FigureData } from './data.js';
import type { FigureSpec } from './figure-spec.js';

/** A pgfplots column name: letters, digits and underscores. */
export function datName(s: string): string {
  const n = s.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return n === '' ? 'y' : /^[0-9]/.test(n) ? `s_${n}` : n;
}

const cell = (v: number | string | null | undefined): string =>
  v === null || v === undefined ? 'nan' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'nan') : datName(v);

export function datTables(data: FigureData, fig: FigureSpec): { suffix: string; text: string }[] {
  const facets = fig.facet && data.facetOrder.length > 1 ? data.facetOrder : [null];
  const series = data.seriesOrder.length ? data.seriesOrder : [null];
  const names = series.map((s) => (s === null ? 'y' : datName(s)));
  const yWhat = fig.deltaTo !== undefined ? `difference to ${fig.deltaTo} in ${axisTitle(fig.y)}` : axisTitle(fig.y, { db: fig.yScale === 'db' });
  return facets.map((f) => {
    const pts = data.points.filter((p) => f === null || p.facet === f);
    const xs: (number | string)[] = [];
    for (const p of pts) if (!xs.includes(p.x)) xs.push(p.x);
    if (typeof xs[0] === 'number') (xs as number[]).sort((a, b) => a - b);
    const head = ['x', ...names.flatMap((n) => [n, `${n}_lo`, `${n}_hi`])];
    const lines = [
      `# figure ${fig.name}${f !== null ? `, ${fig.facet} = ${f}` : ''}`,
      `# x: ${fig.xTitle ?? axisTitle(fig.x)}; y: ${fig.yTitle ?? yWhat}; *_lo/*_hi: 95% CI (nan: none)`,
      head.join(' '),
    ];
    for (const x of xs) {
      const row: string[] = [cell(x)];
      for (const s of series) {
        const p = pts.find((q) => q.x === x && q.series === s);
        row.push(cell(p?.y), cell(p?.lo), cell(p?.hi));
      }
      lines.push(row.join(' '));
    }
    return { suffix: f === null ? '' : `.${datName(f)}`, text: lines.join('\n') + '\n' };
  });
}
