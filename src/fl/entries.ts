/**
 * Which entries of the flat adapter vector are uploaded and aggregated (`fl.aggregateFactors`), from
 * the model's adapter layout. `null` means all entries (no copy needed).
 */
import type { AdapterBlock } from '../lora/batched.js';
import { UserInputError } from '../errors.js';

export function selectedEntries(layout: readonly AdapterBlock[], factors: readonly ('A' | 'B')[], size: number): Uint32Array | null {
  const present = new Set(layout.map((b) => b.factor));
  if (factors.every((f) => !present.has(f))) {
    throw new UserInputError(`fl.aggregateFactors: [${factors.join(', ')}] selects no adapter entries (the adapters hold ${[...present].join(', ')})`, 'fl.aggregateFactors');
  }
  if ([...present].every((f) => factors.includes(f))) return null;
  const idx: number[] = [];
  for (const b of layout) {
    if (!factors.includes(b.factor)) continue;
    const n = b.shape.reduce((p, q) => p * q, 1);
    for (let i = 0; i < n; i++) idx.push(b.offset + i);
  }
  if (idx.some((i) => i >= size)) throw new Error('adapter layout exceeds adapterSize');
  return Uint32Array.from(idx);
}

export function gather(v: Float32Array, idx: Uint32Array | null): Float32Array {
  if (!idx) return v;
  const out = new Float32Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = v[idx[i]!]!;
  return out;
}
