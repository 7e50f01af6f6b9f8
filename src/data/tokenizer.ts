/**
 * Character-level BPE tokenizer whose vocabulary is learned from the training text.
 *
 * - Pre-tokenisation (GPT-2 style): text is cut into pieces ` ?letters`, ` ?digits`,
 *   ` ?other-symbols` and whitespace runs; merges never cross a piece boundary, and the leading space
 *   belongs to the word, so `decode(encode(s)) === s` for any text made of known characters.
 * - Base alphabet: the characters (Unicode code points) of the training text, most frequent first,
 *   as many as fit; any other character encodes to `<unk>` (decoded as U+FFFD). We use characters
 *   rather than the 256 bytes so that small vocabularies (V = 256 in the benchmark GPT) still get
 *   ~160 merges on English text.
 * - Merges: the most frequent adjacent pair is merged until `vocabSize` is reached; ties are broken by
 *   the smaller pair key (ids), so training is deterministic. Training keeps pair counts and the
 *   pair → words index incrementally (a lazy max-heap picks the next pair): the Brown corpus trains
 *   to 4k tokens in a few seconds.
 * - Special tokens first, fixed ids: <pad>=0, <unk>=1, <bos>=2, <eos>=3, <cls>=4, <sep>=5.
 * - `toJSON()`/`fromJSON()` save the alphabet and merges; saved with every model checkpoint.
 */
import { UserInputError } from '../errors.js';

export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>', '<cls>', '<sep>'] as const;
export const PAD_ID = 0;
export const UNK_ID = 1;
export const BOS_ID = 2;
export const EOS_ID = 3;
export const CLS_ID = 4;
export const SEP_ID = 5;

export interface TokenizerOptions {
  /** Total vocabulary size including special tokens and the alphabet (≤ 65,536). */
  vocabSize: number;
  /** Characters seen fewer times than this map to <unk> (default 1: keep all that fit). */
  minCharFrequency?: number;
  /** Lower-case text before tokenising (default false). */
  lowercase?: boolean;
}

export interface TokenizerJSON {
  type: 'airlora-char-bpe';
  version: 1;
  lowercase: boolean;
  specials: string[];
  /** Base characters, ids SPECIAL_TOKENS.length … */
  alphabet: string[];
  /** Merged pairs in order; merge i creates id specials + alphabet + i. */
  merges: [number, number][];
}

const PIECE_RE = / ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const MAX_VOCAB = 65536;
const CACHE_LIMIT = 200_000;

function pairKey(a: number, b: number): number {
  return a * MAX_VOCAB + b;
}

export class Tokenizer {
  readonly vocabSize: number;
  private readonly tokens: string[];
  private readonly charId = new Map<string, number>();
  /** pair key → id of the merged token (its rank: lower merges first). */
  private readonly mergeRank = new Map<number, number>();
  private readonly cache = new Map<string, number[]>();

  private constructor(
    readonly lowercase: boolean,
    readonly alphabet: readonly string[],
    readonly merges: readonly (readonly [number, number])[],
  ) {
    this.tokens = [...SPECIAL_TOKENS, ...alphabet];
    alphabet.forEach((c, i) => this.charId.set(c, SPECIAL_TOKENS.length + i));
    for (const [a, b] of merges) {
      if (a >= this.tokens.length || b >= this.tokens.length) throw new UserInputError('tokenizer.merges: merge refers to a later token', 'tokenizer.merges');
      this.mergeRank.set(pairKey(a, b), this.tokens.length);
      this.tokens.push(this.tokens[a]! + this.tokens[b]!);
    }
    this.vocabSize = this.tokens.length;
  }

  /** Learn the alphabet and merges from `texts`. */
  static train(texts: Iterable<string>, opts: TokenizerOptions): Tokenizer {
    const { vocabSize, minCharFrequency = 1, lowercase = false } = opts;
    if (!Number.isInteger(vocabSize) || vocabSize < SPECIAL_TOKENS.length + 1 || vocabSize > MAX_VOCAB) {
      throw new UserInputError(`tokenizer.vocabSize: ${vocabSize} is not an integer in [${SPECIAL_TOKENS.length + 1}, ${MAX_VOCAB}]`, 'tokenizer.vocabSize');
    }
    // 1. piece frequencies and character frequencies
    const pieceCount = new Map<string, number>();
    for (let text of texts) {
      if (lowercase) text = text.toLowerCase();
      for (const m of text.matchAll(PIECE_RE)) pieceCount.set(m[0], (pieceCount.get(m[0]) ?? 0) + 1);
    }
    const charCount = new Map<string, number>();
    for (const [p, n] of pieceCount) for (const c of p) charCount.set(c, (charCount.get(c) ?? 0) + n);
    const alphabet = [...charCount.entries()]
      .filter(([, n]) => n >= minCharFrequency)
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .slice(0, vocabSize - SPECIAL_TOKENS.length)
      .map(([c]) => c)
      .sort();
    const charId = new Map<string, number>();
    alphabet.forEach((c, i) => charId.set(c, SPECIAL_TOKENS.length + i));

    // 2. words as symbol arrays
    const words: number[][] = [];
    const freq: number[] = [];
    for (const [p, n] of [...pieceCount.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
      words.push([...p].map((c) => charId.get(c) ?? UNK_ID));
      freq.push(n);
    }
    const counts = new Map<number, number>();
    const where = new Map<number, Set<number>>();
    const addPairs = (w: number, sign: number, touched: Set<number>) => {
      const s = words[w]!;
      for (let i = 0; i + 1 < s.length; i++) {
        if (s[i] === UNK_ID || s[i + 1] === UNK_ID) continue;
        const k = pairKey(s[i]!, s[i + 1]!);
        counts.set(k, (counts.get(k) ?? 0) + sign * freq[w]!);
        touched.add(k);
        if (sign > 0) {
          let set = where.get(k);
          if (!set) where.set(k, (set = new Set()));
          set.add(w);
        }
      }
    };
    const heap = new PairHeap();
    const init = new Set<number>();
    for (let w = 0; w < words.length; w++) addPairs(w, 1, init);
    for (const k of init) heap.push(counts.get(k)!, k);

    // 3. merges
    const merges: [number, number][] = [];
    let nextId = SPECIAL_TOKENS.length + alphabet.length;
    while (nextId < vocabSize) {
      let best = -1;
      while (heap.size) {
        const [c, k] = heap.pop();
        if (counts.get(k) === c) { best = k; break; } // else a stale entry
      }
      if (best < 0 || counts.get(best)! < 2) break;
      const a = Math.floor(best / MAX_VOCAB), b = best % MAX_VOCAB;
      const id = nextId++;
      merges.push([a, b]);
      const touched = new Set<number>();
      for (const w of [...where.get(best)!].sort((x, y) => x - y)) {
        const s = words[w]!;
        let has = false;
        for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) { has = true; break; }
        if (!has) continue;
        addPairs(w, -1, touched);
        words[w] = mergeAll(s, a, b, id);
        addPairs(w, 1, touched);
      }
      where.delete(best);
      for (const k of touched) {
        const c = counts.get(k)!;
        if (c <= 0) counts.delete(k);
        else heap.push(c, k);
      }
    }
    return new Tokenizer(lowercase, alphabet, merges);
  }

