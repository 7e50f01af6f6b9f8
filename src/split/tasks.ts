/**
 * The classification tasks of split fine-tuning, as H6's federated data (src/data/federated.ts):
 *  - 'spam': SpamAssassin ham vs spam (H6's loader and cleaning);
 *  - 'brown-genre': Brown paragraphs labelled by genre (default news vs fiction).
 * The clients are built here with H6's partition, train/test split and tokenizer, in H6's format
 * ([CLS] + tokens, padded, mask). Not through prepareFederatedData: it treats Brown as language
 * modelling only, and its evaluation set is the first E test items in corpus order (for SpamAssassin
 * all ham, since the corpus lists ham first), which would make test accuracy meaningless here.
 * The tokenizer is trained on the training texts only (never test texts).
 *
 * A third kind reads the user's own GLUE-style files ('local': `path`, `text_fields`, `label_field`)
 * through the local-data pipeline of federated training (src/data/local: readers, the same partition
 * kinds, a folder's validation file as the test set, the tokenizer's pair encoding with segment ids);
 * its evaluation rows are drawn as the built-in tasks' are (without repeats).
 * With a Hugging Face checkpoint every task is tokenised by the checkpoint's tokenizer.json (its
 * post-processor's [CLS] … [SEP] and token types) instead of a trained char-level BPE.
 */
import type { RandomStreams } from '../random/streams.js';
import { UserInputError } from '../errors.js';
import type { ClientData, FederatedData, IntBatch } from '../data/federated.js';
import { loadSpamAssassin, SPAM_LABELS } from '../data/spam.js';
import { brownParagraphs } from '../data/brown.js';
import { partition, splittable, trainTestSplit, type PartitionSpec } from '../data/partition.js';
import { CLS_ID, PAD_ID, Tokenizer } from '../data/tokenizer.js';
import { airloraTextTokenizer, classifierRows, encodeClassifierExamples, prepareLocalData, type LocalExample, type TextTokenizer } from '../data/local/index.js';

/** A local GLUE-style dataset (src/data/local): a file, or a folder with train.* (+ validation.* / dev.*). */
export interface LocalTaskSource {
  path: string;
  /** one or two text columns (default: the GLUE columns present) */
  textFields?: string[];
  /** label column (default: label, MRPC's original Quality) */
  labelField?: string;
}

/** A checkpoint's tokenizer (its own special tokens and segment ids), with its vocabulary size. */
export type SplitTokenizer = TextTokenizer & { readonly vocabSize: number };

export interface TaskConfig {
  name: 'spam' | 'brown-genre' | 'local';
  /** Brown genres that are the classes (brown-genre only) */
  genres?: string[];
  /** the files of a 'local' task */
  local?: LocalTaskSource;
  partition: PartitionSpec;
  testFraction: number;
  seqLen: number;
  maxItems?: number;
  evalPerClient: number;
  vocabSize: number;
}

export interface SplitTaskData {
  data: FederatedData;
  /** vocabulary of the tokenizer the rows were encoded with (trained, or the checkpoint's) */
  vocabSize: number;
  classes: string[];
  /** every device's training rows pooled (for the centralised bag-of-words reference) */
  pooledTrain: IntBatch;
}

/**
 * The task's federated clients. `tokenizer`: a checkpoint's own (every row is its pair encoding, with
 * segment ids); absent: airlora's char-level BPE trained on the training texts.
 */
export function loadTask(cfg: TaskConfig, clients: number, streams: RandomStreams, tokenizer?: SplitTokenizer): SplitTaskData {
  if (cfg.name === 'spam') {
    const items = loadSpamAssassin().filter((m) => m.text.length > 0)
      .map((m) => ({ id: m.id, label: SPAM_LABELS[m.label]! as string, labelIndex: m.label, text: m.text }));
    return classificationClients(items, ['ham', 'spam'], cfg, clients, streams, tokenizer);
  }
  if (cfg.name === 'brown-genre') {
    const genres = cfg.genres ?? ['news', 'fiction'];
    if (genres.length < 2) throw new UserInputError(`split.tasks[].genres: need at least 2 genres, got ${genres.length}`, 'split.tasks.genres');
    const items = brownParagraphs(genres).filter((p) => p.text.length > 40)
      .map((p) => ({ id: p.id, label: p.genre as string, labelIndex: genres.indexOf(p.genre), text: p.text }));
    return classificationClients(items, genres, cfg, clients, streams, tokenizer);
  }
  if (cfg.name === 'local') return localClients(cfg, clients, streams, tokenizer);
  throw new UserInputError(`split.tasks[].name: '${String(cfg.name)}'; allowed: spam, brown-genre (or dataset: local)`, 'split.tasks.name');
}

/**
 * A local GLUE-style dataset through src/data/local (the loader and partitions of federated training):
 * every device's rows are the tokenizer's pair encoding ([CLS] a [SEP] b [SEP], token types), cut to
 * seq_len; the pooled training rows feed the bag-of-words reference.
 */
