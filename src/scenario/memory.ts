/**
 * How much memory a scenario needs, estimated from its sizes before anything is allocated, so that
 * `phy.devices: 1e9` or `lora.r: 1e9` is refused with the field and the estimate instead of exhausting
 * the machine (or crashing deep inside an allocation). `validate` and every run kind call
 * `checkMemory` at start-up.
 *
 * The estimate is a sum of the big buffers (float64 = 8 bytes, complex = 16, float32 tensors = 4), each
 * with the scenario fields it grows with:
 *   PHY        channel K·Nr·Nt·M complex; device updates K·D (three copies: raw, mapped, symbols);
 *              the literal receive path Nr·D; result rows per trial × Nr × point × scheme
 *   model      frozen base parameters (embeddings V·H, L blocks of ~4H² + 2H·I), float32
 *   activation slots × batch × T × (L·(8H + 2I + heads·T) + V), ×3 for the backward pass (split: the
 *              rows of one server pass × T × the measured bytes per token, src/models/memory.ts)
 *   LoRA       adapter vector × slots × 6 (adapters, gradient, two Adam moments, upload, aggregate)
 *   clients    per-client data and bookkeeping (~4 KiB each)
 *   sweep      one resolved scenario (and its results row) per job, ×4
 * It is deliberately coarse (within a small factor): its purpose is to refuse sizes that cannot fit,
 * not to plan a machine. The default limit is the memory free now (`os.freemem()`, or the cgroup limit
 * if lower); `--max-memory SIZE` (or AIRLORA_MAX_MEMORY) changes it.
 *
 * A checkpoint's base model is sized from its config.json (parameter count): resident in F32, 4 bytes
 * a parameter whatever the file's dtype (BF16 / F16 are decoded to F32), plus the weight files read
 * while loading (their bytes on disk, transient).
 *
 * Separately, tfjs's wasm backend keeps weights, activations and optimiser state in one wasm heap of
 * at most 4 GiB (32-bit addresses) whatever the machine has. `checkWasmHeap` sizes that heap with the
 * measured per-token activation bytes (src/models/memory.ts) and refuses, naming the field, what
 * cannot fit: e.g. `fl.mode: batched` with 2 GPT-2-size clients (one at a time, `mode: loop`, fits).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { UserInputError } from '../errors.js';
import { PRESETS, type ModelConfig } from '../models/config.js';
import { countLora } from '../lora/config.js';
import { DEFAULT_CHECKPOINT_DIR, readCheckpointConfig } from '../models/checkpoint.js';
import { parseHfConfig } from '../models/hf/config.js';
import { countParameters } from '../models/params.js';
import { isCausalLm } from '../models/config.js';
import { trainingBytesPerToken } from '../models/memory.js';
import { serverPassRows } from '../split/memory.js';

export interface MemoryTerm {
  /** what the buffer is */
  what: string;
  bytes: number;
  /** the scenario fields it grows with, and their values */
  fields: Record<string, number>;
}

export interface MemoryEstimate {
  bytes: number;
  terms: MemoryTerm[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});
/** A size field as a number ≥ 0 (garbage → the default: the schema reports it, this must not crash). */
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d);
const maxOf = (v: unknown, d: number): number => (Array.isArray(v) ? v.reduce((m: number, x) => Math.max(m, num(x, d)), 0) || d : num(v, d));
const countOf = (v: unknown): number => (Array.isArray(v) ? Math.max(1, v.length) : 1);

/** Defaults of the size fields (as in the section schemas), for the blame ratio and missing values. */
const DEFAULTS: Record<string, number> = {
  'phy.devices': 10, 'phy.antennas.server': 8, 'phy.antennas.device': 2, 'phy.subcarriers': 64, 'phy.streams': 2,
  'phy.payload': 2048, trials: 100, 'fl.clients': 10, 'fl.batch_size': 8, 'data.seq_len': 64, 'data.vocab_size': 1024,
  'lora.r': 8, 'model.overrides.hidden': 128, 'model.overrides.layers': 2, 'model.overrides.intermediate': 512,
  'model.overrides.heads': 4, 'split.devices': 10, 'split.batch_size': 8, 'split.lora.r': 8, 'sweep.grid': 1,
};

