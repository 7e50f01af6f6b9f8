/**
 * Resolve `figures:` entries (preset names or objects) into complete figure specs.
 */
import { UserInputError } from '../errors.js';
import type { FigureEntry, FigureObject } from '../scenario/sections/figures.js';
import { PRESETS, type PresetObject } from './presets.js';

export interface FigureSpec {
  name: string;
  kind: 'line';
  data: string;
  x: string;
  y: string;
  series?: string;
  facet?: string;
  filter?: Record<string, string | number | boolean | (string | number | boolean)[]>;
  exclude?: Record<string, string | number | boolean | (string | number | boolean)[]>;
  ciLow?: string;
  ciHigh?: string;
  aggregate: 'auto' | 'mean' | 'median' | 'none';
  final?: string;
  replicate?: string;
  xScale: 'linear' | 'log';
  yScale: 'linear' | 'log' | 'db';
  title?: string;
  caption?: string;
  xTitle?: string;
  yTitle?: string;
  seriesTitle?: string;
  seriesOrder?: string[];
  width: number;
  height: number;
  /** Added to x before plotting (split runs index rounds from 0: +1 shows rounds completed, as training runs do). */
  xOffset?: number;
  /** Paired difference to this series value (Δ vs ideal): per pair (same trial, round, sweep point) y − y_baseline. */
  deltaTo?: string;
  /** Preset drawn alongside when the data has the baseline and another series (the figure's Δ companion). */
  companion?: string;
}

export function resolveFigure(entry: FigureEntry, index = 0): FigureSpec {
  const field = `figures[${index}]`;
  const obj: FigureObject = typeof entry === 'string' ? { preset: entry } : entry;
  let base: PresetObject = {};
  if (obj.preset !== undefined) {
    const p = PRESETS[obj.preset];
    if (!p) {
      throw new UserInputError(
        `${field}: unknown figure preset '${obj.preset}'; allowed: ${Object.keys(PRESETS).join(', ')}`, field);
    }
    base = p;
  }
  const m: PresetObject = { ...base, ...obj };
  const name = m.name ?? m.preset;
  if (!name) throw new UserInputError(`${field}.name: a figure needs a name (or a preset)`, `${field}.name`);
  if (!m.x) throw new UserInputError(`${field}.x: missing x column`, `${field}.x`);
  if (!m.y) throw new UserInputError(`${field}.y: missing y column`, `${field}.y`);
  if ((m.ciLow === undefined) !== (m.ciHigh === undefined)) {
    throw new UserInputError(`${field}: ciLow and ciHigh go together`, `${field}.ciLow`);
  }
  return {
    name,
    kind: m.kind ?? 'line',
    data: m.data ?? 'metrics.csv',
    x: m.x,
    y: m.y,
    series: m.series,
    facet: m.facet,
    filter: m.filter,
    exclude: m.exclude,
    ciLow: m.ciLow,
    ciHigh: m.ciHigh,
    aggregate: m.aggregate ?? 'auto',
    final: m.final,
    replicate: m.replicate,
    xScale: m.xScale ?? 'linear',
    yScale: m.yScale ?? 'linear',
    title: m.title,
    caption: m.caption,
    xTitle: m.xTitle,
    yTitle: m.yTitle,
    seriesTitle: m.seriesTitle,
    seriesOrder: m.seriesOrder,
    width: m.width ?? 420,
    height: m.height ?? 280,
    ...(m.xOffset !== undefined ? { xOffset: m.xOffset } : {}),
    ...(m.deltaTo !== undefined ? { deltaTo: m.deltaTo } : {}),
    ...(m.companion !== undefined ? { companion: m.companion } : {}),
  };
}

export function resolveFigures(entries: FigureEntry[]): FigureSpec[] {
  const specs = entries.map(resolveFigure);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new UserInputError(`figures: two figures are named '${s.name}'`, 'figures');
    seen.add(s.name);
  }
  return specs;
}