  static fromJSON(json: TokenizerJSON): Tokenizer {
    if (json?.type !== 'airlora-char-bpe' || json.version !== 1) {
      throw new UserInputError(`tokenizer: unsupported format ${json?.type}/${json?.version}; expected airlora-char-bpe/1`, 'tokenizer');
    }
    if (json.specials.join() !== SPECIAL_TOKENS.join()) throw new UserInputError('tokenizer.specials: unexpected special tokens', 'tokenizer.specials');
    return new Tokenizer(json.lowercase, json.alphabet, json.merges);
  }

  toJSON(): TokenizerJSON {
    return {
      type: 'airlora-char-bpe', version: 1, lowercase: this.lowercase, specials: [...SPECIAL_TOKENS],
      alphabet: [...this.alphabet], merges: this.merges.map(([a, b]) => [a, b]),
    };
  }

  /** Token ids of `text` (no special tokens added). */
  encode(text: string): number[] {
    if (this.lowercase) text = text.toLowerCase();
    const out: number[] = [];
    for (const m of text.matchAll(PIECE_RE)) {
      const piece = m[0];
      let ids = this.cache.get(piece);
      if (!ids) {
        ids = this.encodePiece(piece);
        if (this.cache.size < CACHE_LIMIT) this.cache.set(piece, ids);
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }

  /** Text of `ids`; special tokens are dropped unless `keepSpecials`, <unk> decodes to U+FFFD. */
  decode(ids: ArrayLike<number>, keepSpecials = false): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === UNK_ID) s += keepSpecials ? SPECIAL_TOKENS[UNK_ID] : '\uFFFD';
      else if (id < SPECIAL_TOKENS.length) { if (keepSpecials) s += SPECIAL_TOKENS[id]; }
      else {
        const t = this.tokens[id];
        if (t === undefined) throw new UserInputError(`tokenizer.decode: id ${id} outside vocabulary [0, ${this.vocabSize})`, 'ids');
        s += t;
      }
    }
    return s;
  }

  /** The string of token `id`. */
  token(id: number): string {
    return this.tokens[id]!;
  }

  private encodePiece(piece: string): number[] {
    let s = [...piece].map((c) => this.charId.get(c) ?? UNK_ID);
    for (;;) {
      let bestRank = Infinity, ba = -1, bb = -1;
      for (let i = 0; i + 1 < s.length; i++) {
        const r = this.mergeRank.get(pairKey(s[i]!, s[i + 1]!));
        if (r !== undefined && r < bestRank) { bestRank = r; ba = s[i]!; bb = s[i + 1]!; }
      }
      if (bestRank === Infinity) return s;
      s = mergeAll(s, ba, bb, bestRank);
    }
  }
}

/** Replace every non-overlapping (a, b), left to right, by `id`. */
function mergeAll(s: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (i + 1 < s.length && s[i] === a && s[i + 1] === b) { out.push(id); i++; }
    else out.push(s[i]!);
  }
  return out;
}

/** Max-heap on (count desc, key asc) with lazy deletion (callers skip stale entries). */
class PairHeap {
  private c: number[] = [];
  private k: number[] = [];
  get size(): number { return this.c.length; }
  private above(i: number, j: number): boolean {
    return this.c[i]! > this.c[j]! || (this.c[i] === this.c[j] && this.k[i]! < this.k[j]!);
  }
  private swap(i: number, j: number): void {
    [this.c[i], this.c[j]] = [this.c[j]!, this.c[i]!];
    [this.k[i], this.k[j]] = [this.k[j]!, this.k[i]!];
  }
  push(count: number, key: number): void {
    this.c.push(count); this.k.push(key);
    let i = this.c.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p); i = p;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.c[0]!, this.k[0]!];
    const lc = this.c.pop()!, lk = this.k.pop()!;
    if (this.c.length) {
      this.c[0] = lc; this.k[0] = lk;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < this.c.length && this.above(l, m)) m = l;
        if (r < this.c.length && this.above(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m); i = m;
      }
    }
    return top;
  }
}
