/**
 * Figure data: tidy CSV rows → plotted points (pure function, so tests can check that a figure's
 * points equal the CSV's). Replicate rows of one point (trials) become their mean with a Student-t
 * 95% CI (or median with its order-statistic CI); dB is applied after averaging in linear units.
 * Quantities ≥ 0 (NMSE, delay, loss) get the log-scale interval of the mean (stats/positive.ts), like the
 * run summaries; CI ends are clipped to the quantity's range (column catalogue), so a band never shows a negative
 * delay or an accuracy above 1. A `deltaTo` figure plots paired differences to a baseline series.
 */
import { UserInputError } from '../errors.js';
import { columnInfo, COLUMNS } from '../results/columns.js';
import { summarize, toDb } from '../stats/summary.js';
import type { FigureSpec } from './figure-spec.js';

export interface FigurePoint {
  x: number | string;
  y: number;
  /** 95% CI bounds in plotted units; null where there is none (single trial, or ≤ 0 on a log/dB axis). */
  lo: number | null;
  hi: number | null;
  /** Replicates behind the point. */
  n: number;
  series: string | null;
  facet: string | null;
}

export interface FigureData {
  points: FigurePoint[];
  xType: 'quantitative' | 'ordinal';
  seriesOrder: string[];
  facetOrder: string[];
  aggregate: 'mean' | 'median' | 'none';
  /** Rows (or aggregated points) not plotted because y was non-finite (NaN, ±Infinity, text) or ≤ 0 on a log/dB axis. Empty cells are not counted. */
  dropped: number;
  /** Horizontal reference lines (a budget the quantity is held to, per facet). */
  refLines: { facet: string | null; y: number; label: string }[];
  /** Δ figures: the baseline series and the rows without a baseline partner. */
  delta?: { baseline: string; unpaired: number };
  /** CI ends moved to the quantity's range. */
  clipped: number;
}

type Row = Record<string, string>;

const isNumeric = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

function matches(cell: string | undefined, want: string | number | boolean): boolean {
  if (cell === undefined) return false;
  if (cell === String(want)) return true;
  return typeof want === 'number' && isNumeric(cell) && Number(cell) === want;
}

