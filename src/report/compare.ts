/**
 * `airlora compare`: final metrics across runs and schemes, with 95% CIs where there are trials.
 *
 * From each folder's metrics.csv: rows of the last round/iteration (per trial) are kept, rows are
 * grouped by run × key columns (scheme, scheduler, sweep point, ...), and each metric column is
 * summarised over the replicate rows (Student-t 95% CI of the mean; n = 1 has no CI).
 */
import { basename } from 'node:path';
import { UserInputError } from '../errors.js';
import { RunFolder } from '../results/run-folder.js';
import { summarize } from '../stats/summary.js';

export interface CompareOptions {
  /** Metric columns to report (default: every numeric column that is not a key, trial or time). */
  metrics?: string[];
  /** Key columns to group by (default: non-numeric columns plus known point columns). */
  by?: string[];
  /** CSV file inside each folder (default metrics.csv, else phy-trials.csv). */
  data?: string;
}

export interface CompareRow {
  run: string;
  keys: Record<string, string>;
  metric: string;
  n: number;
  mean: number;
  ciLow: number | null;
  ciHigh: number | null;
}

export interface CompareResult {
  keyColumns: string[];
  metrics: string[];
  rows: CompareRow[];
}

const TIME_COLUMNS = ['round', 'iteration', 'step', 'epoch'];
const REPLICATE_COLUMNS = ['trial', 'job', 'seed'];
const POINT_COLUMNS = ['snr_db', 'power_dbm', 'antennas', 'server_antennas', 'devices', 'rank', 'delay_budget', 'streams', 'subcarriers'];
/** Looked for in this order when no --data is given. */
const DATA_FILES = ['metrics.csv', 'phy-trials.csv'];

const isNum = (s: string | undefined) => s !== undefined && s.trim() !== '' && !Number.isNaN(Number(s));

export function compareRuns(dirs: string[], opts: CompareOptions = {}): CompareResult {
  if (dirs.length === 0) throw new UserInputError('compare: give at least one results folder', 'dirs');
  const names = uniqueNames(dirs);
  const out: CompareRow[] = [];
  const allKeys = new Set<string>();
  const allMetrics = new Set<string>();
  dirs.forEach((dir, di) => {
    const folder = RunFolder.open(dir);
    const file = opts.data ?? DATA_FILES.find((f) => folder.exists(f)) ?? DATA_FILES[0]!;
    if (!folder.exists(file)) throw new UserInputError(`compare: '${dir}' has no ${file}`, 'dirs');
    let rows = folder.readCsv(file);
    if (rows.length === 0) return;
    const cols = Object.keys(rows[0]!);
    const time = TIME_COLUMNS.find((c) => cols.includes(c));
    const rep = REPLICATE_COLUMNS.filter((c) => cols.includes(c));
    // a sweep's grid columns are keys too (recorded in its manifest)
    const m = folder.hasManifest() ? folder.manifest() : undefined;
    const gridCols = m && Array.isArray(m.columns) ? (m.columns as string[]) : [];
    const keys = opts.by ?? cols.filter((c) =>
      c !== time && !rep.includes(c) && !rows.every((r) => r[c] === '') &&
      (POINT_COLUMNS.includes(c) || gridCols.includes(c) || !rows.every((r) => isNum(r[c]) || r[c] === '')));
    for (const k of keys) if (!cols.includes(k)) throw new UserInputError(`compare --by: column '${k}' is not in ${dir}/${file}; columns: ${cols.join(', ')}`, 'by');
    const metrics = opts.metrics ?? cols.filter((c) => c !== time && !rep.includes(c) && !keys.includes(c) && rows.some((r) => isNum(r[c])));
    for (const m of metrics) if (!cols.includes(m)) throw new UserInputError(`compare --metric: column '${m}' is not in ${dir}/${file}; columns: ${cols.join(', ')}`, 'metric');
    const groupKey = (r: Record<string, string>) => keys.map((k) => r[k]).join('\u0000');
    if (time) {
      // final row per (keys, replicate)
      const best = new Map<string, number>();
      const g = (r: Record<string, string>) => groupKey(r) + '\u0001' + rep.map((c) => r[c]).join('\u0000');
      for (const r of rows) { const v = Number(r[time]); const k = g(r); if (!(best.get(k)! >= v)) best.set(k, v); }
      rows = rows.filter((r) => Number(r[time]) === best.get(g(r)));
    }
    const groups = new Map<string, Record<string, string>[]>();
    for (const r of rows) { const k = groupKey(r); const a = groups.get(k); if (a) a.push(r); else groups.set(k, [r]); }
    keys.forEach((k) => allKeys.add(k));
    metrics.forEach((m) => allMetrics.add(m));
    for (const g of groups.values()) {
      const keyVals = Object.fromEntries(keys.map((k) => [k, g[0]![k] ?? '']));
      for (const m of metrics) {
        const vals = g.map((r) => r[m]).filter(isNum).map(Number);
        if (vals.length === 0) continue;
        const s = summarize(vals);
        const ci = s.n > 1 && Number.isFinite(s.ciHalf);
        out.push({ run: names[di]!, keys: keyVals, metric: m, n: s.n, mean: s.mean, ciLow: ci ? s.ciLow : null, ciHigh: ci ? s.ciHigh : null });
      }
    }
  });
  return { keyColumns: [...allKeys], metrics: [...allMetrics], rows: out };
}

/** Folder base names, made unique with their parent when two runs share a base name. */
function uniqueNames(dirs: string[]): string[] {
  const base = dirs.map((d) => basename(d.replace(/[\\/]+$/, '')));
  return base.map((b, i) => (base.indexOf(b) !== base.lastIndexOf(b) ? `${b}#${i + 1}` : b));
}

/** 4 significant digits, no exponent for ordinary magnitudes. */
export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** Plain-text table: one line per run × keys, one column per metric as `mean ± half (n)`. */
export function formatCompareTable(res: CompareResult): string {
  const lineKey = (r: CompareRow) => [r.run, ...res.keyColumns.map((k) => r.keys[k] ?? '')].join('\u0000');
  const lines = new Map<string, Record<string, string>>();
  for (const r of res.rows) {
    const k = lineKey(r);
    if (!lines.has(k)) lines.set(k, { run: r.run, ...Object.fromEntries(res.keyColumns.map((c) => [c, r.keys[c] ?? ''])) });
    const cell = r.ciLow !== null && r.ciHigh !== null
      ? `${fmtNum(r.mean)} ± ${fmtNum((r.ciHigh - r.ciLow) / 2)} (n=${r.n})`
      : `${fmtNum(r.mean)} (n=${r.n})`;
    lines.get(k)![r.metric] = cell;
  }
  const header = ['run', ...res.keyColumns, ...res.metrics];
  const body = [...lines.values()].map((l) => header.map((h) => l[h] ?? ''));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)].join('\n') + '\n' +
    '(mean ± half-width of the 95% CI over trials; n = number of trials)\n';
}
