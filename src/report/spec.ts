/**
 * Vega-Lite spec for a `line` figure, laid out for print: y against x, one line per series in the
 * scheme's fixed style (colour, marker, dash from style.ts, carried as explicit scale domain/range),
 * a 95% CI band behind each line clipped to the quantity's range, optional facets, reference lines
 * (a budget, or zero for Δ figures), and a legend that shows each series' line and marker.
 *
 * Units: one SVG unit is one typographic point, so a single-column figure is 252 units wide
 * (3.5 in) and text is 7–8 pt as IEEE asks; render.ts fits the width exactly and rasterises at 300 dpi.
 * Axes are fitted to the data (log axes span only the data, with ticks inside it), and an x axis
 * with few distinct values has its ticks exactly at them (ranks 1, 2, 4, 8, 16; antennas 8 … 64).
 */
import { axisTitle, columnInfo } from '../results/columns.js';
import type { FigureData } from './data.js';
import type { FigureSpec } from './figure-spec.js';
import { FONT_FAMILY, textWidth } from './fonts.js';
import { seriesStyle, styleScales } from './style.js';

export type VlSpec = Record<string, unknown>;

/** IEEE column widths in points (1 in = 72 pt). */
export const LAYOUTS = {
  single: { widthPt: 3.5 * 72, name: 'single column (3.5 in)' },
  double: { widthPt: 7.16 * 72, name: 'double column (7.16 in)' },
} as const;
export type LayoutName = keyof typeof LAYOUTS;

export interface LineSpecOptions {
  layout?: LayoutName;
  /** Width of one plot panel in points (render.ts fits it so the whole figure has the layout's width). */
  panelWidth?: number;
  /** Show the figure's title (default false: captions carry titles in papers). */
  showTitle?: boolean;
  /** Fixed parameters of the run, e.g. "K = 10, N_t = 2, N_r = 8, S = 2, SNR = 0 dB, ε² = 0". */
  params?: string;
}

const FONT = { label: 7, title: 8, legend: 7, subtitle: 7, header: 7.5 };
const SAMPLE = 22; // legend line sample length (pt)

/** Facet panels per row. */
export function facetColumns(n: number, layout: LayoutName): number {
  return layout === 'single' ? Math.min(n, 2) : Math.min(n, 4);
}

/** Ticks inside [lo, hi] for a log axis: 1-2-5 per decade, thinned or densified to 3–8 ticks. */
export function logTicks(lo: number, hi: number): number[] {
  const within = (ms: number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
      for (const m of ms) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  for (const ms of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const t = within(ms);
    if (t.length >= 3 && t.length <= 8) return t;
    if (t.length > 8) return ms.length === 1 ? t.filter((_, i) => i % Math.ceil(t.length / 6) === 0) : within([1]);
  }
  return linearTicks(lo, hi);
}

/** ~5 round ticks inside [lo, hi] (1-2-5 steps). */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

interface LegendEntry { series: string; label: string; px: number; py: number }

/** Legend entries laid out in a grid (cols = 1: a vertical list). */
function legendLayout(order: string[], cols: number): { entries: LegendEntry[]; width: number; height: number } {
  const labels = order.map((s) => seriesStyle(s).label);
  const colW = SAMPLE + 5 + Math.max(...labels.map((l) => textWidth(l, FONT.legend))) + 10;
  const rowH = FONT.legend + 4;
  const entries = order.map((series, i) => ({ series, label: labels[i]!, px: (i % cols) * colW, py: Math.floor(i / cols) * rowH + rowH / 2 }));
  return { entries, width: Math.min(order.length, cols) * colW, height: Math.ceil(order.length / cols) * rowH };
}

/** Legend as its own small view: per series a line sample in its dash with its marker, then the name. */
function legendView(order: string[], layout: LayoutName, maxWidth: number): VlSpec {
  const probe = legendLayout(order, 1);
  const perRow = layout === 'single' ? Math.max(1, Math.min(order.length, Math.floor(maxWidth / probe.width))) : 1;
  const { entries, width, height } = legendLayout(order, perRow);
  const sc = styleScales(order);
  const enc = {
    color: { field: 'series', type: 'nominal', scale: sc.color, legend: null },
  };
  const pix = (f: string) => ({ field: f, type: 'quantitative', scale: null, axis: null });
  return {
    width: Math.ceil(width), height: Math.ceil(height),
    data: { values: entries.map((e) => ({ ...e, x0: e.px, x1: e.px + SAMPLE, xm: e.px + SAMPLE / 2, xt: e.px + SAMPLE + 5 })) },
    view: { stroke: null },
    layer: [
      { mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x: pix('x0'), x2: { field: 'x1' }, y: pix('py'), ...enc, strokeDash: { field: 'series', type: 'nominal', scale: sc.strokeDash, legend: null } } },
      { mark: { type: 'point', filled: true, size: 22, opacity: 1 }, encoding: { x: pix('xm'), y: pix('py'), ...enc, shape: { field: 'series', type: 'nominal', scale: sc.shape, legend: null } } },
      { mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: FONT.legend, color: '#000' }, encoding: { x: pix('xt'), y: pix('py'), text: { field: 'label' } } },
    ],
  };
}

