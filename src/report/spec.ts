/**
 * Vega-Lite spec for a `line` figure: y against x, one coloured line per series, a translucent
 * 95% CI band (lo..hi) behind each line, optional facets. Pure: (points, figure) → spec.
 */
import type { FigureData } from './data.js';
import type { FigureSpec } from './figure-spec.js';
import { FONT_FAMILY } from './fonts.js';

export type VlSpec = Record<string, unknown>;

export function lineSpec(data: FigureData, fig: FigureSpec): VlSpec {
  const values = data.points.map((p) => ({ x: p.x, y: p.y, lo: p.lo, hi: p.hi, n: p.n, series: p.series, facet: p.facet }));
  const hasBand = data.points.some((p) => p.lo !== null && p.hi !== null);
  const yTitle = fig.yTitle ?? (fig.yScale === 'db' ? `${fig.y} (dB)` : fig.y);
  // integer x (rounds, antennas, devices): no fractional ticks
  const intX = data.xType === 'quantitative' && data.points.every((p) => Number.isInteger(p.x));
  const x = {
    field: 'x',
    type: data.xType,
    title: fig.xTitle ?? fig.x,
    ...(data.xType === 'quantitative'
      ? { scale: fig.xScale === 'log' ? { type: 'log', nice: false } : { type: 'linear', zero: false }, axis: fig.xScale === 'log' ? { format: '~g' } : intX ? { tickMinStep: 1, format: 'd' } : {} }
      : { sort: null }),
  };
  const yScale = fig.yScale === 'log' ? { type: 'log' } : { type: 'linear', zero: false };
  const yAxis = fig.yScale === 'log' ? { format: '~g' } : {};
  const color = fig.series
    ? { color: { field: 'series', type: 'nominal', title: fig.seriesTitle ?? fig.series, scale: { domain: data.seriesOrder }, sort: data.seriesOrder } }
    : {};
  const perSeries = new Map<string, number>();
  for (const p of data.points) { const k = `${p.facet}\u0000${p.series}`; perSeries.set(k, (perSeries.get(k) ?? 0) + 1); }
  const maxPerSeries = Math.max(0, ...perSeries.values());
  const layer: VlSpec[] = [];
  if (hasBand) {
    layer.push({
      mark: { type: 'area', opacity: 0.18 },
      encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale, title: yTitle }, y2: { field: 'hi' }, ...color },
    });
  }
  layer.push({
    // point markers only where they stay readable (dense per-round curves get plain lines)
    mark: { type: 'line', ...(maxPerSeries <= 40 ? { point: { size: 28 } } : {}), strokeWidth: 1.6 },
    encoding: { x, y: { field: 'y', type: 'quantitative', scale: yScale, axis: yAxis, title: yTitle }, ...color },
  });
  // A facet with a single value is not worth a panel: it goes into the subtitle instead.
  const facetted = !!fig.facet && data.facetOrder.length > 1;
  const inner = { width: fig.width, height: fig.height, layer };
  const body = facetted
    ? { facet: { field: 'facet', type: 'nominal', title: fig.facet, sort: data.facetOrder }, columns: 3, spec: inner }
    : inner;
  // Every Monte-Carlo figure states its trial count and what the band is.
  const ns = data.points.map((p) => p.n);
  const nMin = Math.min(...ns), nMax = Math.max(...ns);
  const nText = nMin === nMax ? `${nMin}` : `${nMin}–${nMax}`;
  const what = data.aggregate === 'median' ? 'median' : 'mean';
  const parts = [
    ...(fig.facet && !facetted && data.facetOrder.length === 1 ? [`${fig.facet} = ${data.facetOrder[0]}`] : []),
    ...(data.aggregate !== 'none' && ns.length ? [`${what} of ${nText} trials`] : []),
    ...(hasBand ? ['band: 95% CI'] : data.aggregate === 'none' && ns.length ? ['one run per point (no CI)'] : []),
  ];
  const subtitle = parts.length ? parts.join('; ') : undefined;
  const title = fig.title || subtitle ? { text: fig.title ?? '', ...(subtitle ? { subtitle } : {}) } : undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title ? { title } : {}),
    background: 'white',
    padding: 8,
    data: { values },
    ...body,
    config: { font: FONT_FAMILY, legend: { orient: 'right' }, view: { stroke: '#ccc' } },
  };
}