export function figureData(rows: Row[], spec: FigureSpec): FigureData {
  const where = `figure '${spec.name}' (${spec.data})`;
  if (rows.length === 0) throw new UserInputError(`${where}: the CSV has no rows`, `figures.${spec.name}`);
  const columns = new Set(Object.keys(rows[0]!));
  const need: [string, string | undefined][] = [
    ['x', spec.x], ['y', spec.y], ['series', spec.series], ['facet', spec.facet],
    ['ciLow', spec.ciLow], ['ciHigh', spec.ciHigh], ['final', spec.final],
    ...Object.keys(spec.filter ?? {}).map((k) => ['filter', k] as [string, string]),
    ...Object.keys(spec.exclude ?? {}).map((k) => ['exclude', k] as [string, string]),
  ];
  for (const [what, col] of need) {
    if (col !== undefined && !columns.has(col)) {
      throw new UserInputError(
        `${where}: ${what} column '${col}' is not in the CSV; columns: ${[...columns].join(', ')}`, `figures.${spec.name}.${what}`);
    }
  }

  let kept = selectRows(rows, spec, columns);
  let unpaired = 0;
  if (spec.deltaTo !== undefined) ({ rows: kept, unpaired } = pairedDifferences(kept, spec, columns));

  const keyOf = (r: Row) => [spec.facet ? r[spec.facet] : '', spec.series ? r[spec.series] : '', r[spec.x]].join('\u0000');
  // group replicates per (facet, series, x), in first-seen order
  const groups = new Map<string, Row[]>();
  for (const r of kept) {
    const k = keyOf(r);
    const g = groups.get(k);
    if (g) g.push(r); else groups.set(k, [r]);
  }
  let mode: 'mean' | 'median' | 'none';
  if (spec.aggregate === 'auto') {
    mode = spec.ciLow ? 'none' : [...groups.values()].some((g) => g.length > 1) ? 'mean' : 'none';
  } else mode = spec.aggregate;

  const xNumeric = kept.every((r) => isNumeric(r[spec.x]!));
  const yScale = spec.deltaTo !== undefined ? 'linear' : spec.yScale;
  const range = spec.deltaTo !== undefined ? undefined : columnInfo(spec.y)?.range;
  let clipped = 0;
  const clip = (v: number | null): number | null => {
    if (v === null || !range) return v;
    const c = Math.min(range[1], Math.max(range[0], v));
    if (c !== v) clipped++;
    return c;
  };
  const seriesSeen: string[] = [];
  const facetSeen: string[] = [];
  const points: FigurePoint[] = [];
  let dropped = 0;
  const plotY = (v: number): number | null => {
    if (yScale === 'db') { const d = toDb(v); return Number.isFinite(d) ? d : null; }
    if (yScale === 'log') return v > 0 && Number.isFinite(v) ? v : null;
    return Number.isFinite(v) ? v : null;
  };

  for (const g of groups.values()) {
    const r0 = g[0]!;
    const series = spec.series ? r0[spec.series]! : null;
    const facet = spec.facet ? r0[spec.facet]! : null;
    const x: number | string = xNumeric ? Number(r0[spec.x]) + (spec.xOffset ?? 0) : r0[spec.x]!;
    if (spec.xScale === 'log' && !(typeof x === 'number' && x > 0)) { dropped += g.length; continue; }
    const ys: number[] = [];
    for (const r of g) {
      const cell = r[spec.y]!;
      if (cell.trim() === '') continue; // not measured this row (e.g. accuracy between evaluations)
      const v = Number(cell);
      if (Number.isFinite(v)) ys.push(v); else dropped++;
    }
    if (ys.length === 0) continue;
    let y: number, lo: number | null = null, hi: number | null = null;
    if (mode === 'none') {
      if (ys.length > 1) {
        throw new UserInputError(
          `${where}: ${ys.length} rows share x=${r0[spec.x]}${series !== null ? `, ${spec.series}=${series}` : ''}; set aggregate: mean, or filter/facet them apart`,
          `figures.${spec.name}.aggregate`);
      }
      y = ys[0]!;
      if (spec.ciLow && spec.ciHigh) {
        const l = Number(r0[spec.ciLow]), h = Number(r0[spec.ciHigh]);
        lo = r0[spec.ciLow] !== '' && Number.isFinite(l) ? l : null;
        hi = r0[spec.ciHigh] !== '' && Number.isFinite(h) ? h : null;
      }
    } else {
      // a quantity ≥ 0 with no upper bound (NMSE, delay, loss): the mean's interval on the log scale,
      // as the run's own summaries (stats/positive.ts), so the band never crosses 0
      const nonNegative = !!range && range[0] === 0 && range[1] === Number.POSITIVE_INFINITY && ys.every((v) => v >= 0);
      const s = summarize(ys, { nonNegative });
      if (mode === 'mean') {
        y = s.mean;
        if (s.n > 1) { lo = s.ciLow; hi = s.ciHigh; }
      } else {
        y = s.median;
        if (s.n > 1) { lo = s.medianLow; hi = s.medianHigh; }
      }
    }
    const py = plotY(y);
    if (py === null) { dropped += ys.length; continue; }
    if (series !== null && !seriesSeen.includes(series)) seriesSeen.push(series);
    if (facet !== null && !facetSeen.includes(facet)) facetSeen.push(facet);
    lo = clip(lo);
    hi = clip(hi);
    points.push({
      x, y: py,
      lo: lo === null ? null : plotY(lo),
      hi: hi === null ? null : plotY(hi),
      n: ys.length, series, facet,
    });
  }

  const order = spec.seriesOrder ?? [];
  const seriesOrder = [...order.filter((s) => seriesSeen.includes(s)), ...seriesSeen.filter((s) => !order.includes(s))];
  const sIdx = (s: string | null) => (s === null ? 0 : seriesOrder.indexOf(s));
  const fIdx = (f: string | null) => (f === null ? 0 : facetSeen.indexOf(f));
  const withIdx = points.map((p, i) => ({ p, i }));
  withIdx.sort((a, b) =>
    fIdx(a.p.facet) - fIdx(b.p.facet) || sIdx(a.p.series) - sIdx(b.p.series) ||
    (xNumeric ? (a.p.x as number) - (b.p.x as number) : a.i - b.i));
  return {
    points: withIdx.map((w) => w.p),
    xType: xNumeric ? 'quantitative' : 'ordinal',
    seriesOrder,
    facetOrder: facetSeen,
    aggregate: mode,
    dropped,
    refLines: refLines(kept, spec, facetSeen),
    ...(spec.deltaTo !== undefined ? { delta: { baseline: spec.deltaTo, unpaired } } : {}),
    clipped,
  };
}

