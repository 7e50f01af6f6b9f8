/**
 * The safetensors format (Hugging Face): 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": {...} }`, then the raw
 * little-endian tensor bytes (offsets relative to the end of the header).
 *
 * Reading opens the file once and reads each tensor on demand (a 350M-parameter F32 model is 1.4 GB;
 * never held twice). F32, F16 and BF16 are decoded to Float32Array (airlora computes in F32); integer
 * tensors (position-id buffers) are skipped by callers. Sharded checkpoints are a
 * `model.safetensors.index.json` whose `weight_map` names the shard holding each key.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserInputError } from '../../errors.js';

export type SafeDtype = 'F32' | 'F16' | 'BF16';
const FLOAT_BYTES: Record<SafeDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface TensorEntry {
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

/** One safetensors file: its tensor table and an on-demand reader. */
export class SafetensorsFile {
  readonly entries = new Map<string, TensorEntry>();
  readonly metadata: Record<string, string>;

  constructor(readonly path: string) {
    if (!existsSync(path)) throw new UserInputError(`${path}: no such safetensors file`, 'model.checkpoint');
    const fd = openSync(path, 'r');
    try {
      const len = Buffer.alloc(8);
      if (readSync(fd, len, 0, 8, 0) !== 8) throw new UserInputError(`${path}: not a safetensors file (shorter than 8 bytes)`, 'model.checkpoint');
      const n = Number(len.readBigUInt64LE(0));
      if (!(n > 1 && n < 100 * 2 ** 20)) throw new UserInputError(`${path}: not a safetensors file (header length ${n})`, 'model.checkpoint');
      const hb = Buffer.alloc(n);
      readSync(fd, hb, 0, n, 8);
      let header: Record<string, unknown>;
      try {
        header = JSON.parse(hb.toString('utf8')) as Record<string, unknown>;
      } catch {
        throw new UserInputError(`${path}: not a safetensors file (header is not JSON)`, 'model.checkpoint');
      }
      this.metadata = (header['__metadata__'] as Record<string, string> | undefined) ?? {};
      for (const [name, v] of Object.entries(header)) {
        if (name === '__metadata__') continue;
        const e = v as { dtype: string; shape: number[]; data_offsets: [number, number] };
        this.entries.set(name, { dtype: e.dtype, shape: e.shape, begin: 8 + n + e.data_offsets[0], end: 8 + n + e.data_offsets[1] });
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The tensor `name` decoded to F32 (row-major, `shape` as stored). */
  read(name: string): { shape: number[]; data: Float32Array } {
    const e = this.entries.get(name);
    if (!e) throw new UserInputError(`${this.path}: missing tensor '${name}'`, 'model.checkpoint');
    if (!(e.dtype in FLOAT_BYTES)) {
      throw new UserInputError(`${this.path}: tensor '${name}' has dtype ${e.dtype}; supported: F32, F16, BF16`, 'model.checkpoint');
    }
    const count = e.shape.reduce((a, b) => a * b, 1);
    const bytes = e.end - e.begin;
    if (bytes !== count * FLOAT_BYTES[e.dtype as SafeDtype]) {
      throw new UserInputError(`${this.path}: tensor '${name}' holds ${bytes} bytes, shape [${e.shape.join(', ')}] ${e.dtype} needs ${count * FLOAT_BYTES[e.dtype as SafeDtype]}`, 'model.checkpoint');
    }
    const buf = Buffer.alloc(bytes);
    const fd = openSync(this.path, 'r');
    try {
      let got = 0;
      while (got < bytes) {
        const r = readSync(fd, buf, got, Math.min(bytes - got, 1 << 30), e.begin + got);
        if (r <= 0) throw new UserInputError(`${this.path}: truncated while reading '${name}'`, 'model.checkpoint');
        got += r;
      }
    } finally {
      closeSync(fd);
    }
    return { shape: [...e.shape], data: decode(buf, e.dtype as SafeDtype, count) };
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian F32 / F16 / BF16 bytes → Float32Array. */
export function decode(buf: Uint8Array, dtype: SafeDtype, count: number): Float32Array {
  const out = new Float32Array(count);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dtype === 'F32') {
    // Little-endian hosts (all Node targets) copy aligned bytes directly; DataView otherwise.
    if (buf.byteOffset % 4 === 0 && LITTLE_ENDIAN) out.set(new Float32Array(buf.buffer, buf.byteOffset, count));
    else for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
  } else if (dtype === 'BF16') {
    // bfloat16 is the top half of an IEEE float32.
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u[i] = dv.getUint16(2 * i, true) << 16;
  } else {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
  }
  return out;
}

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24; // subnormal
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** float32 → IEEE half (round to nearest even). */
export function floatToHalf(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let m = mant >>> shift;
    const rem = mant & ((1 << shift) - 1), half = 1 << (shift - 1);
    if (rem > half || (rem === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) { m = 0; e++; if (e >= 31) return sign | 0x7c00; }
  }
  return sign | (e << 10) | m;
}

/** float32 → bfloat16 (round to nearest even). */
export function floatToBf16(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0]!;
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff)) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Write tensors (row-major F32 values) as one safetensors file in `dtype`. */
export function writeSafetensors(path: string, tensors: TensorToWrite[], opts: { dtype?: SafeDtype; metadata?: Record<string, string> } = {}): void {
  const dtype = opts.dtype ?? 'F32';
  const bpe = FLOAT_BYTES[dtype];
  const header: Record<string, unknown> = {};
  if (opts.metadata) header['__metadata__'] = opts.metadata;
  let off = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`writeSafetensors: '${t.name}' has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [off, off + n * bpe] };
    off += n * bpe;
  }
  let hjson = JSON.stringify(header);
  // Pad the header with spaces to a multiple of 8 bytes (as the reference writer does).
  const hbytes = Buffer.byteLength(hjson, 'utf8');
  hjson += ' '.repeat((8 - (hbytes % 8)) % 8);
  const hb = Buffer.from(hjson, 'utf8');
  const out = Buffer.alloc(8 + hb.length + off);
  out.writeBigUInt64LE(BigInt(hb.length), 0);
  hb.copy(out, 8);
  let p = 8 + hb.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i]!;
      if (dtype === 'F32') out.writeFloatLE(v, p);
      else out.writeUInt16LE(dtype === 'F16' ? floatToHalf(v) : floatToBf16(v), p);
      p += bpe;
    }
  }
  writeFileSync(path, out);
}

/**
 * The tensors of a model folder: `model.safetensors`, or the shards listed by
 * `model.safetensors.index.json`. `get` names the file and the key when a tensor is missing.
 */
export class SafetensorsCheckpoint {
  private readonly files = new Map<string, SafetensorsFile>();
  /** key → file name (relative to the folder). */
  private readonly where = new Map<string, string>();
  readonly description: string;

  constructor(readonly dir: string) {
    const index = join(dir, 'model.safetensors.index.json');
    const single = join(dir, 'model.safetensors');
    if (existsSync(index)) {
      let map: Record<string, string>;
      try {
        map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map;
      } catch (e) {
        throw new UserInputError(`${index}: not a valid index (${(e as Error).message})`, 'model.checkpoint');
      }
      if (!map || typeof map !== 'object') throw new UserInputError(`${index}: no 'weight_map'`, 'model.checkpoint');
      for (const [k, f] of Object.entries(map)) this.where.set(k, f);
      this.description = index;
    } else if (existsSync(single)) {
      const f = new SafetensorsFile(single);
      this.files.set('model.safetensors', f);
      for (const k of f.entries.keys()) this.where.set(k, 'model.safetensors');
      this.description = single;
    } else {
      throw new UserInputError(`${dir}: no model.safetensors or model.safetensors.index.json (PyTorch .bin checkpoints are not read; convert them to safetensors)`, 'model.checkpoint');
    }
  }

  has(key: string): boolean {
    return this.where.has(key);
  }

  keys(): string[] {
    return [...this.where.keys()];
  }

  private file(name: string): SafetensorsFile {
    let f = this.files.get(name);
    if (!f) {
      f = new SafetensorsFile(join(this.dir, name));
      this.files.set(name, f);
    }
    return f;
  }

  /** Shape and dtype of `key` without reading its data. */
  entry(key: string): TensorEntry | undefined {
    const fname = this.where.get(key);
    return fname === undefined ? undefined : this.file(fname).entries.get(key);
  }

  get(key: string): { shape: number[]; data: Float32Array } {
    const fname = this.where.get(key);
    if (fname === undefined) throw new UserInputError(`${this.description}: missing tensor '${key}'`, 'model.checkpoint');
    const f = this.file(fname);
    if (!f.entries.has(key)) throw new UserInputError(`${join(this.dir, fname)}: missing tensor '${key}' (listed in the index)`, 'model.checkpoint');
    return f.read(key);
  }
}
