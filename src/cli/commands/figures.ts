/**
 * `airlora figures DIR` (re)draws a results folder's figures from its files alone.
 * `airlora figures-all [PATH...]` runs every scenario (default: the scenarios/ folder) whose kind has
 * a runner, draws its figures (its `figures:` section, else the presets its CSV columns fit), copies
 * the PNGs to docs/figures/ and rewrites docs/figures.md.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { drawFigures, figureEntriesFor } from '../../report/draw.js';
import { figuresMarkdown, type DocFigure } from '../../report/docs.js';
import { resolveFigures } from '../../report/figure-spec.js';
import { RunFolder } from '../../results/run-folder.js';
import { canonicalJson } from '../../results/canonical.js';
import { runSweep } from '../../sweep/run-sweep.js';
import { runScenario } from '../../sweep/run-single.js';
import { loadScenarioFile } from '../../sweep/scenario-file.js';
import { parsePositiveInt } from './sweep.js';

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

function scenarioFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new UserInputError(`figures-all: '${p}' does not exist`, 'paths');
    if (statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) if (/\.ya?ml$/i.test(f)) out.push(join(p, f));
    } else out.push(p);
  }
  return out;
}

/** The latest complete run folder `<root>/<stem>-*` whose recorded scenario is this one. */
function latestRunOf(root: string, stem: string, scenario: Record<string, unknown>): RunFolder | undefined {
  if (!existsSync(root)) return undefined;
  const want = canonicalJson(scenario);
  const names = readdirSync(root).filter((d) => d.startsWith(`${stem}-`)).sort().reverse();
  for (const n of names) {
    try {
      const f = RunFolder.open(join(root, n));
      const m = f.manifest();
      if (m.status === 'complete' && canonicalJson(m.scenario) === want) return f;
    } catch { /* not a run folder */ }
  }
  return undefined;
}

export function register(program: Command): void {
  program
    .command('figures')
    .description('(re)draw the figures of a results folder from its files alone (never re-runs anything)')
    .argument('<dir>', 'results folder')
    .option('--only <names>', 'only these figures (comma-separated)', list)
    .option('--format <fmts>', 'svg,png,pdf (default all three)', list)
    .option('--dpi <n>', 'PNG resolution at the IEEE column widths (3.5 in, 7.16 in)', '300')
    .option('--titles', 'draw titles on the figures (captions carry them by default)')
    .action(async (dir: string, o: { only?: string[]; format?: string[]; dpi: string; titles?: boolean }) => {
      const formats = (o.format ?? ['svg', 'png', 'pdf']);
      for (const f of formats) if (f !== 'svg' && f !== 'png' && f !== 'pdf') throw new UserInputError(`--format: '${f}' is not allowed; allowed: svg, png, pdf`, 'format');
      const dpi = Number(o.dpi);
      if (!(dpi >= 50 && dpi <= 1200)) throw new UserInputError(`--dpi: '${o.dpi}' must be a number in [50, 1200]`, 'dpi');
      const folder = RunFolder.open(dir);
      if (folder.hasManifest() && !folder.isComplete()) process.stderr.write(`warning: ${dir} is not a complete run (status '${folder.status}'); drawing what is there\n`);
      const drawn = await drawFigures(folder, { only: o.only, formats: formats as ('svg' | 'png' | 'pdf')[], dpi, ...(o.titles ? { titles: true } : {}) });
      if (drawn.length === 0) process.stderr.write('no figures: the scenario names none and no preset matches the CSV columns\n');
      for (const d of drawn) {
        process.stdout.write(`${join(folder.dir, 'figures', d.name)}.{${formats.join(',')}}  ${d.points} points${d.dropped ? `, ${d.dropped} non-finite values not plotted` : ''}\n`);
      }
    });

  program
    .command('figures-all')
    .description('run every scenario, draw its figures, refresh docs/figures/ and docs/figures.md')
    .argument('[paths...]', 'scenario files or folders', ['scenarios'])
    .option('--root <dir>', 'parent folder of the runs', 'runs/figures-all')
    .option('--docs <dir>', 'docs folder (PNGs go to <docs>/figures/)', 'docs')
    .option('--no-docs', 'do not touch docs/')
    .option('-j, --jobs <n>', 'worker threads for sweeps')
    .option('--reuse', 'redraw the latest complete run of the same scenario under --root instead of running it again')
    .action(async (paths: string[], o: { root: string; docs: string | false; jobs?: string; reuse?: boolean }) => {
      const log = (m: string) => process.stderr.write(m + '\n');
      const jobs = o.jobs !== undefined ? parsePositiveInt(o.jobs, '--jobs') : undefined;
      const docFigs: DocFigure[] = [];
      const skipped: { scenario: string; reason: string }[] = [];
      for (const file of scenarioFiles(paths)) {
        const stem = basename(file).replace(/\.ya?ml$/i, '');
        const { raw: scenario, resolved } = await loadScenarioFile(file);
        log(`== ${file}`);
        let folder: RunFolder;
        const earlier = o.reuse ? latestRunOf(o.root, stem, scenario) : undefined;
        if (earlier) log(`  reusing ${earlier.dir}`);
        try {
          if (earlier) folder = earlier;
          else if (scenario.sweep !== undefined) folder = (await runSweep({ scenario, reference: resolved, root: o.root, name: stem, jobs, log })).folder;
          else folder = await runScenario({ scenario, root: o.root, name: stem, log });
        } catch (e) {
          if (e instanceof UserInputError && e.field === 'kind') {
            skipped.push({ scenario: file, reason: e.message });
            log(`${file}: skipped (${e.message})`);
            continue;
          }
          throw e;
        }
        const drawn = await drawFigures(folder, { scale: 1.5 });
        if (drawn.length === 0) skipped.push({ scenario: file, reason: `ran (${folder.dir}), but it has no figures: section and no preset fits its columns` });
        const specs = resolveFigures(figureEntriesFor(folder));
        const trials = folder.readJson<{ trials?: number }>('manifest.json').trials;
        for (const d of drawn) {
          const spec = specs.find((s) => s.name === d.name)!;
          log(`  ${d.name}: ${d.points} points`);
          if (o.docs === false) continue;
          const dest = join(o.docs, 'figures', `${stem}.${d.name}.png`);
          mkdirSync(join(o.docs, 'figures'), { recursive: true });
          copyFileSync(folder.path(`figures/${d.name}.png`), dest);
          const pts = folder.readCsv(`figures/${d.name}.points.csv`).map((r) => Number(r.n));
          const nmin = Math.min(...pts), nmax = Math.max(...pts);
          docFigs.push({
            scenario: relative(process.cwd(), file), name: d.name, title: spec.title ?? d.name, caption: spec.caption ?? '',
            png: relative(o.docs, dest),
            trials: `${nmin === nmax ? nmin : `${nmin}–${nmax}`} trial${nmax === 1 ? '' : 's'} per point${trials && trials > 1 ? ` (${trials} sweep trials)` : ''}`,
          });
        }
        log(`  → ${folder.dir}`);
      }
      if (o.docs !== false) {
        writeFileSync(join(o.docs, 'figures.md'), figuresMarkdown(docFigs, skipped));
        log(`wrote ${join(o.docs, 'figures.md')} (${docFigs.length} figures)`);
      }
    });
}