export function estimateMemory(scenario: unknown): MemoryEstimate {
  const s = obj(scenario);
  const terms: MemoryTerm[] = [];
  const add = (what: string, bytes: number, fields: Record<string, number>) => { if (bytes > 0) terms.push({ what, bytes, fields }); };
  const fl = s['fl'] !== undefined ? obj(s['fl']) : undefined;
  const split = s['split'] !== undefined ? obj(s['split']) : undefined;
  const airfl = s['airfl'] !== undefined;
  const phy = obj(s['phy']);
  const ant = obj(phy['antennas']);
  const aggregation = Array.isArray(s['aggregation']) ? s['aggregation'] : [];
  const streams = Math.max(num(phy['streams'], 2), ...aggregation.map((e) => num(obj(e)['streams'], 1)));

  let adapter = 0;
  if (fl) {
    const data = obj(s['data']);
    const K = num(fl['clients'], 10);
    const sel = obj(fl['selection']);
    const perRound = sel['count'] !== undefined ? Math.min(K, num(sel['count'], K)) : Math.max(1, Math.ceil(K * num(sel['fraction'], 1)));
    const slots = fl['mode'] === 'loop' ? 1 : perRound;
    const model = modelConfigOf(s, num(data['vocab_size'], 1024));
    const lora = obj(s['lora']);
    const r = num(lora['r'], 8);
    const ranks = airfl ? Math.max(r, maxOf(obj(s['airfl'])['ranks'], r)) : r;
    const T = num(data['seq_len'], 64);
    const B = num(fl['batch_size'], 8);
    adapter = adapterSize(model.config, ranks, lora['target_modules']);
    add('frozen base model (F32)', 4 * model.params, { ...model.fields });
    add('checkpoint weight files read while loading (transient)', model.fileBytes, {});
    add('activations of one local step', 4 * 3 * slots * B * T * (model.config.layers * (8 * model.config.hidden + 2 * model.config.intermediate + model.config.heads * T) + model.config.vocabSize),
      { 'fl.clients': slots, 'fl.batch_size': B, 'data.seq_len': T, ...model.fields });
    add('LoRA adapters, gradients, optimiser state and uploads', 4 * 6 * adapter * Math.max(slots, 2), { 'lora.r': ranks, 'fl.clients': slots, ...model.fields });
    add('per-client data and bookkeeping', 4096 * K, { 'fl.clients': K });
  }
  if (split) {
    const K = num(split['devices'], 10);
    const B = num(split['batch_size'], 8);
    const r = num(obj(split['lora'])['r'], 8);
    const tasks = Array.isArray(split['tasks']) ? split['tasks'] : [{}];
    const T = Math.max(...tasks.map((t) => num(obj(t)['seq_len'], 32)));
    const V = Math.max(...tasks.map((t) => num(obj(t)['vocab_size'], 512)));
    const model = modelConfigOf({ ...s, model: { preset: 'bert-small', ...obj(s['model']) } }, V);
    add('frozen base model (F32)', 4 * model.params, { ...model.fields });
    add('checkpoint weight files read while loading (transient)', model.fileBytes, {});
    // the server runs the round's rows in passes that fit the wasm heap (src/split/memory.ts)
    const rows = Math.min(K * B, serverPassRows(model.config, T));
    add('activations of one server pass', rows * T * trainingBytesPerToken(model.config, T),
      { 'split.devices': K, 'split.batch_size': B, ...model.fields });
    add('LoRA adapters and optimiser state', 4 * 4 * adapterSize(model.config, r, ['query', 'key', 'value']), { 'split.lora.r': r, ...model.fields });
    add('per-device data and bookkeeping', 4096 * K, { 'split.devices': K });
  }
  if (!fl || airfl) {
    // the PHY: a Monte-Carlo over the phy section, or the channel of an AirFL run (K = fl.clients, D = adapters)
    const K = fl ? num(fl['clients'], 10) : num(phy['devices'], 10);
    const Kf = fl ? 'fl.clients' : 'phy.devices';
    const Nr = maxOf(ant['server'], 8);
    const Nt = num(ant['device'], 2);
    const M = num(phy['subcarriers'], 64);
    const D = fl ? adapter : num(phy['payload'], 16 * M * streams);
    // what D grows with: the adapters (AirFL), the payload, or 16·M·S by default
    const Dfields: Record<string, number> = fl ? { 'lora.r': num(obj(s['lora'])['r'], 8) } : phy['payload'] !== undefined ? { 'phy.payload': D } : { 'phy.subcarriers': M, 'phy.streams': streams };
    add('channel matrices', 16 * K * Nr * Nt * M, { [Kf]: K, 'phy.antennas.server': Nr, 'phy.antennas.device': Nt, 'phy.subcarriers': M });
    add('transceiver design (receivers per subcarrier, Nr × Nr work matrices)', 16 * (M * Nr * streams + M * K * Nt * streams + 2 * Nr * Nr),
      { 'phy.antennas.server': Nr, 'phy.subcarriers': M, [Kf]: K });
    add('device updates (raw, mapped, symbols)', 8 * 3 * K * D, { [Kf]: K, ...Dfields });
    if (phy['receive_path'] === 'receive') add('received signal', 16 * Nr * D, { 'phy.antennas.server': Nr, ...Dfields });
    if (!fl) {
      const trials = num(s['trials'], 100);
      const points = countOf(phy['snr_db'] ?? obj(phy['power'])['dbm']);
      add('result rows', 400 * trials * countOf(ant['server']) * points * Math.max(1, aggregation.length), { trials });
    }
  }
  const sweep = s['sweep'] !== undefined ? obj(s['sweep']) : undefined;
  if (sweep) {
    const grid = obj(sweep['grid']);
    const jobs = Object.values(grid).reduce((n: number, v) => n * countOf(v), 1) * num(sweep['trials'], 1);
    let size = 1000;
    try { size = JSON.stringify(s).length; } catch { /* cyclic: keep the default */ }
    add('sweep jobs (one resolved scenario and result row each)', 4 * jobs * (size + 500), { 'sweep.grid': jobs });
  }
  return { bytes: terms.reduce((t, x) => t + x.bytes, 0), terms };
}

