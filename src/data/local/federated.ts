/**
 * Federated clients over a local dataset (`data.dataset: local`), with the same `FederatedData`
 * interface as the built-in corpora (src/data/federated.ts), so the trainer runs them unchanged.
 *
 * Partitions: `iid`, `dirichlet` over labels, `one-label` (classifier labels, or the key column), and
 * `key`: whole groups of a natural key column (e.g. Dolly's `category`) go to clients, largest group
 * first to the client with the fewest examples (deterministic; ties to the lower client index).
 * Train/test: the folder's validation file when there is one (dealt to clients by the same partition
 * kind, from its own stream), else `test_fraction` of each client's share.
 *
 * Batches (typed arrays):
 *  - lm: items concatenated with EOS between them; random windows of T + 1 tokens, as for Brown;
 *  - instruction: prompt + response + EOS, cut to T + 1; targets are the next tokens, and the mask
 *    counts only targets inside the response (and its EOS): the loss is on the response only;
 *  - classifier: the tokenizer's pair encoding ([CLS] a [SEP] b [SEP]) cut to T, padded, with the
 *    attention mask and segment ids (`segments`).
 * Random streams: 'partition', 'partition-validation', ('data-split', k), and the trainer's batch streams.
 */
import type { Rng, RandomStreams } from '../../random/streams.js';
import { UserInputError } from '../../errors.js';
import { partition, trainTestSplit, type PartitionSpec } from '../partition.js';
import type { ClientData, FederatedData, IntBatch, TaskKind } from '../federated.js';
import { labelIndex, loadLocalDataset, type LocalDataOptions, type LocalDataset, type LocalExample } from './examples.js';
import type { TextTokenizer } from './text-tokenizer.js';
import type { LocalPartitionSpec } from './options.js';

export type { LocalPartitionSpec } from './options.js';

export interface LocalDataConfig extends LocalDataOptions {
  partition: LocalPartitionSpec;
  testFraction: number;
  seqLen: number;
  evalPerClient: number;
  maxItems?: number;
}

/** A classifier batch may carry segment ids (sentence pairs). */
export interface LocalIntBatch extends IntBatch {
  /** [B, T] segment (token type) ids. */
  segments?: Int32Array;
}

export interface LocalPrepared {
  kind: TaskKind;
  task: LocalDataset['task'];
  numClasses: number;
  labels?: string[];
  /** Every client's training texts (never test texts): what a tokenizer may be trained on. */
  trainTexts: string[];
  /** Client k's train and test examples (ids of the dataset's examples). */
  splits: { train: LocalExample[]; test: LocalExample[] }[];
  withTokenizer(tok: TextTokenizer): FederatedData;
}

/** Groups of `keys` dealt whole to clients, largest first to the least loaded client. */
export function partitionByKey(keys: readonly string[], numClients: number): number[][] {
  const groups = new Map<string, number[]>();
  keys.forEach((k, i) => {
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(i);
  });
  if (groups.size < numClients) {
    throw new UserInputError(`data.partition: the key column has ${groups.size} distinct values, fewer than the ${numClients} clients`, 'data.partition');
  }
  const order = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const parts: number[][] = Array.from({ length: numClients }, () => []);
  for (const [, items] of order) {
    let best = 0;
    for (let k = 1; k < numClients; k++) if (parts[k]!.length < parts[best]!.length) best = k;
    parts[best]!.push(...items);
  }
  return parts.map((p) => p.sort((a, b) => a - b));
}

function partitionExamples(ex: LocalExample[], numClients: number, spec: LocalPartitionSpec, rng: Rng, task: string): number[][] {
  if (spec.kind === 'key') {
    const missing = ex.findIndex((e) => e.key === undefined);
    if (missing >= 0) throw new UserInputError(`data.partition: kind key needs data.key_field (or a 'category' column of instruction data)`, 'data.key_field');
    return partitionByKey(ex.map((e) => e.key!), numClients);
  }
  if (spec.kind !== 'iid' && ex.some((e) => e.label === undefined)) {
    throw new UserInputError(`data.partition: ${spec.kind} needs labels; ${task} data has none (set data.key_field, or use iid)`, 'data.partition');
  }
  return partition(ex.map((e) => e.label ?? ''), numClients, spec, rng);
}

