/**
 * The bundled font. PNGs are rasterised with DejaVu Sans loaded from the `dejavu-fonts-ttf` npm
 * package and system fonts switched off, so text renders identically on every machine (and a
 * machine without fonts still shows text).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { NumericalError } from '../errors.js';

export const FONT_FAMILY = 'DejaVu Sans';

let cached: string[] | undefined;
export function fontFiles(): string[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'].map((f) => join(dir, f));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new NumericalError(`bundled font missing: ${missing.join(', ')} (reinstall dependencies)`);
  cached = files;
  return files;
}

interface Glyphs { unitsPerEm: number; layout(text: string): { advanceWidth: number } }
let faces: Glyphs[] | undefined;
const widthCache = new Map<string, number>();

/** Advance width of `text` set in the bundled DejaVu Sans (bold or regular) at `size` points. */
export function textWidth(text: string, size: number, bold = false): number {
  if (!faces) {
    const require = createRequire(import.meta.url);
    const fontkit = require('fontkit') as { openSync(path: string): Glyphs };
    faces = fontFiles().slice(0, 2).map((f) => fontkit.openSync(f));
  }
  const key = `${bold ? 'b' : 'r'}\u0000${text}`;
  let em = widthCache.get(key);
  if (em === undefined) {
    const f = faces[bold ? 1 : 0]!;
    em = f.layout(text).advanceWidth / f.unitsPerEm;
    widthCache.set(key, em);
  }
  return em * size;
}