/** filter / exclude / final (per replicate, the rows with the largest `final` value). */
function selectRows(rows: Row[], spec: FigureSpec, columns: Set<string>): Row[] {
  // filter
  let kept = rows.filter((r) => Object.entries(spec.filter ?? {}).every(([k, v]) =>
    Array.isArray(v) ? v.some((w) => matches(r[k], w)) : matches(r[k], v)));
  kept = kept.filter((r) => !Object.entries(spec.exclude ?? {}).some(([k, v]) =>
    Array.isArray(v) ? v.some((w) => matches(r[k], w)) : matches(r[k], v)));

  const keyOf = (r: Row) => [spec.facet ? r[spec.facet] : '', spec.series ? r[spec.series] : '', r[spec.x]].join('\u0000');

  // final: per replicate, keep the row(s) with the largest value of the `final` column
  if (spec.final) {
    const fin = spec.final;
    // replicate = the run a row belongs to: sweep job and trial columns, unless named explicitly
    const reps = spec.replicate ? [spec.replicate] : ['job', 'trial', 'sweep_trial'].filter((c) => columns.has(c));
    const groupOf = (r: Row) => keyOf(r) + '\u0000' + reps.map((c) => r[c]).join('\u0000');
    const best = new Map<string, number>();
    for (const r of kept) {
      const g = groupOf(r);
      const v = Number(r[fin]);
      if (!best.has(g) || v > best.get(g)!) best.set(g, v);
    }
    kept = kept.filter((r) => Number(r[fin]) === best.get(groupOf(r)));
  }

  return kept;
}

/**
 * Paired differences to the baseline series: each row of another series is paired with the baseline
 * row that agrees on every key column (trial, round, sweep point, rank, ...; the column catalogue's
 * 'key' columns plus columns it does not know, e.g. sweep grid columns) and becomes y − y_baseline.
 * The draws are paired by construction (every scheme of a trial sees the same channel and data), so
 * the CI of the mean difference is the honest one.
 */
function pairedDifferences(rows: Row[], spec: FigureSpec, columns: Set<string>): { rows: Row[]; unpaired: number } {
  const where = `figure '${spec.name}' (${spec.data})`;
  if (!spec.series) throw new UserInputError(`${where}: a difference to '${spec.deltaTo}' needs a series column`, `figures.${spec.name}.series`);
  const series = spec.series;
  const keyCols = [...columns].filter((c) => c !== series && c !== spec.y && COLUMNS[c]?.kind !== 'metric' && !(columnInfo(c)?.kind === 'metric'));
  const pairKey = (r: Row) => keyCols.map((c) => r[c] ?? '').join('\u0000');
  const base = new Map<string, number>();
  for (const r of rows) {
    if (r[series] !== spec.deltaTo) continue;
    const cell = r[spec.y] ?? '';
    if (cell.trim() === '') continue;
    base.set(pairKey(r), Number(cell));
  }
  if (base.size === 0) {
    throw new UserInputError(`${where}: no '${spec.deltaTo}' rows to take differences to (${series} values: ${[...new Set(rows.map((r) => r[series]))].join(', ')})`, `figures.${spec.name}`);
  }
  const out: Row[] = [];
  let unpaired = 0;
  for (const r of rows) {
    if (r[series] === spec.deltaTo) continue;
    const cell = r[spec.y] ?? '';
    if (cell.trim() === '') continue;
    const b = base.get(pairKey(r));
    if (b === undefined) { unpaired++; continue; }
    out.push({ ...r, [spec.y]: String(Number(cell) - b) });
  }
  return { rows: out, unpaired };
}

/** Budget lines: the catalogue's budget column of the y quantity, one value per facet. */
function refLines(rows: Row[], spec: FigureSpec, facets: string[]): FigureData['refLines'] {
  if (spec.deltaTo !== undefined) return [{ facet: null, y: 0, label: spec.deltaTo }];
  const budgetCol = columnInfo(spec.y)?.budget;
  if (!budgetCol || rows.length === 0 || !(budgetCol in rows[0]!)) return [];
  const out: FigureData['refLines'] = [];
  for (const f of spec.facet ? facets : [null]) {
    const vals = new Set(rows.filter((r) => f === null || r[spec.facet!] === f).map((r) => r[budgetCol]).filter((v): v is string => v !== undefined && isNumeric(v)));
    if (vals.size !== 1) continue; // several budgets in one panel: no single line to draw
    const y = Number([...vals][0]);
    const unit = columnInfo(budgetCol)?.unit;
    out.push({ facet: f, y, label: `budget ${y}${unit ? ` ${unit}` : ''}` });
  }
  return out;
}
