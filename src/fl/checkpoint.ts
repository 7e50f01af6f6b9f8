/**
 * Per-round checkpoint of a federated run: `checkpoint.json` in the run folder, written atomically after
 * each completed round. It holds everything a resumed run needs: the global adapter vector (float32,
 * base64), the last completed round and the metric rows and round records so far. Random streams are
 * keyed by round, and local optimiser state is reset every round, so nothing else is needed to continue
 * exactly where the run stopped.
 */
import type { RunFolder } from '../results/run-folder.js';
import type { CsvRow } from '../results/csv.js';
import { UserInputError } from '../errors.js';

export const CHECKPOINT_FILE = 'checkpoint.json';

export interface FlCheckpoint {
  format: 'airlora-fl-checkpoint/1';
  /** Last completed round (0 = only the initial evaluation). */
  round: number;
  adapterSize: number;
  global: Float32Array;
  /** Evaluation loss before training (the divergence reference). */
  initialEvalLoss: number;
  rows: CsvRow[];
  records: Record<string, unknown>[];
}

export function saveCheckpoint(folder: RunFolder, c: FlCheckpoint): void {
  const bytes = new Uint8Array(c.global.buffer, c.global.byteOffset, c.global.byteLength);
  folder.writeJson(CHECKPOINT_FILE, { ...c, global: Buffer.from(bytes).toString('base64') });
}

export function loadCheckpoint(folder: RunFolder): FlCheckpoint | undefined {
  if (!folder.exists(CHECKPOINT_FILE)) return undefined;
  const raw = folder.readJson<Omit<FlCheckpoint, 'global'> & { global: string }>(CHECKPOINT_FILE);
  if (raw.format !== 'airlora-fl-checkpoint/1') {
    throw new UserInputError(`${folder.path(CHECKPOINT_FILE)}: unknown checkpoint format '${raw.format}'`, 'resume');
  }
  const buf = Buffer.from(raw.global, 'base64');
  const global = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  if (global.length !== raw.adapterSize) {
    throw new UserInputError(`${folder.path(CHECKPOINT_FILE)}: adapter vector has ${global.length} entries, expected ${raw.adapterSize}`, 'resume');
  }
  return { ...raw, global };
}