/** Read, partition and split a local dataset (tokenisation comes after). */
export function prepareLocalData(cfg: LocalDataConfig, numClients: number, streams: RandomStreams): LocalPrepared {
  if (!Number.isInteger(cfg.seqLen) || cfg.seqLen < 2) throw new UserInputError(`data.seq_len: ${cfg.seqLen} must be an integer ≥ 2`, 'data.seq_len');
  const ds = loadLocalDataset(cfg);
  let train = ds.train;
  if (cfg.maxItems !== undefined && cfg.maxItems < train.length) {
    train = streams.stream('data-subset').sample(train.length, cfg.maxItems).sort((a, b) => a - b).map((i) => train[i]!);
  }
  const parts = partitionExamples(train, numClients, cfg.partition, streams.stream('partition'), ds.task);
  let splits: { train: LocalExample[]; test: LocalExample[] }[];
  if (ds.validation?.length) {
    const vparts = partitionExamples(ds.validation, numClients, cfg.partition, streams.stream('partition-validation'), ds.task);
    splits = parts.map((p, k) => ({ train: p.map((i) => train[i]!), test: vparts[k]!.map((i) => ds.validation![i]!) }));
  } else {
    splits = parts.map((p, k) => {
      if (p.length < 2) throw new UserInputError(`data.partition: client ${k} got ${p.length} items; need ≥ 2 for a train/test split`, 'data.partition');
      const s = trainTestSplit(p, cfg.testFraction, streams.stream('data-split', k));
      return { train: s.train.map((i) => train[i]!), test: s.test.map((i) => train[i]!) };
    });
  }
  splits.forEach((s, k) => {
    if (!s.train.length || !s.test.length) throw new UserInputError(`data.partition: client ${k} has ${s.train.length} train / ${s.test.length} test examples; need ≥ 1 of each`, 'data.partition');
  });
  const kind: TaskKind = ds.task === 'classifier' ? 'classifier' : 'lm';
  const numClasses = ds.labels?.length ?? 1;
  return {
    kind, task: ds.task, numClasses, ...(ds.labels ? { labels: ds.labels } : {}), splits,
    trainTexts: splits.flatMap((s) => s.train.map((e) => (e.pair !== undefined ? `${e.text} ${e.pair}` : e.text))),
    withTokenizer: (tok) => ({
      kind, numClasses, seqLen: cfg.seqLen,
      clients: splits.map((s, k) => (ds.task === 'lm' ? lmClient : ds.task === 'instruction' ? instructionClient : classifierClient)(k, s.train, s.test, tok, cfg, ds)),
    }),
  };
}

function counts(ex: LocalExample[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const e of ex) { const l = e.label ?? e.key ?? 'all'; c[l] = (c[l] ?? 0) + 1; }
  return c;
}

function evenly(n: number, E: number): number[] {
  return Array.from({ length: E }, (_, e) => (E <= n ? Math.floor((e * n) / E) : e % n));
}

function lmClient(index: number, train: LocalExample[], test: LocalExample[], tok: TextTokenizer, cfg: LocalDataConfig): ClientData {
  const T = cfg.seqLen;
  const eos = tok.eosId;
  const stream = (ex: LocalExample[]) => {
    const ids: number[] = [];
    for (const e of ex) { for (const id of tok.encode(e.text)) ids.push(id); if (eos !== undefined) ids.push(eos); }
    return Int32Array.from(ids);
  };
  const tr = stream(train), te = stream(test);
  if (tr.length < T + 1 || te.length < T + 1) {
    throw new UserInputError(`data.seq_len: client ${index} has ${tr.length} train / ${te.length} test tokens, fewer than seq_len + 1 = ${T + 1}`, 'data.seq_len');
  }
  const windows = (src: Int32Array, starts: number[]): IntBatch => {
    const B = starts.length, tokens = new Int32Array(B * T), targets = new Int32Array(B * T);
    starts.forEach((s, b) => { tokens.set(src.subarray(s, s + T), b * T); targets.set(src.subarray(s + 1, s + T + 1), b * T); });
    return { size: B, seqLen: T, tokens, targets };
  };
  const E = cfg.evalPerClient, span = te.length - (T + 1);
  const evalB = windows(te, Array.from({ length: E }, (_, e) => (E === 1 ? 0 : Math.round((e * span) / (E - 1)))));
  return {
    index, size: tr.length, trainItems: train.map((e) => e.id), testItems: test.map((e) => e.id), labelCounts: counts(train),
    sampleBatch: (rng, B) => windows(tr, Array.from({ length: B }, () => rng.int(tr.length - T))),
    evalBatch: () => evalB,
  };
}

