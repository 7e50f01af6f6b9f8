/**
 * Per-round checkpoint of a federated run: `checkpoint.json` in the run folder, written atomically after
 * each completed round. It holds everything a resumed run needs: the global adapter vector (float32,
 * base64), the last completed round and the metric rows and round records so far. Random streams are
 * keyed by round, and local optimiser state is reset every round, so nothing else is needed to continue
 * exactly where the run stopped.
 *
 * Numbers that JSON cannot hold (−Infinity for the dB of an exact-zero NMSE, NaN, +Infinity) are
 * written as `{"$float": "-Infinity"}`, so a resumed run rebuilds exactly the rows an uninterrupted run
 * holds (plain JSON would turn them into null). A checkpoint read back is validated field by field: a
 * damaged or edited one is refused with a UserInputError naming the file, never half-used.
 */
import type { RunFolder } from '../results/run-folder.js';
import type { CsvRow } from '../results/csv.js';
import { UserInputError } from '../errors.js';

export const CHECKPOINT_FILE = 'checkpoint.json';
export const CHECKPOINT_FORMAT = 'airlora-fl-checkpoint/1';

export interface FlCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  /** Last completed round (0 = only the initial evaluation). */
  round: number;
  adapterSize: number;
  global: Float32Array;
  /** Evaluation loss before training (the divergence reference). */
  initialEvalLoss: number;
  rows: CsvRow[];
  records: Record<string, unknown>[];
}

/** What the run resuming the checkpoint expects of it (checked on load). */
export interface CheckpointExpectation {
  /** The run's last round: a checkpoint past it belongs to another run. */
  rounds?: number;
  /** The model's adapter vector length. */
  adapterSize?: number;
}

const FLOAT_TAG = '$float';

function encodeFloats(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { [FLOAT_TAG]: String(v) } : v;
}

function decodeFloats(_key: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const tag = (v as Record<string, unknown>)[FLOAT_TAG];
    if (keys.length === 1 && (tag === 'NaN' || tag === 'Infinity' || tag === '-Infinity')) return Number(tag);
  }
  return v;
}

/** The checkpoint as written: JSON with tagged non-finite numbers and the adapters in base64. */
export function encodeCheckpoint(c: FlCheckpoint): string {
  const bytes = new Uint8Array(c.global.buffer, c.global.byteOffset, c.global.byteLength);
  return JSON.stringify({ ...c, global: Buffer.from(bytes).toString('base64') }, encodeFloats, 2) + '\n';
}

export function saveCheckpoint(folder: RunFolder, c: FlCheckpoint): void {
  folder.writeText(CHECKPOINT_FILE, encodeCheckpoint(c));
}

export function loadCheckpoint(folder: RunFolder, expect: CheckpointExpectation = {}): FlCheckpoint | undefined {
  if (!folder.exists(CHECKPOINT_FILE)) return undefined;
  const file = folder.path(CHECKPOINT_FILE);
  let text: string;
  try {
    text = folder.readText(CHECKPOINT_FILE);
  } catch (e) {
    throw damaged(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeCheckpoint(text, file, expect);
}

/** Parse and validate checkpoint text; every defect is a UserInputError naming `file`. */
export function decodeCheckpoint(text: string, file: string, expect: CheckpointExpectation = {}): FlCheckpoint {
  if (text.trim() === '') throw damaged(file, 'is empty');
  let raw: unknown;
  try {
    raw = JSON.parse(text, decodeFloats);
  } catch (e) {
    throw damaged(file, `is not valid JSON (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw damaged(file, 'is not a JSON object');
  const r = raw as Record<string, unknown>;
  if (r['format'] !== CHECKPOINT_FORMAT) {
    throw damaged(file, `has format ${JSON.stringify(r['format'])}; expected '${CHECKPOINT_FORMAT}'`);
  }
  const int = (k: string, min: number): number => {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw damaged(file, `field '${k}' is ${JSON.stringify(v)}; expected an integer ≥ ${min}`);
    return v;
  };
  const round = int('round', 0);
  const adapterSize = int('adapterSize', 1);
  const loss = r['initialEvalLoss'];
  if (typeof loss !== 'number' || !Number.isFinite(loss) || loss < 0) {
    throw damaged(file, `field 'initialEvalLoss' is ${JSON.stringify(loss)}; expected a finite number ≥ 0`);
  }
  if (expect.rounds !== undefined && round > expect.rounds) {
    throw damaged(file, `says round ${round} is done, but the run has ${expect.rounds} rounds`);
  }
  if (expect.adapterSize !== undefined && adapterSize !== expect.adapterSize) {
    throw damaged(file, `holds ${adapterSize} adapter entries, but the model has ${expect.adapterSize} (another model or LoRA configuration)`);
  }

  const b64 = r['global'];
  if (typeof b64 !== 'string' || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
    throw damaged(file, "field 'global' is not base64 text");
  }
  const buf = Buffer.from(b64, 'base64');
  if (buf.byteLength !== adapterSize * 4) {
    throw damaged(file, `field 'global' holds ${buf.byteLength} bytes; expected ${adapterSize} float32 entries (${adapterSize * 4} bytes)`);
  }
  const global = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  for (let i = 0; i < global.length; i++) {
    if (!Number.isFinite(global[i]!)) throw damaged(file, `adapter entry ${i} is ${global[i]}`);
  }

  const rows = r['rows'];
  const records = r['records'];
  if (!Array.isArray(rows) || rows.length !== round + 1) {
    throw damaged(file, `holds ${Array.isArray(rows) ? rows.length : 'no'} metric rows; expected ${round + 1} (rounds 0..${round})`);
  }
  if (!Array.isArray(records) || records.length !== round + 1) {
    throw damaged(file, `holds ${Array.isArray(records) ? records.length : 'no'} round records; expected ${round + 1} (rounds 0..${round})`);
  }
  rows.forEach((row: unknown, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw damaged(file, `metric row ${i} is not an object`);
    for (const [k, v] of Object.entries(row)) {
      if (v !== null && !['string', 'number', 'boolean'].includes(typeof v)) throw damaged(file, `metric row ${i}, column '${k}' is not a number, text or empty`);
    }
    if ((row as CsvRow)['round'] !== i) throw damaged(file, `metric row ${i} is for round ${JSON.stringify((row as CsvRow)['round'])}`);
  });
  records.forEach((rec: unknown, i) => {
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) throw damaged(file, `round record ${i} is not an object`);
    if ((rec as Record<string, unknown>)['round'] !== i) throw damaged(file, `round record ${i} is for round ${JSON.stringify((rec as Record<string, unknown>)['round'])}`);
  });
  return { format: CHECKPOINT_FORMAT, round, adapterSize, global, initialEvalLoss: loss, rows: rows as CsvRow[], records: records as Record<string, unknown>[] };
}

function damaged(file: string, why: string): UserInputError {
  return new UserInputError(
    `${file}: damaged checkpoint: ${why}. Restore it, or delete it to restart the run from round 0 (the folder is left as it was)`,
    'checkpoint');
}
