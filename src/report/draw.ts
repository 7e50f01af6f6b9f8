/**
 * (Re)draw a results folder's figures from its files alone: the figure list comes from the
 * scenario recorded in manifest.json (its `figures:` section), else from the presets whose
 * columns the folder's CSVs have. Writes figures/<name>.svg, .png, .vl.json (the spec) and
 * .points.csv (the plotted points with their CIs and replicate counts).
 */
import { existsSync } from 'node:fs';
import { UserInputError } from '../errors.js';
import { RunFolder } from '../results/run-folder.js';
import { figuresSection, type FigureEntry } from '../scenario/sections/figures.js';
import { figureData, type FigureData } from './data.js';
import { resolveFigure, resolveFigures, type FigureSpec } from './figure-spec.js';
import { PRESETS } from './presets.js';
import { DPI, physicalSvg, renderToWidth, svgToPdf, svgToPngWidth } from './render.js';
import { facetColumns, LAYOUTS, lineSpec, type LayoutName, type VlSpec } from './spec.js';
import { fixedParams } from './params.js';
import { datTables } from './dat.js';
import { writeReport } from './html.js';

export interface DrawOptions {
  /** Figures to draw (default: the manifest scenario's `figures:`, else automatic presets). */
  figures?: FigureEntry[];
  /** Only these names. */
  only?: string[];
  formats?: ('svg' | 'png' | 'pdf')[];
  /** Ignored: PNGs are rasterised at `dpi` at the IEEE column widths (kept so older callers still compile). */
  scale?: number;
  /** PNG resolution (default 300). */
  dpi?: number;
  /** Layouts to draw (default both: single → <name>.*, double → <name>.wide.*). */
  layouts?: LayoutName[];
  /** Write report.html and COLUMNS.md afterwards (default true). */
  report?: boolean;
  /** Print each figure's title above it (default false: in a paper the caption carries the title). */
  titles?: boolean;
}

export interface DrawnFigure {
  name: string;
  files: string[];
  points: number;
  dropped: number;
  title?: string;
  caption?: string;
}

/** Build a figure's data and spec from its CSV rows (pure; what tests check against the CSV). */
export function buildFigure(rows: Record<string, string>[], fig: FigureSpec, opts: { layout?: LayoutName; panelWidth?: number; params?: string; showTitle?: boolean } = {}): { data: FigureData; spec: VlSpec } {
  const data = figureData(rows, withRoundOffset(rows, fig));
  return { data, spec: lineSpec(data, fig, opts) };
}

/**
 * One round indexing in every figure: training runs write round 0 = before training, r = after r
 * rounds; split runs (rows with a `scheduler` column) index rounds from 0, so they are shifted by one.
 */
export function withRoundOffset(rows: Record<string, string>[], fig: FigureSpec): FigureSpec {
  if (fig.xOffset !== undefined || fig.x !== 'round' || rows.length === 0 || !('scheduler' in rows[0]!)) return fig;
  return { ...fig, xOffset: 1 };
}

/**
 * Heavy tails are reported by their median: when the run's phy-summary.csv marks a plotted scheme's
 * NMSE as heavy-tailed (headline 'median': no finite mean, or a Hill tail index below 2), an NMSE
 * figure left on `aggregate: auto` shows medians with their order-statistic CIs for every series.
 */
export function headlineStatistic(folder: RunFolder, fig: FigureSpec, rows: Record<string, string>[]): FigureSpec {
  if (fig.aggregate !== 'auto' || fig.y !== 'nmse' || fig.deltaTo !== undefined || !folder.exists('phy-summary.csv')) return fig;
  const summary = folder.readCsv('phy-summary.csv');
  if (summary.length === 0 || !('headline' in summary[0]!)) return fig;
  const plotted = new Set(figureData(rows, fig).seriesOrder);
  const heavy = summary.some((r) => r['headline'] === 'median' && (!fig.series || plotted.has(r['scheme'] ?? '')));
  return heavy ? { ...fig, aggregate: 'median' } : fig;
}