type Sized = ModelConfig & { hidden: number; layers: number; heads: number; intermediate: number; vocabSize: number };

/** The configuration in a checkpoint folder's config.json (Hugging Face or airlora), or undefined. */
function checkpointConfig(dir: string): ModelConfig | undefined {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    if (typeof json['model_type'] === 'string') return parseHfConfig(json, join(dir, 'config.json')).config;
    return readCheckpointConfig(dir, false).model;
  } catch {
    return undefined; // unreadable or unknown: the loader reports it with the file and the key
  }
}

/**
 * The base model's configuration, parameter count and weight-file bytes: a checkpoint's from its
 * config.json (F32 in memory: 4 bytes a parameter, whatever the file's dtype), else the preset's.
 */
function modelConfigOf(s: Obj, vocab: number): { config: Sized; params: number; fields: Record<string, number>; fileBytes: number } {
  const m = obj(s['model']);
  const over = obj(m['overrides']);
  const ck = m['checkpoint'];
  if (typeof ck === 'string') {
    const dir = ck === 'default' ? DEFAULT_CHECKPOINT_DIR : ck;
    let bytes = 0;
    try {
      if (existsSync(dir) && statSync(dir).isDirectory()) {
        for (const f of readdirSync(dir)) if (/\.(bin|safetensors)$/.test(f)) bytes += statSync(join(dir, f)).size;
      }
    } catch { /* unreadable: the loader reports it */ }
    const config = existsSync(join(dir, 'config.json')) ? checkpointConfig(dir) : undefined;
    if (config) return { config: config as Sized, params: countParameters(config), fields: {}, fileBytes: bytes };
    // no readable config (a placeholder path, say): the shape is unknown, so no activation is charged and
    // the files' bytes count as F32 values; the loader reports the folder with the file and the key
    const unknown = { ...PRESETS['gpt-small'], vocabSize: 0, hidden: 0, layers: 0, intermediate: 0, maxPositions: 0 } as Sized;
    return { config: unknown, params: bytes / 4, fields: {}, fileBytes: bytes };
  }
  const name = typeof m['preset'] === 'string' && PRESETS[m['preset']] ? m['preset'] : (s['data'] && obj(s['data'])['dataset'] === 'spam') || s['split'] ? 'bert-small' : 'gpt-small';
  const p = PRESETS[name] as Sized;
  const H = num(over['hidden'], p.hidden), L = num(over['layers'], p.layers), I = num(over['intermediate'], p.intermediate);
  const heads = num(over['heads'], p.heads), P = num(over['maxPositions'], p.maxPositions);
  const config = { ...p, hidden: H, layers: L, intermediate: I, heads, maxPositions: P, vocabSize: Math.max(vocab, 2) } as typeof p;
  const params = config.vocabSize * H + P * H + L * (4 * H * H + 2 * H * I + 10 * H);
  const fields: Record<string, number> = { 'model.overrides.hidden': H, 'model.overrides.layers': L, 'model.overrides.intermediate': I, 'data.vocab_size': config.vocabSize };
  return { config, params, fields, fileBytes: 0 };
}

// ── the wasm heap ─────────────────────────────────────────────────────────────────────────────────

/** tfjs-wasm's heap: 32-bit addresses. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

export interface WasmHeapEstimate {
  bytes: number;
  /** resident weights (F32) */
  weightBytes: number;
  /** activations of the largest training pass */
  activationBytes: number;
  /** tokens in that pass, and what one token costs */
  tokens: number;
  bytesPerToken: number;
}