/** Pack comma-separated parts into subtitle lines at most `widthPt` wide. */
function wrap(parts: string[], widthPt: number): string[] {
  const lines: string[] = [];
  for (const p of parts) {
    const last = lines[lines.length - 1];
    if (last !== undefined && textWidth(`${last}, ${p}`, FONT.subtitle) <= widthPt) lines[lines.length - 1] = `${last}, ${p}`;
    else lines.push(p);
  }
  return lines;
}

export function lineSpec(data: FigureData, fig: FigureSpec, opts: LineSpecOptions = {}): VlSpec {
  const layout = opts.layout ?? 'single';
  const facetted = !!fig.facet && data.facetOrder.length > 1;
  const nFacets = facetted ? data.facetOrder.length : 1;
  const cols = facetColumns(nFacets, layout);
  const totalW = LAYOUTS[layout].widthPt;
  const legendRight = layout === 'double' && !!fig.series;
  const panelW = opts.panelWidth ?? Math.max(60, (totalW - 60 - (legendRight ? 80 : 0)) / cols - 12);
  // double-column figures are wide, not tall: the same height budget as a single-column one
  const aspect = Math.min(0.9, Math.max(0.4, fig.height / fig.width)) * (layout === 'double' ? 0.5 : 1);
  const panelH = Math.round(panelW * (facetted && cols > 1 ? Math.max(aspect, 0.75) : aspect));

  const yScaleKind = fig.deltaTo !== undefined ? 'linear' : fig.yScale;
  // y extent over the lines and bands (the domain every axis decision is fitted to)
  // y extent: the lines and reference lines, plus the bands unless a band reaches far past the lines
  // (a 2-trial t-interval): then the axis stays fitted to the lines and the band is cut at the frame
  const logY = yScaleKind === 'log';
  const tr = (v: number) => (logY ? Math.log(v) : v);
  const ok = (v: number | null): v is number => v !== null && Number.isFinite(v) && (!logY || v > 0);
  const lineYs = [...data.points.map((p) => p.y), ...data.refLines.map((r) => r.y)].filter(ok);
  const bandYs = data.points.flatMap((p) => [p.lo, p.hi]).filter(ok);
  const lMin = Math.min(...lineYs), lMax = Math.max(...lineYs);
  const span = lMax > lMin ? tr(lMax) - tr(lMin) : Math.abs(tr(lMax)) * 0.1 || 1;
  const cutBands = bandYs.some((v) => tr(v) > tr(lMax) + span || tr(v) < tr(lMin) - span);
  const ys = cutBands ? lineYs : [...lineYs, ...bandYs];
  const yMin = Math.min(...ys), yMax = Math.max(...ys);
  // a band whose lower end left the plotted range (≤ 0 on a log or dB axis) runs to the bottom
  const values: VlSpec[] = data.points.map((p, i) => ({
    kind: 'pt', x: p.x, y: p.y, lo: p.lo === null && p.hi !== null ? yMin : p.lo, hi: p.hi, n: p.n, series: p.series, facet: p.facet, i,
  }));
  const hasBand = data.points.some((p) => p.hi !== null && (p.lo !== null || yScaleKind !== 'linear'));

  // markers: every point when sparse; ~10 per line otherwise, staggered so series do not overlap
  const perLine = new Map<string, number[]>();
  values.forEach((v, i) => { const k = `${v.facet}\u0000${v.series}`; const a = perLine.get(k); if (a) a.push(i); else perLine.set(k, [i]); });
  const marked = new Set<number>();
  for (const [k, idx] of perLine) {
    if (idx.length <= 30) { idx.forEach((i) => marked.add(i)); continue; }
    const step = idx.length / 10;
    const s = data.seriesOrder.indexOf(k.split('\u0000')[1]!);
    const off = ((Math.max(0, s) % 5) / 5) * step;
    for (let j = 0; j < 10; j++) marked.add(idx[Math.min(idx.length - 1, Math.floor(off + j * step))]!);
  }
  const markedIdx = [...marked].sort((a, b) => a - b);

  // x axis fitted to the data; ticks at the data's x values when there are few of them
  const xTitle = fig.xTitle ?? axisTitle(fig.x);
  let x: VlSpec;
  if (data.xType === 'quantitative') {
    const xs = [...new Set(data.points.map((p) => p.x as number))].sort((a, b) => a - b);
    const intX = xs.every(Number.isInteger);
    const fewX = xs.length <= (layout === 'single' ? 9 : 14);
    const domain = [xs[0]!, xs[xs.length - 1]!];
    const ticks = fewX ? xs : fig.xScale === 'log' ? logTicks(domain[0]!, domain[1]!) : linearTicks(domain[0]!, domain[1]!, layout === 'single' ? 5 : 8);
    x = {
      field: 'x', type: 'quantitative', title: xTitle,
      scale: fig.xScale === 'log' ? { type: 'log', domain, nice: false } : { type: 'linear', domain, nice: false, zero: false },
      axis: { values: intX ? ticks.filter(Number.isInteger) : ticks, format: intX ? 'd' : '~g', grid: true },
    };
  } else {
    x = { field: 'x', type: 'ordinal', title: xTitle, sort: null };
  }

  // y axis fitted to the data
  const yTitle = fig.yTitle ?? (fig.deltaTo !== undefined ? `Δ ${axisTitle(fig.y)}` : axisTitle(fig.y, { db: fig.yScale === 'db' }));
  let yScale: VlSpec, yAxis: VlSpec;
  if (yScaleKind === 'log') {
    const pos = ys.filter((v) => v > 0);
    const lo = Math.min(...pos), hi = Math.max(...pos);
    const pad = (hi / lo) ** 0.04;
    const domain = [lo / pad, hi * pad];
    yScale = { type: 'log', domain, nice: false };
    yAxis = { values: logTicks(domain[0]!, domain[1]!), format: '~g' };
  } else {
    // nice ends (1-2-5 steps) around the data, never past the quantity's range (accuracy ≤ 1, delay ≥ 0)
    const range = fig.deltaTo !== undefined ? undefined : columnInfo(fig.y)?.range;
    const spread = yMax > yMin ? yMax - yMin : Math.max(Math.abs(yMax) * 0.1, 1e-3);
    const step = linearTicks(yMin - (yMax > yMin ? 0 : spread), yMax + (yMax > yMin ? 0 : spread), 5);
    const st = step.length > 1 ? step[1]! - step[0]! : spread;
    let lo = Math.floor(yMin / st - 1e-9) * st, hi = Math.ceil(yMax / st + 1e-9) * st;
    if (hi - lo < 1e-12) { lo -= st; hi += st; }
    if (range && yScaleKind === 'linear') { lo = Math.max(lo, range[0]); hi = Math.min(hi, range[1]); }
    yScale = { type: 'linear', domain: [lo, hi], nice: false, zero: false };
    yAxis = { values: linearTicks(lo, hi, 5) };
  }

  const sc = data.seriesOrder.length ? styleScales(data.seriesOrder) : undefined;
  const colorEnc = sc ? { color: { field: 'series', type: 'nominal', scale: sc.color, legend: null } } : { color: { value: '#000000' } };
  const dashEnc = sc ? { strokeDash: { field: 'series', type: 'nominal', scale: sc.strokeDash, legend: null } } : {};
  const shapeEnc = sc ? { shape: { field: 'series', type: 'nominal', scale: sc.shape, legend: null } } : {};
  const yEnc = { field: 'y', type: 'quantitative', scale: yScale, axis: yAxis, title: yTitle };

  const layer: VlSpec[] = [];
  const onlyPoints = [{ filter: "datum.kind === 'pt'" }];
  if (hasBand) {
    layer.push({
      transform: onlyPoints,
      mark: { type: 'area', opacity: 0.16, ...(cutBands ? { clip: true } : {}) },
      encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale, axis: yAxis, title: yTitle }, y2: { field: 'hi' }, ...colorEnc, ...(sc ? { detail: { field: 'series' } } : {}) },
    });
  }
  // reference lines (budget τ̄, or zero = the baseline of a Δ figure) with their label; their rows
  // travel in the figure's data (kind 'ref') so facets split them like the points
  const refRows = data.refLines.flatMap((r) => (facetted && r.facet === null ? data.facetOrder : [r.facet]).map((f) => ({ kind: 'ref', ry: r.y, label: r.label, facet: f })));
  if (refRows.length) {
    const st = fig.deltaTo !== undefined ? seriesStyle(fig.deltaTo) : undefined;
    const ry = { field: 'ry', type: 'quantitative', scale: yScale, axis: yAxis, title: yTitle };
    layer.push({
      transform: [{ filter: "datum.kind === 'ref'" }],
      layer: [
        { mark: { type: 'rule', strokeWidth: 1, color: st?.color ?? '#555555', strokeDash: st ? st.dash : [3, 2] }, encoding: { y: ry } },
        { mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -2, dy: -1, fontSize: FONT.label, color: '#333333' }, encoding: { y: ry, x: { value: Math.round(panelW) }, text: { field: 'label' } } },
      ],
    });
  }
  layer.push({ transform: onlyPoints, mark: { type: 'line', strokeWidth: 1.2 }, encoding: { x, y: yEnc, ...colorEnc, ...dashEnc, ...(sc ? { detail: { field: 'series' } } : {}) } });
  layer.push({
    transform: [{ filter: { field: 'i', oneOf: markedIdx } }],
    mark: { type: 'point', filled: true, size: 18, opacity: 1 },
    encoding: { x, y: yEnc, ...colorEnc, ...shapeEnc },
  });

  const inner = { width: Math.round(panelW), height: panelH, layer };
  const facetInfo = fig.facet ? columnInfo(fig.facet) : undefined;
  const facetLabel = facetInfo?.symbol ?? facetInfo?.label ?? fig.facet ?? '';
  const facetUnit = facetInfo?.unit ? ` ${facetInfo.unit}` : '';
  // "Nᵣ = 16", "SNR = 10 dB" (PHY point labels snr=10 / dbm=20 spelled out), "task = spam"
  const facetText = (v: string): string => {
    const pt = /^(snr|dbm)=(.*)$/.exec(v);
    if (fig.facet === 'point' && pt) return pt[1] === 'snr' ? `SNR = ${pt[2]} dB` : `P = ${pt[2]} dBm`;
    if (facetInfo?.selfLabelled) return v;
    return `${facetLabel} = ${v}${facetUnit}`;
  };
  const plot: VlSpec = facetted
    ? {
      facet: {
        field: 'facet', type: 'nominal', sort: data.facetOrder,
        header: { title: null, labelFontSize: FONT.header, labelExpr: `${JSON.stringify(Object.fromEntries(data.facetOrder.map((f) => [f, facetText(f)])))}[datum.value]`, labelPadding: 2 },
      },
      columns: cols, spacing: { row: 10, column: 10 }, spec: inner,
    }
    : inner;
  // subtitle: fixed parameters, the facet value when there is only one panel, trials and what the band is
  const ns = data.points.map((p) => p.n);
  const nMin = Math.min(...ns), nMax = Math.max(...ns);
  const nText = nMin === nMax ? `${nMin}` : `${nMin}–${nMax}`;
  const what = data.delta ? `Δ = scheme − ${data.delta.baseline} on the same draws, mean over ${nText} pair${nMax === 1 ? '' : 's'}` : `${data.aggregate === 'median' ? 'median' : 'mean'} of ${nText} trials`;
  const single = fig.facet && !facetted && data.facetOrder.length === 1 ? facetText(data.facetOrder[0]!) : undefined;
  const stats = [
    ...(data.aggregate !== 'none' && ns.length ? [what] : []),
    ...(hasBand ? [cutBands ? 'band: 95% CI (cut at the frame)' : 'band: 95% CI'] : data.aggregate === 'none' && ns.length ? [data.delta ? `Δ = scheme − ${data.delta.baseline} on the same draws, one pair per point (no CI)` : 'one run per point (no CI)'] : []),
  ].join('; ');
  const subtitle = wrap([opts.params, single, stats].filter((p): p is string => !!p).join(', ').split(', '), totalW - 12);
  const showTitle = !!(opts.showTitle && fig.title);
  // no title: the subtitle lines become the (small, plain) title text, as vega-lite drops an empty title
  const title = showTitle
    ? { text: fig.title!, ...(subtitle.length ? { subtitle } : {}), anchor: 'start', fontSize: 9, subtitleFontSize: FONT.subtitle, subtitlePadding: 1, offset: 4 }
    : subtitle.length ? { text: subtitle, anchor: 'start', fontSize: FONT.subtitle, fontWeight: 'normal', lineHeight: FONT.subtitle + 2, offset: 4 } : undefined;

  let body: VlSpec;
  const allValues = [...values, ...refRows];
  if (!sc) body = { ...plot, data: { values: allValues } };
  else if (legendRight) body = { hconcat: [{ ...plot, data: { values: allValues } }, legendView(data.seriesOrder, layout, totalW)], spacing: 8 };
  else body = { vconcat: [{ ...plot, data: { values: allValues } }, legendView(data.seriesOrder, layout, totalW - 20)], spacing: 6 };

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title ? { title } : {}),
    background: 'white',
    padding: 4,
    ...body,
    config: {
      font: FONT_FAMILY,
      axis: { labelFontSize: FONT.label, titleFontSize: FONT.title, titleFontWeight: 'normal', tickSize: 3, labelPadding: 1, titlePadding: 3, gridColor: '#e4e4e4', domainColor: '#333333', tickColor: '#333333' },
      header: { labelFontSize: FONT.header },
      view: { stroke: '#bbbbbb' },
      concat: { spacing: 6 },
    },
  };
}
