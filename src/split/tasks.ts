/**
 * The classification tasks of split fine-tuning, as H6's federated data (src/data/federated.ts):
 *  - 'spam': SpamAssassin ham vs spam (H6's loader and cleaning);
 *  - 'brown-genre': Brown paragraphs labelled by genre (default news vs fiction).
 * The clients are built here with H6's partition, train/test split and tokenizer, in H6's format
 * ([CLS] + tokens, padded, mask). Not through prepareFederatedData: it treats Brown as language
 * modelling only, and its evaluation set is the first E test items in corpus order (for SpamAssassin
 * all ham, since the corpus lists ham first), which would make test accuracy meaningless here.
 * The tokenizer is trained on the training texts only (never test texts).
 */
import type { RandomStreams } from '../random/streams.js';
import { UserInputError } from '../errors.js';
import type { ClientData, FederatedData, IntBatch } from '../data/federated.js';
import { loadSpamAssassin, SPAM_LABELS } from '../data/spam.js';
import { brownParagraphs } from '../data/brown.js';
import { partition, trainTestSplit, type PartitionSpec } from '../data/partition.js';
import { CLS_ID, PAD_ID, Tokenizer } from '../data/tokenizer.js';

export interface TaskConfig {
  name: 'spam' | 'brown-genre';
  /** Brown genres that are the classes (brown-genre only) */
  genres?: string[];
  partition: PartitionSpec;
  testFraction: number;
  seqLen: number;
  maxItems?: number;
  evalPerClient: number;
  vocabSize: number;
}

export interface SplitTaskData {
  data: FederatedData;
  tokenizer: Tokenizer;
  classes: string[];
  /** every device's training rows pooled (for the centralised bag-of-words reference) */
  pooledTrain: IntBatch;
}

export function loadTask(cfg: TaskConfig, clients: number, streams: RandomStreams): SplitTaskData {
  if (cfg.name === 'spam') {
    const items = loadSpamAssassin().filter((m) => m.text.length > 0)
      .map((m) => ({ id: m.id, label: SPAM_LABELS[m.label]! as string, labelIndex: m.label, text: m.text }));
    return classificationClients(items, ['ham', 'spam'], cfg, clients, streams);
  }
  if (cfg.name === 'brown-genre') {
    const genres = cfg.genres ?? ['news', 'fiction'];
    if (genres.length < 2) throw new UserInputError(`split.tasks[].genres: need at least 2 genres, got ${genres.length}`, 'split.tasks.genres');
    const items = brownParagraphs(genres).filter((p) => p.text.length > 40)
      .map((p) => ({ id: p.id, label: p.genre as string, labelIndex: genres.indexOf(p.genre), text: p.text }));
    return classificationClients(items, genres, cfg, clients, streams);
  }
  throw new UserInputError(`split.tasks[].name: '${String(cfg.name)}'; allowed: spam, brown-genre`, 'split.tasks.name');
}

interface Item { id: string; label: string; labelIndex: number; text: string }

/**
 * Partition, split, tokenise. Each client's evaluation set is a seeded random subset of its test
 * items ('split-eval', k) of size min(evalPerClient, |test|), without repeats, so the pooled test set
 * has the class mix of the data (not the corpus' file order).
 */
function classificationClients(all: Item[], classes: string[], cfg: TaskConfig, clients: number, streams: RandomStreams): SplitTaskData {
  let items = all;
  if (cfg.maxItems !== undefined && cfg.maxItems < items.length) {
    const keep = streams.stream('data-subset').sample(items.length, cfg.maxItems).sort((a, b) => a - b);
    items = keep.map((i) => all[i]!);
  }
  const parts = partition(items.map((i) => i.label), clients, cfg.partition, streams.stream('partition'));
  const splits = parts.map((p, k) => {
    if (p.length < 2) throw new UserInputError(`split.tasks[].partition: client ${k} got ${p.length} items; need ≥ 2 (fewer devices or more items)`, 'split.tasks.partition');
    return trainTestSplit(p, cfg.testFraction, streams.stream('data-split', k));
  });
  const tokenizer = Tokenizer.train(splits.flatMap((s) => s.train.map((i) => items[i]!.text)), { vocabSize: cfg.vocabSize, lowercase: true });
  const T = cfg.seqLen;
  const enc = items.map((it) => [CLS_ID, ...tokenizer.encode(it.text)].slice(0, T));
  const build = (rows: number[]): IntBatch => {
    const B = rows.length;
    const tokens = new Int32Array(B * T).fill(PAD_ID);
    const mask = new Float32Array(B * T);
    const labels = new Int32Array(B);
    rows.forEach((r, b) => {
      const e = enc[r]!;
      tokens.set(e, b * T);
      mask.fill(1, b * T, b * T + e.length);
      labels[b] = items[r]!.labelIndex;
    });
    return { size: B, seqLen: T, tokens, labels, mask };
  };
  const clientsData: ClientData[] = splits.map((s, k) => {
    const pick = streams.stream('split-eval', k).sample(s.test.length, Math.min(cfg.evalPerClient, s.test.length));
    const evalB = build(pick.map((i) => s.test[i]!));
    const labelCounts: Record<string, number> = {};
    for (const i of s.train) labelCounts[items[i]!.label] = (labelCounts[items[i]!.label] ?? 0) + 1;
    return {
      index: k, size: s.train.length,
      trainItems: s.train.map((i) => items[i]!.id), testItems: s.test.map((i) => items[i]!.id), labelCounts,
      sampleBatch: (rng, B) => build(Array.from({ length: B }, () => s.train[rng.int(s.train.length)]!)),
      evalBatch: () => evalB,
    };
  });
  return {
    data: { kind: 'classifier', numClasses: classes.length, seqLen: T, clients: clientsData }, tokenizer, classes,
    pooledTrain: build(splits.flatMap((s) => s.train)),
  };
}