/** prompt + response + EOS → (tokens, next-token targets, mask on response targets), cut/padded to T. */
export function encodeInstruction(e: LocalExample, tok: TextTokenizer, T: number): { tokens: number[]; targets: number[]; mask: number[] } {
  const p = tok.encode(e.prompt ?? '');
  const r = [...tok.encode(e.response ?? ''), ...(tok.eosId !== undefined ? [tok.eosId] : [])];
  const all = [...p, ...r].slice(0, T + 1);
  const tokens: number[] = [], targets: number[] = [], mask: number[] = [];
  for (let t = 0; t < T; t++) {
    const has = t + 1 < all.length;
    tokens.push(t < all.length ? all[t]! : tok.padId);
    targets.push(has ? all[t + 1]! : tok.padId);
    // Target t+1 is a response token when its position is ≥ the prompt length.
    mask.push(has && t + 1 >= p.length ? 1 : 0);
  }
  return { tokens, targets, mask };
}

function instructionClient(index: number, train: LocalExample[], test: LocalExample[], tok: TextTokenizer, cfg: LocalDataConfig): ClientData {
  const T = cfg.seqLen;
  const enc = (ex: LocalExample[]) => ex.map((e) => encodeInstruction(e, tok, T));
  const tr = enc(train), te = enc(test);
  const counted = tr.reduce((s, e) => s + e.mask.reduce((a, b) => a + b, 0), 0);
  if (!counted) throw new UserInputError(`data.seq_len: ${T} leaves no response token of client ${index} inside the window (prompts are longer); raise seq_len`, 'data.seq_len');
  const build = (src: typeof tr, rows: number[]): IntBatch => {
    const B = rows.length, tokens = new Int32Array(B * T), targets = new Int32Array(B * T), mask = new Float32Array(B * T);
    rows.forEach((r, b) => { const e = src[r]!; tokens.set(e.tokens, b * T); targets.set(e.targets, b * T); mask.set(e.mask, b * T); });
    return { size: B, seqLen: T, tokens, targets, mask };
  };
  const evalB = build(te, evenly(te.length, cfg.evalPerClient));
  return {
    index, size: counted, trainItems: train.map((e) => e.id), testItems: test.map((e) => e.id), labelCounts: counts(train),
    sampleBatch: (rng, B) => build(tr, Array.from({ length: B }, () => rng.int(tr.length))),
    evalBatch: () => evalB,
  };
}

/** Classifier examples through the tokenizer's pair encoding, with their label indices. */
export function encodeClassifierExamples(ex: LocalExample[], tok: TextTokenizer, labels: string[], path: string): { ids: number[]; typeIds: number[]; y: number }[] {
  return ex.map((e) => ({ ...tok.encodePair(e.text, e.pair), y: labelIndex(labels, e.label!, path) }));
}

/** Rows of encoded classifier examples cut to T, padded with `padId`, with the attention mask and segment ids. */
export function classifierRows(src: { ids: number[]; typeIds: number[]; y: number }[], rows: number[], T: number, padId: number): LocalIntBatch {
  const B = rows.length;
  const tokens = new Int32Array(B * T).fill(padId), segments = new Int32Array(B * T), mask = new Float32Array(B * T), lab = new Int32Array(B);
  rows.forEach((r, b) => {
    const e = src[r]!;
    const n = Math.min(T, e.ids.length);
    tokens.set(e.ids.slice(0, n), b * T);
    segments.set(e.typeIds.slice(0, n), b * T);
    mask.fill(1, b * T, b * T + n);
    lab[b] = e.y;
  });
  return { size: B, seqLen: T, tokens, labels: lab, mask, segments };
}

function classifierClient(index: number, train: LocalExample[], test: LocalExample[], tok: TextTokenizer, cfg: LocalDataConfig, ds: LocalDataset): ClientData {
  const T = cfg.seqLen;
  const labels = ds.labels!;
  const tr = encodeClassifierExamples(train, tok, labels, cfg.path), te = encodeClassifierExamples(test, tok, labels, cfg.path);
  const build = (src: typeof tr, rows: number[]): LocalIntBatch => classifierRows(src, rows, T, tok.padId);
  const evalB = build(te, evenly(te.length, cfg.evalPerClient));
  return {
    index, size: tr.length, trainItems: train.map((e) => e.id), testItems: test.map((e) => e.id), labelCounts: counts(train),
    sampleBatch: (rng, B) => build(tr, Array.from({ length: B }, () => rng.int(tr.length))),
    evalBatch: () => evalB,
  };
}
