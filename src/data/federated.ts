/**
 * Federated datasets: items (Brown paragraphs or SpamAssassin messages) partitioned among K clients,
 * each client's share split into disjoint train/test sets, tokenised, and served as fixed-shape
 * integer batches. No tfjs here: batches are typed arrays, the trainer turns them into tensors.
 *
 * Random streams (all from the scenario seed):
 *   'partition'             → which client gets which item
 *   'data-split', k         → client k's train/test cut
 *   'batch', round, k, step → the examples of client k's local step (keyed by round: resumable)
 *
 * Language modelling: a client's train items are tokenised and concatenated (EOS between items) into
 * one stream; a training example is a random window of T + 1 tokens (input = first T, target = last T).
 * Test windows are fixed: `evalPerClient` evenly spaced windows of the test stream.
 * Classification: an example is [CLS] + tokens, cut or padded to T, with a 0/1 attention mask; the
 * fixed evaluation examples are `evalPerClient` test examples evenly spaced over the test set.
 * Data-size weights φ_k are the numbers of training tokens (LM) or training examples (classification).
 */
import type { Rng, RandomStreams } from '../random/streams.js';
import { UserInputError } from '../errors.js';
import { brownParagraphs, FINETUNE_GENRES } from './brown.js';
import { loadSpamAssassin, SPAM_LABELS } from './spam.js';
import { partition, splittable, trainTestSplit, type PartitionSpec } from './partition.js';
import { CLS_ID, EOS_ID, PAD_ID, Tokenizer } from './tokenizer.js';
import type { LocalDataOptions, LocalPartitionSpec } from './local/options.js';

export type TaskKind = 'lm' | 'classifier';

export interface DataConfig {
  /** 'local': the user's own files, read by src/data/local (its options in `local`). */
  dataset: 'brown' | 'spam' | 'local';
  local?: LocalDataOptions & { partition: LocalPartitionSpec };
  /** Brown genres to use (default: the fine-tuning genres). */
  genres?: readonly string[];
  partition: PartitionSpec;
  /** Fraction of each client's items held out for testing. */
  testFraction: number;
  /** Sequence length T. */
  seqLen: number;
  /** Use at most this many items in total (a seeded subset; for quick runs). */
  maxItems?: number;
  /** Fixed evaluation examples per client. */
  evalPerClient: number;
}

/** One batch of B examples (row-major [B, T]). */
export interface IntBatch {
  size: number;
  seqLen: number;
  tokens: Int32Array;
  /** LM: next-token targets [B, T]. */
  targets?: Int32Array;
  /** Classification: labels [B]. */
  labels?: Int32Array;
  /** Classification: attention mask [B, T] (1 = real token). */
  mask?: Float32Array;
  /** Classification of sentence pairs: segment (token type) ids [B, T]. */
  segments?: Int32Array;
}

export interface ClientData {
  index: number;
  /** Data-size weight numerator: training tokens (LM) or training examples (classification). */
  size: number;
  /** Ids of the items in this client's train and test sets (for audits and tests). */
  trainItems: string[];
  testItems: string[];
  /** Class or genre mix, e.g. { fiction: 12 } (train items). */
  labelCounts: Record<string, number>;
  sampleBatch(rng: Rng, batchSize: number): IntBatch;
  /** The fixed evaluation examples (same every call). */
  evalBatch(): IntBatch;
}

export interface FederatedData {
  kind: TaskKind;
  numClasses: number;
  seqLen: number;
  clients: ClientData[];
}

interface Item { id: string; label: string; labelIndex: number; text: string }

function loadItems(cfg: DataConfig): { items: Item[]; kind: TaskKind; numClasses: number } {
  if (cfg.dataset === 'brown') {
    const genres = cfg.genres ?? FINETUNE_GENRES;
    const items = brownParagraphs(genres).map((p) => ({ id: p.id, label: p.genre, labelIndex: genres.indexOf(p.genre), text: p.text }));
    return { items, kind: 'lm', numClasses: genres.length };
  }
  if (cfg.dataset === 'spam') {
    const items = loadSpamAssassin().filter((m) => m.text.length > 0)
      .map((m) => ({ id: m.id, label: SPAM_LABELS[m.label]!, labelIndex: m.label, text: m.text }));
    return { items, kind: 'classifier', numClasses: 2 };
  }
  throw new UserInputError(`data.dataset: '${String(cfg.dataset)}'; allowed: brown, spam (local data goes through src/data/local)`, 'data.dataset');
}

export interface PreparedData {
  kind: TaskKind;
  numClasses: number;
  /** Every client's training texts (never test texts): what a tokenizer may be trained on. */
  trainTexts: string[];
  /** Tokenise with `tok` and build the per-client batch servers. */
  withTokenizer(tok: Tokenizer): FederatedData;
}