/**
 * Wasm-heap bytes of the largest training pass, or undefined where nothing runs on tfjs (PHY runs) or
 * the backend is not wasm (`backend: node | cpu` keep tensors outside it).
 */
export function estimateWasmHeap(scenario: unknown): WasmHeapEstimate | undefined {
  const s = obj(scenario);
  if (s['backend'] === 'node' || s['backend'] === 'cpu') return undefined;
  if (s['fl'] !== undefined) {
    const fl = obj(s['fl']);
    const data = obj(s['data']);
    const model = modelConfigOf(s, num(data['vocab_size'], 1024));
    const T = num(data['seq_len'], 64);
    const slots = fl['mode'] === 'loop' ? 1 : flSlots(fl);
    const perToken = trainingBytesPerToken(model.config, T, isCausalLm(model.config) ? model.config.vocabSize : 0);
    const tokens = slots * num(fl['batch_size'], 8) * T;
    const lora = 4 * 6 * adapterSize(model.config, num(obj(s['lora'])['r'], 8), obj(s['lora'])['target_modules']) * Math.max(slots, 2);
    return { bytes: 4 * model.params + tokens * perToken + lora, weightBytes: 4 * model.params, activationBytes: tokens * perToken, tokens, bytesPerToken: perToken };
  }
  if (s['split'] !== undefined) {
    const sp = obj(s['split']);
    const tasks = Array.isArray(sp['tasks']) ? sp['tasks'] : [{}];
    const T = Math.max(...tasks.map((t) => num(obj(t)['seq_len'], 32)));
    const V = Math.max(...tasks.map((t) => num(obj(t)['vocab_size'], 512)));
    const model = modelConfigOf({ ...s, model: { preset: 'bert-small', ...obj(s['model']) } }, V);
    // the server runs the scheduled rows in passes that fit (src/split/memory.ts)
    const rows = Math.min(num(sp['devices'], 10) * num(sp['batch_size'], 8), serverPassRows(model.config, T));
    const perToken = trainingBytesPerToken(model.config, T);
    return { bytes: 4 * model.params + rows * T * perToken, weightBytes: 4 * model.params, activationBytes: rows * T * perToken, tokens: rows * T, bytesPerToken: perToken };
  }
  return undefined;
}

/** Clients trained in one batched pass (the round's selection). */
function flSlots(fl: Obj): number {
  const K = num(fl['clients'], 10);
  const sel = obj(fl['selection']);
  return sel['count'] !== undefined ? Math.min(K, num(sel['count'], K)) : Math.max(1, Math.ceil(K * num(sel['fraction'], 1)));
}

/**
 * Refuse a training scenario whose largest pass cannot fit in the 4 GiB wasm heap, naming the field:
 * `fl.mode` when batched clients overflow it but one client at a time fits (how many fit, and
 * `mode: loop`), else the batch or sequence length.
 */
export function checkWasmHeap(scenario: unknown): WasmHeapEstimate | undefined {
  const est = estimateWasmHeap(scenario);
  if (!est || est.bytes <= WASM_HEAP_BYTES) return est;
  const s = obj(scenario);
  const free = WASM_HEAP_BYTES - est.weightBytes - (est.bytes - est.weightBytes - est.activationBytes);
  const fitTokens = Math.max(0, Math.floor(free / est.bytesPerToken));
  const what = `about ${formatBytes(est.bytes)} of tfjs's wasm heap (weights ${formatBytes(est.weightBytes)}, activations ${formatBytes(est.activationBytes)} for ${est.tokens} tokens at ${formatBytes(est.bytesPerToken)} each), more than its ${formatBytes(WASM_HEAP_BYTES)} (32-bit addresses, whatever the machine has)`;
  if (s['fl'] !== undefined) {
    const fl = obj(s['fl']);
    const B = num(fl['batch_size'], 8);
    const T = num(obj(s['data'])['seq_len'], 64);
    const perClient = B * T;
    const slots = fl['mode'] === 'loop' ? 1 : flSlots(fl);
    if (slots > 1 && fitTokens >= perClient) {
      const n = Math.floor(fitTokens / perClient);
      throw new UserInputError(`fl.mode: batched trains ${slots} clients in one pass: ${what}; ${n} client${n === 1 ? '' : 's'} of ${B} × ${T} tokens fit${n === 1 ? 's' : ''}; use mode: loop (one client at a time${n > 1 ? `, or select at most ${n} clients a round` : ''})`, 'fl.mode');
    }
    const b = Math.floor(fitTokens / T);
    throw new UserInputError(`fl.batch_size: ${B} is too large: one client's step (${B} × ${T} tokens${slots > 1 ? `, ${slots} clients batched` : ''}) needs ${what}; ${b >= 1 ? `at most ${b} sequence${b === 1 ? '' : 's'} of ${T} tokens fit${slots > 1 ? ' with mode: loop' : ''}` : `not even one sequence of ${T} tokens fits: lower data.seq_len or use a smaller model`}`, 'fl.batch_size');
  }
  throw new UserInputError(`split.tasks: seq_len is too large for this model: one server pass of ${est.tokens} tokens needs ${what}; lower split.tasks[].seq_len or use a smaller model`, 'split.tasks.seq_len');
}

