/**
 * Tidy CSV: one header line, stable column order, numbers in shortest round-trip form
 * (`String(x)`, so `Number(cell)` gives back the same double), RFC 4180 quoting. Lines end in `\n`.
 * Non-finite numbers are written as `NaN`, `Infinity`, `-Infinity` (e.g. NMSE of 0 in dB), which
 * `Number()` parses back; `null` is an empty cell.
 */
export type CsvValue = string | number | boolean | null | undefined;
export type CsvRow = Record<string, CsvValue>;

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

export function formatCsv(rows: CsvRow[], columns?: string[]): string {
  const cols = csvColumns(rows, columns);
  const lines = [cols.map(csvCell).join(',')];
  for (const r of rows) lines.push(cols.map((c) => csvCell(r[c])).join(','));
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
