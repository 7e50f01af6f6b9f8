import { readFileSync } from 'node:fs';

/** The package version from package.json (read once; works from src/ and dist/). */
let cached: string | undefined;
export function packageVersion(): string {
  if (!cached) {
    const url = new URL('../package.json', import.meta.url);
    cached = (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return cached;
}