/** Partition and split the items of `cfg` among `numClients` clients (tokenisation comes after). */
export function prepareFederatedData(cfg: DataConfig, numClients: number, streams: RandomStreams): PreparedData {
  if (!Number.isInteger(cfg.seqLen) || cfg.seqLen < 2) throw new UserInputError(`data.seqLen: ${cfg.seqLen} must be an integer ≥ 2`, 'data.seqLen');
  if (!Number.isInteger(cfg.evalPerClient) || cfg.evalPerClient < 1) throw new UserInputError(`data.evalPerClient: ${cfg.evalPerClient} must be a positive integer`, 'data.evalPerClient');
  const loaded = loadItems(cfg);
  let items = loaded.items;
  if (cfg.maxItems !== undefined && cfg.maxItems < items.length) {
    const keep = streams.stream('data-subset').sample(items.length, cfg.maxItems).sort((a, b) => a - b);
    items = keep.map((i) => items[i]!);
  }
  const labels = items.map((it) => it.label);
  // one-label without an explicit class list: Brown genres in the configured order, else sorted labels
  const spec: PartitionSpec = cfg.partition.kind === 'one-label' && !cfg.partition.classes && cfg.dataset === 'brown'
    ? { kind: 'one-label', classes: (cfg.genres ?? FINETUNE_GENRES).filter((g) => labels.includes(g)) }
    : splittable(cfg.partition);
  const parts = partition(labels, numClients, spec, streams.stream('partition'));
  const splits = parts.map((p, k) => {
    if (p.length < 2) throw new UserInputError(`data.partition: client ${k} got ${p.length} items; need ≥ 2 for a train/test split (fewer clients or more items)`, 'data.partition');
    return trainTestSplit(p, cfg.testFraction, streams.stream('data-split', k));
  });
  const { kind, numClasses } = loaded;
  return {
    kind, numClasses,
    trainTexts: splits.flatMap((s) => s.train.map((i) => items[i]!.text)),
    withTokenizer: (tok) => ({
      kind, numClasses, seqLen: cfg.seqLen,
      clients: splits.map((s, k) => (kind === 'lm' ? lmClient : clsClient)(k, s.train.map((i) => items[i]!), s.test.map((i) => items[i]!), tok, cfg)),
    }),
  };
}

function counts(items: Item[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const it of items) c[it.label] = (c[it.label] ?? 0) + 1;
  return c;
}

function stream(items: Item[], tok: Tokenizer): Int32Array {
  const ids: number[] = [];
  for (const it of items) {
    for (const id of tok.encode(it.text)) ids.push(id);
    ids.push(EOS_ID);
  }
  return Int32Array.from(ids);
}

function lmClient(index: number, train: Item[], test: Item[], tok: Tokenizer, cfg: DataConfig): ClientData {
  const T = cfg.seqLen;
  const trainIds = stream(train, tok);
  const testIds = stream(test, tok);
  if (trainIds.length < T + 1 || testIds.length < T + 1) {
    throw new UserInputError(`data.seqLen: client ${index} has ${trainIds.length} train / ${testIds.length} test tokens, fewer than seqLen + 1 = ${T + 1}`, 'data.seqLen');
  }
  const windows = (src: Int32Array, starts: number[]): IntBatch => {
    const B = starts.length;
    const tokens = new Int32Array(B * T), targets = new Int32Array(B * T);
    starts.forEach((s, b) => {
      tokens.set(src.subarray(s, s + T), b * T);
      targets.set(src.subarray(s + 1, s + T + 1), b * T);
    });
    return { size: B, seqLen: T, tokens, targets };
  };
  const E = cfg.evalPerClient;
  const span = testIds.length - (T + 1);
  const evalStarts = Array.from({ length: E }, (_, e) => (E === 1 ? 0 : Math.round((e * span) / (E - 1))));
  const evalB = windows(testIds, evalStarts);
  return {
    index, size: trainIds.length,
    trainItems: train.map((i) => i.id), testItems: test.map((i) => i.id), labelCounts: counts(train),
    sampleBatch: (rng, B) => windows(trainIds, Array.from({ length: B }, () => rng.int(trainIds.length - T))),
    evalBatch: () => evalB,
  };
}

function clsClient(index: number, train: Item[], test: Item[], tok: Tokenizer, cfg: DataConfig): ClientData {
  const T = cfg.seqLen;
  const encode = (items: Item[]) => items.map((it) => [CLS_ID, ...tok.encode(it.text)].slice(0, T));
  const trainEnc = encode(train), testEnc = encode(test);
  const build = (enc: number[][], labels: number[], rows: number[]): IntBatch => {
    const B = rows.length;
    const tokens = new Int32Array(B * T).fill(PAD_ID), mask = new Float32Array(B * T), lab = new Int32Array(B);
    rows.forEach((r, b) => {
      const e = enc[r]!;
      tokens.set(e, b * T);
      mask.fill(1, b * T, b * T + e.length);
      lab[b] = labels[r]!;
    });
    return { size: B, seqLen: T, tokens, labels: lab, mask };
  };
  const trainLab = train.map((i) => i.labelIndex), testLab = test.map((i) => i.labelIndex);
  // Evaluation: E test examples evenly spaced over the test set (items are in corpus order, which is
  // grouped by class, so this is a stratified sample); cycling when the client has fewer than E.
  const nt = testEnc.length, E = cfg.evalPerClient;
  const evalRows = Array.from({ length: E }, (_, e) => (E <= nt ? Math.floor((e * nt) / E) : e % nt));
  const evalB = build(testEnc, testLab, evalRows);
  return {
    index, size: train.length,
    trainItems: train.map((i) => i.id), testItems: test.map((i) => i.id), labelCounts: counts(train),
    sampleBatch: (rng, B) => build(trainEnc, trainLab, Array.from({ length: B }, () => rng.int(trainEnc.length))),
    evalBatch: () => evalB,
  };
}
