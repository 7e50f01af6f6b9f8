/**
 * Model checkpoints on disk (format documented in docs/checkpoint.md):
 *
 *   <dir>/config.json     { format: 'airlora-checkpoint', version: 1, model: ModelConfig,
 *                           dtype: 'float32', byteOrder: 'little',
 *                           params: [{ name, shape, offset }], metadata: {...} }
 *   <dir>/tokenizer.json  the tokenizer's JSON (optional)
 *   <dir>/weights.bin     every parameter as little-endian float32, concatenated in `params` order
 *                         (offset in floats)
 *   <dir>/SHA256SUMS      `sha256sum` format: "<hex>  <file>" for each of the files above
 *
 * Loading verifies every checksum first; a mismatch or a missing file is a UserInputError naming it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../errors.js';
import { validateModelConfig, type ModelConfig } from './config.js';
import { numel, parameterSpecs } from './params.js';
import type { ModelWeights, PretrainedModel } from './weights.js';

export const CHECKPOINT_FORMAT = 'airlora-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointConfig {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  model: ModelConfig;
  dtype: 'float32';
  byteOrder: 'little';
  params: { name: string; shape: number[]; offset: number }[];
  metadata: Record<string, unknown>;
}

/** The committed default checkpoint (pre-trained small GPT on the Brown corpus). */
export const DEFAULT_CHECKPOINT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../checkpoints/gpt-brown-small');
/** The committed BERT encoder (masked-LM pre-training on the Brown corpus), for classification. */
export const DEFAULT_BERT_CHECKPOINT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../checkpoints/bert-brown-small');

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function writeAtomic(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Write a checkpoint; returns the SHA-256 of each file. */
export async function saveCheckpoint(dir: string, model: PretrainedModel): Promise<Record<string, string>> {
  mkdirSync(dir, { recursive: true });
  const specs = parameterSpecs(model.config);
  const total = specs.reduce((s, p) => s + numel(p.shape), 0);
  const flat = new Float32Array(total);
  const params: CheckpointConfig['params'] = [];
  let off = 0;
  for (const p of specs) {
    const t = model.weights[p.name];
    if (!t) throw new UserInputError(`saveCheckpoint: missing parameter '${p.name}'`, 'model.weights');
    if (t.shape.join(',') !== p.shape.join(',')) throw new UserInputError(`saveCheckpoint: '${p.name}' has shape [${t.shape}] but the config says [${p.shape}]`, 'model.weights');
    flat.set(await t.data() as Float32Array, off);
    params.push({ name: p.name, shape: p.shape, offset: off });
    off += numel(p.shape);
  }
  // Float32Array is little-endian on every platform Node runs on; check rather than assume.
  if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f) throw new Error('saveCheckpoint: big-endian host not supported');
  const files: Record<string, Uint8Array | string> = {
    'config.json': JSON.stringify({
      format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, model: model.config, dtype: 'float32', byteOrder: 'little',
      params, metadata: model.metadata ?? {},
    } satisfies CheckpointConfig, null, 2) + '\n',
    'weights.bin': new Uint8Array(flat.buffer),
  };
  if (model.tokenizer !== undefined) files['tokenizer.json'] = JSON.stringify(model.tokenizer) + '\n';
  const sums: Record<string, string> = {};
  for (const [name, data] of Object.entries(files)) {
    writeAtomic(join(dir, name), data);
    sums[name] = sha256(data);
  }
  writeAtomic(join(dir, 'SHA256SUMS'), Object.entries(sums).map(([n, h]) => `${h}  ${n}\n`).join(''));
  return sums;
}

/** Check every file listed in SHA256SUMS; returns the listed names. */
export function verifyCheckpoint(dir: string): string[] {
  const sumsPath = join(dir, 'SHA256SUMS');
  if (!existsSync(sumsPath)) throw new UserInputError(`checkpoint ${dir}: no SHA256SUMS file (not a checkpoint folder?)`, 'checkpoint');
  const names: string[] = [];
  for (const line of readFileSync(sumsPath, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (!m) continue;
    const [, want, name] = m as unknown as [string, string, string];
    const path = join(dir, name);
    if (!existsSync(path)) throw new UserInputError(`checkpoint ${dir}: ${name} is listed in SHA256SUMS but missing`, 'checkpoint');
    const got = sha256(readFileSync(path));
    if (got !== want) {
      throw new UserInputError(
        `checkpoint ${dir}: SHA-256 mismatch for ${name} (expected ${want}, got ${got}); the file is corrupt or was modified — restore it (git checkout) or rebuild it with \`airlora pretrain\``,
        'checkpoint',
      );
    }
    names.push(name);
  }
  for (const required of ['config.json', 'weights.bin']) {
    if (!names.includes(required)) throw new UserInputError(`checkpoint ${dir}: SHA256SUMS does not list ${required}`, 'checkpoint');
  }
  return names;
}

/** Read and validate config.json only (no weights), after verifying checksums unless `verify` is false. */
export function readCheckpointConfig(dir: string, verify = true): CheckpointConfig {
  if (verify) verifyCheckpoint(dir);
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as CheckpointConfig;
  if (cfg.format !== CHECKPOINT_FORMAT || cfg.version !== CHECKPOINT_VERSION) {
    throw new UserInputError(`checkpoint ${dir}: config.json format ${cfg.format} v${cfg.version}; expected ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION}`, 'checkpoint');
  }
  validateModelConfig(cfg.model, 'checkpoint.model');
  return cfg;
}

/** Load a checkpoint (checksums verified) into frozen tensors. */
export function loadCheckpoint(dir: string = DEFAULT_CHECKPOINT_DIR): PretrainedModel {
  if (!existsSync(dir)) {
    throw new UserInputError(`checkpoint ${dir}: folder not found (build the default one with \`airlora pretrain\`)`, 'checkpoint');
  }
  const names = verifyCheckpoint(dir);
  const cfg = readCheckpointConfig(dir, false);
  const buf = readFileSync(join(dir, 'weights.bin'));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const weights: ModelWeights = {};
  const byName = new Map(cfg.params.map((p) => [p.name, p]));
  for (const spec of parameterSpecs(cfg.model)) {
    const p = byName.get(spec.name);
    if (!p || p.shape.join(',') !== spec.shape.join(',')) {
      throw new UserInputError(`checkpoint ${dir}: parameter ${spec.name} missing or of the wrong shape`, 'checkpoint');
    }
    const n = numel(spec.shape);
    if (p.offset + n > all.length) throw new UserInputError(`checkpoint ${dir}: weights.bin too short for ${spec.name}`, 'checkpoint');
    weights[spec.name] = tf.tensor(all.subarray(p.offset, p.offset + n), spec.shape, 'float32');
  }
  const tokenizer = names.includes('tokenizer.json') ? JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as unknown : undefined;
  return { config: cfg.model, weights, metadata: cfg.metadata, tokenizer };
}
