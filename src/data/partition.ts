/**
 * Splitting items (paragraphs, messages) among federated clients, and each client's share into
 * train/test. Functions take an explicit `Rng` (callers pass `streams.stream('partition')`,
 * `streams.stream('data-split', k)`), so a seed fixes every split.
 *
 * - `iid`: shuffle, deal round-robin (client sizes differ by at most one).
 * - `dirichlet`: per class c, proportions p_c ~ Dir(α·1_K) over the K clients, and class c's items are
 *   cut at the cumulative proportions (Hsu et al. 2019). Small α → each client sees few classes.
 *   Re-drawn (same stream, so still deterministic) until every client has ≥ `minPerClient` items.
 * - `one-label`: client k gets class `classes[k mod G]`; clients sharing a class split its items evenly
 *   ("one genre per device"). With K < G only the first K classes are used.
 *
 * Items are identified by index; every item goes to at most one client (a partition), and
 * `trainTestSplit` cuts one client's items in two disjoint sets, so train and test never overlap.
 */
import type { Rng } from '../random/streams.js';
import { UserInputError } from '../errors.js';

export type PartitionSpec =
  | { kind: 'iid' }
  | { kind: 'dirichlet'; alpha: number; minPerClient?: number }
  | { kind: 'one-label'; classes?: readonly string[] };

export const PARTITION_KINDS = ['iid', 'dirichlet', 'one-label'] as const;

/**
 * The spec for clients whose items `trainTestSplit` will cut in two: a Dirichlet draw is redrawn until
 * every client holds at least 2 items (a draw that left one with a single item would stop the run;
 * draws where every client has ≥ 2 are unchanged). Other kinds are returned as they are.
 */
export function splittable(spec: PartitionSpec): PartitionSpec {
  return spec.kind === 'dirichlet' ? { ...spec, minPerClient: Math.max(2, spec.minPerClient ?? 2) } : spec;
}

/** Item indices per client (each sorted ascending). */
export function partition(labels: readonly (string | number)[], numClients: number, spec: PartitionSpec, rng: Rng): number[][] {
  if (!Number.isInteger(numClients) || numClients < 1) {
    throw new UserInputError(`fl.clients: ${numClients} is not a positive integer`, 'fl.clients');
  }
  const n = labels.length;
  let parts: number[][];
  switch (spec.kind) {
    case 'iid': {
      const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
      parts = Array.from({ length: numClients }, () => []);
      order.forEach((item, j) => parts[j % numClients]!.push(item));
      break;
    }
    case 'dirichlet': {
      if (!(spec.alpha > 0) || !Number.isFinite(spec.alpha)) {
        throw new UserInputError(`data.partition.alpha: ${spec.alpha} must be a positive number`, 'data.partition.alpha');
      }
      const byClass = groupByClass(labels);
      const minPer = spec.minPerClient ?? 1;
      if (minPer * numClients > n) {
        throw new UserInputError(`data.partition: ${n} items cannot give ${numClients} clients ${minPer} each`, 'data.partition');
      }
      let tries = 0;
      for (;;) {
        parts = Array.from({ length: numClients }, () => []);
        for (const items of byClass.values()) {
          const shuffled = rng.shuffle([...items]);
          const p = rng.dirichlet(spec.alpha, numClients);
          let acc = 0, start = 0;
          for (let k = 0; k < numClients; k++) {
            acc += p[k]!;
            const end = k === numClients - 1 ? shuffled.length : Math.round(acc * shuffled.length);
            for (let i = start; i < end; i++) parts[k]!.push(shuffled[i]!);
            start = Math.max(start, end);
          }
        }
        if (parts.every((q) => q.length >= minPer)) break;
        if (++tries >= 1000) {
          throw new UserInputError(`data.partition.alpha: ${spec.alpha} too small to give every client ${minPer} items in 1000 draws`, 'data.partition.alpha');
        }
      }
      break;
    }
    case 'one-label': {
      const byClass = groupByClass(labels);
      const classes = spec.classes ? [...spec.classes] : [...byClass.keys()].map(String);
      for (const c of classes) {
        if (!byClass.has(c)) throw new UserInputError(`data.partition.classes: '${c}' has no items; present: ${[...byClass.keys()].join(', ')}`, 'data.partition.classes');
      }
      parts = Array.from({ length: numClients }, () => []);
      const used = classes.slice(0, Math.min(classes.length, numClients));
      used.forEach((c, g) => {
        const owners = Array.from({ length: numClients }, (_, k) => k).filter((k) => k % used.length === g);
        const items = rng.shuffle([...byClass.get(c)!]);
        items.forEach((item, j) => parts[owners[j % owners.length]!]!.push(item));
      });
      break;
    }
    default:
      throw new UserInputError(`data.partition.kind: '${(spec as { kind: string }).kind}'; allowed: ${PARTITION_KINDS.join(', ')}`, 'data.partition.kind');
  }
  return parts.map((p) => p.sort((a, b) => a - b));
}

/** The class (as a string) of each client under `one-label`: `classes[k mod G]`. */
export function oneLabelClass(classes: readonly string[], numClients: number, k: number): string {
  return classes[k % Math.min(classes.length, numClients)]!;
}

function groupByClass(labels: readonly (string | number)[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  labels.forEach((l, i) => {
    const key = String(l);
    let a = m.get(key);
    if (!a) m.set(key, (a = []));
    a.push(i);
  });
  return new Map([...m.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)));
}

/** Disjoint train/test subsets of `items` (test gets round(testFraction·n), at least 1 when n ≥ 2). */
export function trainTestSplit(items: readonly number[], testFraction: number, rng: Rng): { train: number[]; test: number[] } {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new UserInputError(`data.testFraction: ${testFraction} must lie in (0, 1)`, 'data.testFraction');
  }
  const shuffled = rng.shuffle([...items]);
  let nTest = Math.round(testFraction * shuffled.length);
  if (shuffled.length >= 2) nTest = Math.min(Math.max(nTest, 1), shuffled.length - 1);
  return {
    test: shuffled.slice(0, nTest).sort((a, b) => a - b),
    train: shuffled.slice(nTest).sort((a, b) => a - b),
  };
}

/**
 * Label skew of a partition: the item-weighted mean total-variation distance between each client's
 * label distribution and the pooled one (0 = IID; → 1 − 1/G for single-class clients).
 */
export function labelSkew(parts: readonly number[][], labels: readonly (string | number)[]): number {
  const classes = [...new Set(labels.map(String))];
  const global = new Map(classes.map((c) => [c, 0]));
  let total = 0;
  for (const p of parts) for (const i of p) { global.set(String(labels[i]), global.get(String(labels[i]))! + 1); total++; }
  let acc = 0;
  for (const p of parts) {
    if (!p.length) continue;
    const local = new Map(classes.map((c) => [c, 0]));
    for (const i of p) local.set(String(labels[i]), local.get(String(labels[i]))! + 1);
    let tv = 0;
    for (const c of classes) tv += Math.abs(local.get(c)! / p.length - global.get(c)! / total);
    acc += (p.length / total) * tv / 2;
  }
  return acc;
}