function localClients(cfg: TaskConfig, clients: number, streams: RandomStreams, tokenizer?: SplitTokenizer): SplitTaskData {
  const src = cfg.local;
  if (!src) throw new UserInputError('split.tasks[].path: a local task needs the path of its data file or folder', 'split.tasks.path');
  const prep = prepareLocalData({
    path: src.path, task: 'classifier',
    ...(src.textFields ? { text_fields: src.textFields } : {}), ...(src.labelField ? { label_field: src.labelField } : {}),
    partition: cfg.partition, testFraction: cfg.testFraction, seqLen: cfg.seqLen, evalPerClient: cfg.evalPerClient,
    ...(cfg.maxItems !== undefined ? { maxItems: cfg.maxItems } : {}),
  }, clients, streams);
  const labels = prep.labels!;
  if (labels.length < 2) throw new UserInputError(`split.tasks[].label_field: ${src.path} has ${labels.length} class (${labels.join(', ')}); a classifier needs at least 2`, 'split.tasks.label_field');
  let tok: SplitTokenizer;
  if (tokenizer) tok = tokenizer;
  else {
    const own = Tokenizer.train(prep.trainTexts, { vocabSize: cfg.vocabSize, lowercase: true });
    tok = Object.assign(airloraTextTokenizer(own), { vocabSize: own.vocabSize });
  }
  const rowsOf = (ex: LocalExample[]) => {
    const enc = encodeClassifierExamples(ex, tok, labels, src.path);
    return classifierRows(enc, enc.map((_, i) => i), cfg.seqLen, tok.padId);
  };
  const data = prep.withTokenizer(tok);
  // evaluation as for the built-in tasks: a seeded subset of each device's test examples without
  // repeats ('split-eval', k), so the pooled test set counts every example once (Wilson intervals)
  const devices = data.clients.map((c, k) => {
    const test = prep.splits[k]!.test;
    const pick = streams.stream('split-eval', k).sample(test.length, Math.min(cfg.evalPerClient, test.length));
    const evalB = rowsOf(pick.map((i) => test[i]!));
    return { ...c, evalBatch: () => evalB };
  });
  return {
    data: { ...data, clients: devices }, vocabSize: tok.vocabSize, classes: labels,
    pooledTrain: rowsOf(prep.splits.flatMap((s) => s.train)),
  };
}

interface Item { id: string; label: string; labelIndex: number; text: string }

/**
 * Partition, split, tokenise. Each client's evaluation set is a seeded random subset of its test
 * items ('split-eval', k) of size min(evalPerClient, |test|), without repeats, so the pooled test set
 * has the class mix of the data (not the corpus' file order).
 */
function classificationClients(all: Item[], classes: string[], cfg: TaskConfig, clients: number, streams: RandomStreams, hf?: SplitTokenizer): SplitTaskData {
  let items = all;
  if (cfg.maxItems !== undefined && cfg.maxItems < items.length) {
    const keep = streams.stream('data-subset').sample(items.length, cfg.maxItems).sort((a, b) => a - b);
    items = keep.map((i) => all[i]!);
  }
  // splittable: a small α cannot stop a long run at a later trial's partition
  const parts = partition(items.map((i) => i.label), clients, splittable(cfg.partition), streams.stream('partition'));
  const splits = parts.map((p, k) => {
    if (p.length < 2) throw new UserInputError(`split.tasks[].partition: client ${k} got ${p.length} items; need ≥ 2 (fewer devices or more items)`, 'split.tasks.partition');
    return trainTestSplit(p, cfg.testFraction, streams.stream('data-split', k));
  });
  const T = cfg.seqLen;
  let enc: number[][];
  let types: number[][] | undefined;
  let vocabSize: number;
  let padId = PAD_ID;
  if (hf) {
    // the checkpoint's tokenizer: its post-processor adds [CLS] … [SEP] and the token types
    const pairs = items.map((it) => hf.encodePair(it.text));
    enc = pairs.map((p) => p.ids.slice(0, T));
    types = pairs.map((p) => p.typeIds.slice(0, T));
    vocabSize = hf.vocabSize;
    padId = hf.padId;
  } else {
    const tokenizer = Tokenizer.train(splits.flatMap((s) => s.train.map((i) => items[i]!.text)), { vocabSize: cfg.vocabSize, lowercase: true });
    enc = items.map((it) => [CLS_ID, ...tokenizer.encode(it.text)].slice(0, T));
    vocabSize = tokenizer.vocabSize;
  }
  const build = (rows: number[]): IntBatch & { segments?: Int32Array } => {
    const B = rows.length;
    const tokens = new Int32Array(B * T).fill(padId);
    const mask = new Float32Array(B * T);
    const labels = new Int32Array(B);
    const segments = types ? new Int32Array(B * T) : undefined;
    rows.forEach((r, b) => {
      const e = enc[r]!;
      tokens.set(e, b * T);
      mask.fill(1, b * T, b * T + e.length);
      labels[b] = items[r]!.labelIndex;
      if (segments) segments.set(types![r]!, b * T);
    });
    return segments ? { size: B, seqLen: T, tokens, labels, mask, segments } : { size: B, seqLen: T, tokens, labels, mask };
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
    data: { kind: 'classifier', numClasses: classes.length, seqLen: T, clients: clientsData }, vocabSize, classes,
    pooledTrain: build(splits.flatMap((s) => s.train)),
  };
}