/** LoRA adapter entries: exact from the model's modules when the targets resolve, else every block's q/v. */
function adapterSize(config: ModelConfig & { hidden: number; layers: number }, r: number, targets: unknown): number {
  const t = Array.isArray(targets) && targets.every((x) => typeof x === 'string') && targets.length ? targets as string[] : ['query', 'value'];
  if (config.hidden <= 1e6 && config.layers <= 1e4) {
    try {
      return countLora(config, { r: 1, lora_alpha: 1, lora_dropout: 0, target_modules: t }).total * r;
    } catch { /* unknown module names: the loader reports them; estimate below */ }
  }
  return config.layers * t.length * 2 * config.hidden * r;
}

// ── the limit ─────────────────────────────────────────────────────────────────────────────────────

let explicitLimit: number | undefined;

/** Set the limit for this process (`--max-memory`); undefined restores the default. */
export function setMemoryLimit(bytes: number | undefined): void {
  explicitLimit = bytes;
}

/** The limit in bytes: `--max-memory`, else AIRLORA_MAX_MEMORY, else the memory free now. */
export function memoryLimit(): { bytes: number; source: string } {
  if (explicitLimit !== undefined) return { bytes: explicitLimit, source: '--max-memory' };
  const env = process.env['AIRLORA_MAX_MEMORY'];
  if (env !== undefined && env !== '') return { bytes: parseMemorySize(env, 'AIRLORA_MAX_MEMORY'), source: 'AIRLORA_MAX_MEMORY' };
  let free = freemem();
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  if (constrained && constrained > 0 && constrained < free) free = constrained;
  return { bytes: free, source: 'the free memory of this machine' };
}

/** '8G', '512M', '1.5GiB', '2TB', '1e9' (bytes) → bytes. Units are powers of 1024. */
export function parseMemorySize(text: string, field = '--max-memory'): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  const scale: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
  const v = m ? Number(m[1]) * scale[m[2]!.toLowerCase()]! : NaN;
  if (!m || !Number.isFinite(v) || v <= 0) {
    throw new UserInputError(`${field}: '${text}' is not a memory size; expected a number with an optional unit, e.g. 8G, 512M, 1.5GiB`, field);
  }
  return Math.floor(v);
}

export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return String(b);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return `${b >= 100 || i === 0 ? b.toFixed(0) : b.toPrecision(3)} ${units[i]}`;
}

/**
 * Refuse a scenario whose estimated memory exceeds `limitBytes` (default: `memoryLimit()`), naming the
 * field that grew it most (against its default) and the estimate; then one whose training pass cannot
 * fit in the wasm heap (`checkWasmHeap`). Returns the estimate otherwise.
 */
export function checkMemory(scenario: unknown, limitBytes?: number): MemoryEstimate {
  const est = estimateMemory(scenario);
  const limit = limitBytes !== undefined ? { bytes: limitBytes, source: 'the limit given' } : memoryLimit();
  if (est.bytes <= limit.bytes) {
    checkWasmHeap(scenario);
    return est;
  }
  const worst = est.terms.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const blame = Object.entries(worst.fields).reduce<[string, number, number]>((best, [f, v]) => {
    const ratio = v / (DEFAULTS[f] ?? 1);
    return ratio > best[2] ? [f, v, ratio] : best;
  }, ['', 0, -Infinity]);
  const field = blame[0] || Object.keys(worst.fields)[0] || 'scenario';
  const factors = Object.entries(worst.fields).map(([f, v]) => `${f} = ${v}`).join(', ');
  const shown = field === 'sweep.grid' ? `${blame[1]} jobs` : String(blame[1]);
  throw new UserInputError(
    `${field}: ${shown} is too large: the run would need about ${formatBytes(est.bytes)} of memory (${worst.what}: ${formatBytes(worst.bytes)}, from ${factors}), more than ${formatBytes(limit.bytes)} (${limit.source}); lower ${field}, or raise the limit with --max-memory SIZE`,
    field);
}
