/**
 * `npm run bench [-- --json] [-- --filter S]`: runs every bench/*.bench.ts suite.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchResult, BenchSuite } from './harness.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const fi = args.indexOf('--filter');
  const filter = fi >= 0 ? args[fi + 1] ?? '' : '';
  const here = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
  const log = (msg: string) => process.stderr.write(`  ${msg}\n`);
  const all: BenchResult[] = [];
  let failed = 0;
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: BenchSuite };
    const suite = mod.default;
    if (filter && !suite.group.includes(filter) && !suite.names.some((n) => n.includes(filter))) continue;
    process.stderr.write(`[bench] ${suite.group} (${f})\n`);
    try {
      const results = await suite.run(log);
      for (const r of results) {
        all.push(r);
        if (json) process.stdout.write(JSON.stringify({ name: r.name, value: r.value, unit: r.unit }) + '\n');
        else process.stdout.write(`${r.name.padEnd(32)} ${fmt(r.value).padStart(12)} ${r.unit.padEnd(10)} ${r.note ?? ''}\n`);
      }
    } catch (e) {
      failed++;
      process.stderr.write(`[bench] ${suite.group} failed: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  if (!json) process.stdout.write(`${all.length} figures, ${failed} suites failed\n`);
  return failed ? 1 : 0;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1e4 || (a > 0 && a < 1e-2) ? v.toExponential(3) : v.toFixed(3);
}

main().then((c) => process.exit(c));
