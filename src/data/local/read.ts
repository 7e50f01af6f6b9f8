/**
 * Records from local data files, as Hugging Face datasets and GLUE ship them:
 *  - `.txt`: the whole text (one record `{ text }`);
 *  - `.jsonl` (one object a line) and `.json` (an array of objects, or `{ data: [...] }`);
 *  - `.csv` (RFC 4180: quoted fields, doubled quotes, newlines inside quotes) with a header row;
 *  - `.tsv` with a header row, split on tabs only (GLUE's TSVs quote nothing: a `"` is text);
 *  - `.parquet` through `hyparquet` (snappy and the other codecs it reads). hyparquet's API is async
 *    and the training preparation is synchronous, so the file is decoded in a short child process
 *    (`node`, the same hyparquet) that prints the records as JSON.
 * Errors name the file and the line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { UserInputError } from '../../errors.js';

export type DataRecord = Record<string, unknown>;

export const LOCAL_FORMATS = ['.txt', '.jsonl', '.json', '.csv', '.tsv', '.parquet'] as const;

export function isLocalDataFile(path: string): boolean {
  return (LOCAL_FORMATS as readonly string[]).includes(extname(path).toLowerCase());
}

/** All records of `path` (field = the input's name in errors). */
export function readRecords(path: string, field = 'data.path'): DataRecord[] {
  if (!existsSync(path)) throw new UserInputError(`${field}: ${path} does not exist`, field);
  if (statSync(path).isDirectory()) throw new UserInputError(`${field}: ${path} is a folder; expected a file`, field);
  const ext = extname(path).toLowerCase();
  switch (ext) {
    case '.txt': return [{ text: readFileSync(path, 'utf8') }];
    case '.jsonl': return parseJsonl(readFileSync(path, 'utf8'), path);
    case '.json': return parseJson(readFileSync(path, 'utf8'), path);
    case '.csv': return toRecords(parseCsv(readFileSync(path, 'utf8'), path), path);
    case '.tsv': return toRecords(parseTsv(readFileSync(path, 'utf8')), path);
    case '.parquet': return readParquet(path, field);
    default:
      throw new UserInputError(`${field}: ${path} has extension '${ext}'; supported: ${LOCAL_FORMATS.join(', ')}`, field);
  }
}

export function parseJsonl(text: string, path: string): DataRecord[] {
  const out: DataRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new UserInputError(`${path}:${i + 1}: not JSON (${(e as Error).message})`, 'data.path');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UserInputError(`${path}:${i + 1}: each line must be a JSON object`, 'data.path');
    out.push(v as DataRecord);
  });
  return out;
}

function parseJson(text: string, path: string): DataRecord[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // Many '.json' files from the Hub are JSON lines.
    if (text.trimStart().startsWith('{')) return parseJsonl(text, path);
    throw new UserInputError(`${path}: not JSON (${(e as Error).message})`, 'data.path');
  }
  const arr = Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { data?: unknown }).data) ? (v as { data: unknown[] }).data : null;
  if (!arr) throw new UserInputError(`${path}: expected an array of objects (or { "data": [...] })`, 'data.path');
  return arr as DataRecord[];
}

/** RFC 4180 CSV → rows of fields. */
export function parseCsv(text: string, path: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', i = 0, quoted = false, line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      if (c === '\n') line++;
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { i++; continue; }
    if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; line++; continue; }
    field += c; i++;
  }
  if (quoted) throw new UserInputError(`${path}:${line}: unterminated quoted field`, 'data.path');
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export function parseTsv(text: string): string[][] {
  return text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0).map((l) => l.split('\t'));
}

function toRecords(rows: string[][], path: string): DataRecord[] {
  if (!rows.length) throw new UserInputError(`${path}: empty (a header row is required)`, 'data.path');
  const header = rows[0]!.map((h) => h.trim());
  return rows.slice(1).map((r, i) => {
    if (r.length !== header.length) {
      throw new UserInputError(`${path}:${i + 2}: ${r.length} fields, the header has ${header.length}`, 'data.path');
    }
    return Object.fromEntries(header.map((h, j) => [h, r[j]!]));
  });
}

const PARQUET_SCRIPT = `
import { readFileSync } from 'node:fs';
const { parquetReadObjects } = await import(process.argv[1]);
const b = readFileSync(process.argv[2]);
const rows = await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) });
process.stdout.write(JSON.stringify(rows, (k, v) => (typeof v === 'bigint' ? Number(v) : v)));
`;

function readParquet(path: string, field: string): DataRecord[] {
  const lib = import.meta.resolve('hyparquet');
  let out: string;
  try {
    out = execFileSync(process.execPath, ['--input-type=module', '-e', PARQUET_SCRIPT, lib, path], { encoding: 'utf8', maxBuffer: 2 ** 31 - 1, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const msg = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n').filter((l) => /Error/.test(l)).pop() ?? 'unreadable';
    throw new UserInputError(`${path}: cannot read Parquet (${msg})`, field);
  }
  const rows = JSON.parse(out) as unknown;
  if (!Array.isArray(rows)) throw new UserInputError(`${path}: cannot read Parquet (no rows)`, field);
  return rows as DataRecord[];
}