/** The figure entries a folder asks for. */
export function figureEntriesFor(folder: RunFolder): FigureEntry[] {
  const scen = folder.hasManifest() ? (folder.manifest().scenario as { figures?: unknown } | null) : null;
  if (scen && typeof scen === 'object' && scen.figures !== undefined) {
    const parsed = figuresSection.safeParse(scen.figures);
    if (!parsed.success) {
      throw new UserInputError(`${folder.dir}/manifest.json: scenario.figures is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, 'figures');
    }
    return parsed.data;
  }
  return autoFigures(folder);
}

/** Presets whose data file exists, has every column the preset uses, and ≥ 2 distinct x values (Δ presets come as companions). */
export function autoFigures(folder: RunFolder): string[] {
  const tables = new Map<string, Record<string, string>[]>();
  const out: string[] = [];
  for (const [name, p] of Object.entries(PRESETS)) {
    if (p.deltaTo !== undefined) continue;
    const file = p.data ?? 'metrics.csv';
    if (!tables.has(file)) tables.set(file, existsSync(folder.path(file)) ? folder.readCsv(file) : []);
    const rows = tables.get(file)!;
    if (rows.length === 0) continue;
    const cols = new Set(Object.keys(rows[0]!));
    const used = [p.x, p.y, p.series, p.final, p.facet].filter((c): c is string => c !== undefined);
    if (!used.every((c) => cols.has(c))) continue;
    const xs = new Set(rows.map((r) => r[p.x!]).filter((v) => v !== ''));
    if (xs.size >= 2) out.push(name);
  }
  return out;
}

/** The Δ companion entry of a figure entry (its overrides of data, filters, facets carried over). */
function companionEntry(entry: FigureEntry, spec: FigureSpec): FigureEntry | undefined {
  if (!spec.companion) return undefined;
  const o = typeof entry === 'string' ? { preset: entry } : entry;
  const { title: _t, caption: _c, yTitle: _y, yScale: _s, name: _n, ...rest } = o;
  const name = o.name && o.name !== o.preset ? `${o.name}_delta` : spec.companion;
  return { ...rest, preset: spec.companion, name };
}

/** Plot one figure at both column widths and write its files. */
async function drawOne(folder: RunFolder, rows: Record<string, string>[], fig: FigureSpec, opts: DrawOptions, scenario: unknown): Promise<DrawnFigure> {
  const formats = opts.formats ?? ['svg', 'png', 'pdf'];
  const layouts = opts.layouts ?? ['single', 'double'];
  const dpi = opts.dpi ?? DPI;
  const f = headlineStatistic(folder, withRoundOffset(rows, fig), rows);
  const data = figureData(rows, f);
  if (data.points.length === 0) throw new UserInputError(`figure '${fig.name}' (${fig.data}): no plottable points (every y is empty or non-finite)`, `figures.${fig.name}`);
  const params = fixedParams(scenario, f);
  const files: string[] = [];
  const base = `figures/${fig.name}`;
  folder.writeCsv(`${base}.points.csv`, data.points.map((p) => ({ ...p })), ['series', 'facet', 'x', 'y', 'lo', 'hi', 'n']);
  files.push(`${base}.points.csv`);
  for (const t of datTables(data, f)) {
    const rel = `${base}${t.suffix}.dat`;
    folder.writeText(rel, t.text);
    files.push(rel);
  }
  for (const layout of layouts) {
    const stem = layout === 'single' ? base : `${base}.wide`;
    const widthPt = LAYOUTS[layout].widthPt;
    const panels = f.facet && data.facetOrder.length > 1 ? facetColumns(data.facetOrder.length, layout) : 1;
    const { svg, spec } = await renderToWidth((panelWidth) => lineSpec(data, f, { layout, panelWidth, params, showTitle: opts.titles ?? false }), widthPt, panels);
    folder.writeJson(`${stem}.vl.json`, spec);
    files.push(`${stem}.vl.json`);
    const widthIn = widthPt / 72;
    if (formats.includes('svg')) { folder.writeText(`${stem}.svg`, physicalSvg(svg, widthIn)); files.push(`${stem}.svg`); }
    if (formats.includes('png')) { folder.writeBytes(`${stem}.png`, svgToPngWidth(svg, widthIn * dpi)); files.push(`${stem}.png`); }
    if (formats.includes('pdf')) { folder.writeBytes(`${stem}.pdf`, await svgToPdf(svg)); files.push(`${stem}.pdf`); }
  }
  return { name: fig.name, files, points: data.points.length, dropped: data.dropped, ...(fig.title ? { title: fig.title } : {}), ...(fig.caption ? { caption: fig.caption } : {}) };
}

export async function drawFigures(folder: RunFolder, opts: DrawOptions = {}): Promise<DrawnFigure[]> {
  const entries = opts.figures ?? figureEntriesFor(folder);
  let specs = resolveFigures(entries);
  const companions: FigureSpec[] = [];
  const parentOf = new Map<string, string>();
  specs.forEach((s, i) => {
    const c = companionEntry(entries[i]!, s);
    if (!c) return;
    const cs = resolveFigure(c, i);
    if (!specs.some((o) => o.name === cs.name) && !companions.some((o) => o.name === cs.name)) { companions.push(cs); parentOf.set(cs.name, s.name); }
  });
  const all = [...specs, ...companions];
  if (opts.only) {
    const unknown = opts.only.filter((n) => !all.some((s) => s.name === n));
    if (unknown.length) {
      throw new UserInputError(`--only: no figure named ${unknown.join(', ')}; figures: ${all.map((s) => s.name).join(', ') || '(none)'}`, 'only');
    }
  }
  const pick = (l: FigureSpec[]) => (opts.only ? l.filter((s) => opts.only!.includes(s.name)) : l);
  specs = pick(specs);
  const scenario = folder.hasManifest() ? folder.manifest().scenario : undefined;
  const cache = new Map<string, Record<string, string>[]>();
  const rowsOf = (fig: FigureSpec) => {
    if (!cache.has(fig.data)) {
      if (!folder.exists(fig.data)) {
        throw new UserInputError(`figure '${fig.name}': data file '${fig.data}' is not in ${folder.dir}`, `figures.${fig.name}.data`);
      }
      cache.set(fig.data, folder.readCsv(fig.data));
    }
    return cache.get(fig.data)!;
  };
  const drawn: DrawnFigure[] = [];
  // one figure's bad entry (a missing file, a filter matching nothing) does not cost the others
  const failed: { name: string; message: string }[] = [];
  for (const fig of specs) {
    try {
      drawn.push(await drawOne(folder, rowsOf(fig), fig, opts, scenario));
    } catch (e) {
      if (!(e instanceof UserInputError)) throw e;
      failed.push({ name: fig.name, message: e.message });
    }
  }
  // Δ companions only where the data holds the baseline and something to compare with it
  for (const fig of pick(companions)) {
    if (!folder.exists(fig.data)) continue;
    let data: FigureData;
    try { data = figureData(rowsOf(fig), withRoundOffset(rowsOf(fig), fig)); } catch (e) { if (e instanceof UserInputError) continue; throw e; }
    if (data.points.length === 0) continue;
    const d = await drawOne(folder, rowsOf(fig), fig, opts, scenario);
    const at = drawn.findIndex((x) => x.name === parentOf.get(fig.name));
    drawn.splice(at < 0 ? drawn.length : at + 1, 0, d); // right after its absolute figure
  }
  if (opts.report !== false) writeReport(folder, { figures: drawn });
  if (failed.length) {
    throw new UserInputError(
      `${failed.length} figure${failed.length > 1 ? 's' : ''} not drawn (${drawn.length} drawn): ${failed.map((f) => f.message).join('; ')}`,
      `figures.${failed[0]!.name}`);
  }
  return drawn;
}
