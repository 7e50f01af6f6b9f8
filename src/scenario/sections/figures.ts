/**
 * `figures:` section: the plots a run's results folder gets. Each entry is a preset name
 * (`nmse_vs_snr`), or an object: a generic figure kind (`line`: y against x with a 95% CI band,
 * one line per `series` value, optional `facet` small multiples), optionally starting from a preset.
 *
 *   figures:
 *     - nmse_vs_snr
 *     - { preset: final_perplexity_vs_snr, title: "Final perplexity" }
 *     - { name: loss, kind: line, data: metrics.csv, x: round, y: train_loss, series: scheme }
 *
 * The figure layer (src/report) reads only the results folder; this section only describes plots.
 */
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const figureObjectSchema = z.object({
  /** Start from a named preset (src/report/presets.ts); the other fields override it. */
  preset: z.string().optional().describe('Start from a named preset (src/report/presets.ts); the other fields override it.'),
  /** File stem under figures/ (default: the preset name). */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').optional().describe('File stem under figures/ (default: the preset name).'),
  kind: z.enum(['line']).optional().describe('generic figure kind: line (y against x with a 95% CI band, one line per series value)'),
  /** CSV file in the results folder (default metrics.csv). */
  data: z.string().optional().describe('CSV file in the results folder (default metrics.csv).'),
  x: z.string().optional().describe('column on the x axis'),
  y: z.string().optional().describe('column on the y axis'),
  /** Column whose values become separate lines (legend), e.g. scheme, scheduler. */
  series: z.string().optional().describe('Column whose values become separate lines (legend), e.g. scheme, scheduler.'),
  /** Column whose values become separate panels. */
  facet: z.string().optional().describe('Column whose values become separate panels.'),
  /** Keep only rows whose column equals the value (or one of the values). */
  filter: z.record(z.string(), z.union([scalar, z.array(scalar)])).optional().describe('Keep only rows whose column equals the value (or one of the values).'),
  /** Drop rows whose column equals the value (or one of the values), e.g. { scheme: ideal }. */
  exclude: z.record(z.string(), z.union([scalar, z.array(scalar)])).optional().describe('Drop rows whose column equals the value (or one of the values), e.g. { scheme: ideal }.'),
  /** Columns holding a precomputed 95% CI; otherwise the CI comes from replicate rows. */
  ciLow: z.string().optional().describe('Columns holding a precomputed 95% CI; otherwise the CI comes from replicate rows.'),
  ciHigh: z.string().optional().describe('column holding the upper end of a precomputed 95% CI (goes with ciLow)'),
  /** How replicate rows (trials) of one point combine: auto = mean with t-CI when there are replicates. */
  aggregate: z.enum(['auto', 'mean', 'median', 'none']).optional().describe('How replicate rows (trials) of one point combine: auto = mean with t-CI when there are replicates.'),
  /** Keep, per replicate, only the row with the largest value of this column (e.g. the final round). */
  final: z.string().optional().describe('Keep, per replicate, only the row with the largest value of this column (e.g. the final round).'),
  /** Column naming the replicate (default: trial, if present) used with `final`. */
  replicate: z.string().optional().describe('Column naming the replicate (default: trial, if present) used with `final`.'),
  xScale: z.enum(['linear', 'log']).optional().describe('x axis scale: linear (default) or log (rows with x ≤ 0 are dropped)'),
  /** 'db' averages in linear units, then shows 10·log10 (NMSE in dB). */
  yScale: z.enum(['linear', 'log', 'db']).optional().describe('\'db\' averages in linear units, then shows 10·log10 (NMSE in dB).'),
  title: z.string().optional().describe('figure title (drawn only with airlora figures --titles; captions carry titles by default)'),
  /** One sentence on what the figure shows (docs/figures.md, notebooks). */
  caption: z.string().optional().describe('One sentence on what the figure shows (docs/figures.md, notebooks).'),
  xTitle: z.string().optional().describe('x axis title (default: the column in words with its unit)'),
  yTitle: z.string().optional().describe('y axis title (default: the column in words with its unit)'),
  seriesTitle: z.string().optional().describe('legend title (default: the series column in words)'),
  /** Legend order (e.g. scheme names in scenario order); unnamed series follow in first-seen order. */
  seriesOrder: z.array(z.string()).optional().describe('Legend order (e.g. scheme names in scenario order); unnamed series follow in first-seen order.'),
  width: z.number().int().positive().max(4000).optional().describe('nominal width in px (default 420); only height/width counts, as the aspect ratio (clamped to 0.4–0.9): files are sized to the IEEE column widths'),
  height: z.number().int().positive().max(4000).optional().describe('nominal height in px (default 280); see width'),
}).strict();

export const figureEntrySchema = z.union([z.string(), figureObjectSchema]);

/** The section: a list of figure entries. */
export const figuresSection = z.array(figureEntrySchema);

/** The scenario section (composed into the scenario schema by sections/index.ts). */
export const figures = figuresSection.optional().describe('the plots of the run\'s results folder: preset names (airlora list presets) or figure objects (docs/figures.md)');

export type FigureEntry = z.infer<typeof figureEntrySchema>;
export type FigureObject = z.infer<typeof figureObjectSchema>;
