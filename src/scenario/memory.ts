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
 *   activation slots × batch × T × (L·(8H + 2I + heads·T) + V), ×3 for the backward pass
 *   LoRA       adapter vector × slots × 6 (adapters, gradient, two Adam moments, upload, aggregate)
 *   clients    per-client data and bookkeeping (~4 KiB each)
 *   sweep      one resolved scenario (and its results row) per job, ×4
 * It is deliberately coarse (within a small factor): its purpose is to refuse sizes that cannot fit,
 * not to plan a machine. The default limit is the memory free now (`os.freemem()`, or the cgroup limit
 * if lower); `--max-memory SIZE` (or AIRLORA_MAX_MEMORY) changes it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import { join } from 'node:path';
import { UserInputError } from '../errors.js';
import { PRESETS, type ModelConfig } from '../models/config.js';
import { countLora } from '../lora/config.js';
import { DEFAULT_CHECKPOINT_DIR } from '../models/checkpoint.js';

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
    add('frozen base model', 4 * model.params, { ...model.fields });
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
    add('frozen base model', 4 * model.params, { ...model.fields });
    add('activations of one split round', 4 * 3 * K * B * T * model.config.layers * (8 * model.config.hidden + 2 * model.config.intermediate + model.config.heads * T),
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

/** The base model's configuration and parameter count, from the checkpoint folder or the preset. */
function modelConfigOf(s: Obj, vocab: number): { config: ModelConfig & { hidden: number; layers: number; heads: number; intermediate: number; vocabSize: number }; params: number; fields: Record<string, number> } {
  const m = obj(s['model']);
  const over = obj(m['overrides']);
  const ck = m['checkpoint'];
  if (typeof ck === 'string') {
    // a checkpoint's size is its weight files (float32 on disk as in memory)
    const dir = ck === 'default' ? DEFAULT_CHECKPOINT_DIR : ck;
    let bytes = 0;
    try {
      if (existsSync(dir) && statSync(dir).isDirectory()) {
        for (const f of readdirSync(dir)) if (/\.(bin|safetensors)$/.test(f)) bytes += statSync(join(dir, f)).size;
      }
    } catch { /* unreadable: the loader reports it */ }
    const base = PRESETS['gpt-small'] as ModelConfig & { hidden: number; layers: number; heads: number; intermediate: number; vocabSize: number };
    return { config: base, params: bytes / 4, fields: {} };
  }
  const name = typeof m['preset'] === 'string' && PRESETS[m['preset']] ? m['preset'] : (s['data'] && obj(s['data'])['dataset'] === 'spam') || s['split'] ? 'bert-small' : 'gpt-small';
  const p = PRESETS[name] as ModelConfig & { hidden: number; layers: number; heads: number; intermediate: number; vocabSize: number };
  const H = num(over['hidden'], p.hidden), L = num(over['layers'], p.layers), I = num(over['intermediate'], p.intermediate);
  const heads = num(over['heads'], p.heads), P = num(over['maxPositions'], p.maxPositions);
  const config = { ...p, hidden: H, layers: L, intermediate: I, heads, maxPositions: P, vocabSize: Math.max(vocab, 2) } as typeof p;
  const params = config.vocabSize * H + P * H + L * (4 * H * H + 2 * H * I + 10 * H);
  const fields: Record<string, number> = { 'model.overrides.hidden': H, 'model.overrides.layers': L, 'model.overrides.intermediate': I, 'data.vocab_size': config.vocabSize };
  return { config, params, fields };
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
 * field that grew it most (against its default) and the estimate. Returns the estimate otherwise.
 */
export function checkMemory(scenario: unknown, limitBytes?: number): MemoryEstimate {
  const est = estimateMemory(scenario);
  const limit = limitBytes !== undefined ? { bytes: limitBytes, source: 'the limit given' } : memoryLimit();
  if (est.bytes <= limit.bytes) return est;
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
