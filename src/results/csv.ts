/**
 * Tidy CSV: one header line, stable column order, numbers in shortest round-trip form
 * (`String(x)`, so `Number(cell)` gives back the same double), RFC 4180 quoting. Lines end in `\n`.
 * `null` is an empty cell ("not measured"; figure readers skip it).
 *
 * A result never holds NaN or ±Infinity (readers would parse them as numbers and plot or average
 * them). Two non-finite values have a defined meaning and are written as an empty cell:
 *   - −Infinity in a dB column (`*_db`): 10·log10 of an exact zero; the linear column holds the 0.
 *   - ±Infinity in an interval bound column (`*_low`, `*_high`): an unbounded interval (one trial).
 * Any other non-finite number is refused with a NonFiniteResultError naming file, column and row.
 */
import { NonFiniteResultError } from '../errors.js';

export type CsvValue = string | number | boolean | null | undefined;
export type CsvRow = Record<string, CsvValue>;

/**
 * The value a non-finite number stands for in column/key `name`: `null` (an empty cell / JSON null)
 * for the two defined cases above, `undefined` when it is not allowed.
 */
export function nonFiniteAllowed(name: string, v: number): null | undefined {
  if (v === -Infinity && /_db$/.test(name)) return null;
  if (!Number.isNaN(v) && /(^|_)(low|high)(_db)?$/.test(name)) return null;
  return undefined;
}

/** `row` with the defined non-finite values replaced by null; throws NonFiniteResultError on any other. */
export function finiteRow(row: CsvRow, columns: string[], file: string, index: number): CsvRow {
  let out: CsvRow | undefined;
  for (const c of columns) {
    const v = row[c];
    if (typeof v !== 'number' || Number.isFinite(v)) continue;
    if (nonFiniteAllowed(c, v) === undefined) throw new NonFiniteResultError(file, c, index, v);
    (out ??= { ...row })[c] = null;
  }
  return out ?? row;
}

export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return /[",\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Columns: the given ones, else every key in first-seen order across the rows. */
export function csvColumns(rows: CsvRow[], columns?: string[]): string[] {
  if (columns) return columns;
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** `file` names the output in a NonFiniteResultError (rows count from 1, the header is row 0). */
export function formatCsv(rows: CsvRow[], columns?: string[], file = 'CSV'): string {
  const cols = csvColumns(rows, columns);
  const lines = [cols.map(csvCell).join(',')];
  rows.forEach((r, i) => {
    const f = finiteRow(r, cols, file, i + 1);
    lines.push(cols.map((c) => csvCell(f[c])).join(','));
  });
  return lines.join('\n') + '\n';
}

/** Parse RFC 4180 text (quoted fields, doubled quotes, CRLF or LF) into rows keyed by the header. */
export function parseCsv(text: string): Record<string, string>[] {
  const records = parseRecords(text);
  if (records.length === 0) return [];
  const header = records[0]!;
  const out: Record<string, string>[] = [];
  for (let i = 1; i < records.length; i++) {
    const rec = records[i]!;
    if (rec.length === 1 && rec[0] === '' && header.length > 1) continue; // blank line
    const row: Record<string, string> = {};
    for (let j = 0; j < header.length; j++) row[header[j]!] = rec[j] ?? '';
    out.push(row);
  }
  return out;
}

/** The header of a CSV text (column names in file order). */
export function csvHeader(text: string): string[] {
  const nl = text.indexOf('\n');
  return parseRecords(nl < 0 ? text : text.slice(0, nl))[0] ?? [];
}

function parseRecords(text: string): string[][] {
  const recs: string[][] = [];
  let rec: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += ch; i++; continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { rec.push(field); field = ''; i++; continue; }
    if (ch === '\r' || ch === '\n') {
      rec.push(field); field = ''; recs.push(rec); rec = [];
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch; i++;
  }
  if (field !== '' || rec.length > 0) { rec.push(field); recs.push(rec); }
  return recs;
}
