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
import { resolveFigures, type FigureSpec } from './figure-spec.js';
import { PRESETS } from './presets.js';
import { renderSvg, svgToPng } from './render.js';
import { lineSpec, type VlSpec } from './spec.js';

export interface DrawOptions {
  /** Figures to draw (default: the manifest scenario's `figures:`, else automatic presets). */
  figures?: FigureEntry[];
  /** Only these names. */
  only?: string[];
  formats?: ('svg' | 'png')[];
  /** PNG zoom factor (default 2). */
  scale?: number;
}

export interface DrawnFigure {
  name: string;
  files: string[];
  points: number;
  dropped: number;
}

/** Build a figure's data and spec from its CSV rows (pure; what tests check against the CSV). */
export function buildFigure(rows: Record<string, string>[], fig: FigureSpec): { data: FigureData; spec: VlSpec } {
  const data = figureData(rows, fig);
  return { data, spec: lineSpec(data, fig) };
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

/** Presets whose data file exists, has every column the preset uses, and ≥ 2 distinct x values. */
export function autoFigures(folder: RunFolder): string[] {
  const tables = new Map<string, Record<string, string>[]>();
  const out: string[] = [];
  for (const [name, p] of Object.entries(PRESETS)) {
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

export async function drawFigures(folder: RunFolder, opts: DrawOptions = {}): Promise<DrawnFigure[]> {
  let specs = resolveFigures(opts.figures ?? figureEntriesFor(folder));
  if (opts.only) {
    const unknown = opts.only.filter((n) => !specs.some((s) => s.name === n));
    if (unknown.length) {
      throw new UserInputError(`--only: no figure named ${unknown.join(', ')}; figures: ${specs.map((s) => s.name).join(', ') || '(none)'}`, 'only');
    }
    specs = specs.filter((s) => opts.only!.includes(s.name));
  }
  const formats = opts.formats ?? ['svg', 'png'];
  const cache = new Map<string, Record<string, string>[]>();
  const drawn: DrawnFigure[] = [];
  for (const fig of specs) {
    if (!cache.has(fig.data)) {
      if (!folder.exists(fig.data)) {
        throw new UserInputError(`figure '${fig.name}': data file '${fig.data}' is not in ${folder.dir}`, `figures.${fig.name}.data`);
      }
      cache.set(fig.data, folder.readCsv(fig.data));
    }
    const { data, spec } = buildFigure(cache.get(fig.data)!, fig);
    const files: string[] = [];
    const base = `figures/${fig.name}`;
    folder.writeJson(`${base}.vl.json`, spec);
    files.push(`${base}.vl.json`);
    folder.writeCsv(`${base}.points.csv`, data.points.map((p) => ({ ...p })), ['series', 'facet', 'x', 'y', 'lo', 'hi', 'n']);
    files.push(`${base}.points.csv`);
    const svg = await renderSvg(spec);
    if (formats.includes('svg')) { folder.writeText(`${base}.svg`, svg); files.push(`${base}.svg`); }
    if (formats.includes('png')) { folder.writeBytes(`${base}.png`, svgToPng(svg, opts.scale ?? 2)); files.push(`${base}.png`); }
    drawn.push({ name: fig.name, files, points: data.points.length, dropped: data.dropped });
  }
  return drawn;
}
