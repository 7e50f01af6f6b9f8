/**
 * report.html: one self-contained page per results folder, readable offline (no scripts, no
 * external files; figures inlined as base64 PNG): the run's identity, the scenario as resolved, the
 * manifest, summary tables (final metrics per scheme with 95% CIs, the folder's summary CSVs), every
 * figure with its caption, the per-round log and what every column means. `writeReport(folder)`
 * also writes COLUMNS.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { columnInfo, csvFiles, nestedCsvs, sweepColumns, writeColumnsDoc } from '../results/columns.js';
import { csvHeader } from '../results/csv.js';
import type { RunFolder } from '../results/run-folder.js';
import { compareRuns, fmtNum } from './compare.js';
import { resolveFigure, resolveFigures } from './figure-spec.js';
import { PRESETS } from './presets.js';
import { figuresSection } from '../scenario/sections/figures.js';

export interface ReportFigure { name: string; title?: string; caption?: string }

export interface ReportOptions {
  /** Figures to show, in order (default: every figures/<name>.png of the folder). */
  figures?: ReportFigure[];
  /** Most rows of a table shown (the CSV has them all). */
  maxRows?: number;
}

const esc = (s: unknown): string => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function table(header: string[], rows: string[][], titles: Record<string, string> = {}): string {
  const th = header.map((h) => `<th${titles[h] ? ` title="${esc(titles[h])}"` : ''}>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A CSV of the folder as an HTML table (first maxRows rows), column meanings as header tooltips. */
function csvTable(folder: RunFolder, file: string, maxRows: number): string {
  const rows = folder.readCsv(file);
  if (rows.length === 0) return `<p class="note">${esc(file)}: no rows.</p>`;
  const header = Object.keys(rows[0]!);
  const titles = Object.fromEntries(header.map((h) => [h, columnInfo(h)?.meaning ?? '']));
  const shown = rows.slice(0, maxRows).map((r) => header.map((h) => fmtCell(r[h] ?? '')));
  const more = rows.length > maxRows ? `<p class="note">First ${maxRows} of ${rows.length} rows; all of them are in <code>${esc(file)}</code>.</p>` : '';
  return table(header, shown, titles) + more;
}

function fmtCell(v: string): string {
  if (v.trim() === '' || Number.isNaN(Number(v))) return v;
  const n = Number(v);
  return Number.isInteger(n) ? v : fmtNum(n);
}

/** Final metrics per run key (scheme, scheduler, sweep point) with 95% CIs (compare's table). */
function finalMetrics(folder: RunFolder): string {
  try {
    const res = compareRuns([folder.dir]);
    if (res.rows.length === 0) return '';
    const lines = new Map<string, Record<string, string>>();
    for (const r of res.rows) {
      const k = res.keyColumns.map((c) => r.keys[c] ?? '').join('\u0000');
      if (!lines.has(k)) lines.set(k, Object.fromEntries(res.keyColumns.map((c) => [c, r.keys[c] ?? ''])));
      lines.get(k)![r.metric] = r.ciLow !== null && r.ciHigh !== null
        ? `${fmtNum(r.mean)} [${fmtNum(r.ciLow)}, ${fmtNum(r.ciHigh)}] (n=${r.n})`
        : `${fmtNum(r.mean)} (n=${r.n})`;
    }
    const header = [...res.keyColumns, ...res.metrics];
    const titles = Object.fromEntries(header.map((h) => [h, columnInfo(h)?.meaning ?? '']));
    return `<h3>Final metrics</h3><p class="note">Last round of each trial; mean [95% CI] over trials (n = trials).</p>` +
      table(header, [...lines.values()].map((l) => header.map((h) => l[h] ?? '')), titles);
  } catch {
    return '';
  }
}

/** The figures of the folder: figures/<name>.png (not the .wide copies), titles from the figure list. */
function folderFigures(folder: RunFolder): ReportFigure[] {
  const dir = folder.path('figures');
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).filter((f) => f.endsWith('.png') && !f.endsWith('.wide.png')).map((f) => f.slice(0, -4)).sort();
  let specs: { name: string; title?: string; caption?: string }[] = [];
  try {
    const scen = folder.hasManifest() ? (folder.manifest().scenario as { figures?: unknown } | null) : null;
    const parsed = figuresSection.safeParse(scen?.figures ?? []);
    if (parsed.success) specs = resolveFigures(parsed.data);
  } catch { /* titles are optional */ }
  // the scenario's figure order, then the rest (Δ companions) after their absolute figures
  const rank = (n: string) => { const i = specs.findIndex((x) => x.name === n || `delta_${x.name}` === n || `${x.name}_delta` === n); return i < 0 ? specs.length : i + (specs[i]!.name === n ? 0 : 0.5); };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const preset = (n: string) => { try { return PRESETS[n] ? resolveFigure(n) : undefined; } catch { return undefined; } };
  return names.map((n) => { const s = specs.find((x) => x.name === n) ?? preset(n); return { name: n, ...(s?.title ? { title: s.title } : {}), ...(s?.caption ? { caption: s.caption } : {}) }; });
}

function figureHtml(folder: RunFolder, f: ReportFigure): string {
  const wide = folder.exists(`figures/${f.name}.wide.png`) ? `figures/${f.name}.wide.png` : `figures/${f.name}.png`;
  if (!folder.exists(wide)) return '';
  const b64 = readFileSync(folder.path(wide)).toString('base64');
  const files = ['png', 'svg', 'pdf', 'wide.png', 'wide.svg', 'wide.pdf', 'points.csv', 'dat']
    .map((e) => `figures/${f.name}.${e}`).filter((p) => folder.exists(p));
  const dats = existsSync(folder.path('figures'))
    ? readdirSync(folder.path('figures')).filter((x) => x.startsWith(`${f.name}.`) && x.endsWith('.dat') && x !== `${f.name}.dat`).map((x) => `figures/${x}`)
    : [];
  const links = [...files, ...dats].map((p) => `<a href="${esc(p)}">${esc(p.slice('figures/'.length))}</a>`).join(' · ');
  return `<figure id="fig-${esc(f.name)}"><h3>${esc(f.title ?? f.name)}</h3>
<img alt="${esc(f.title ?? f.name)}" src="data:image/png;base64,${b64}">
<figcaption>${f.caption ? esc(f.caption) + ' ' : ''}<span class="note">(figure <code>${esc(f.name)}</code>; files: ${links})</span></figcaption></figure>`;
}

/** Meaning and unit of every column of every CSV (the same content as COLUMNS.md). */
function columnsHtml(folder: RunFolder): string {
  const grid = sweepColumns(folder);
  const tables: [string, string[]][] = [];
  for (const file of csvFiles(folder)) {
    try { tables.push([file, csvHeader(folder.readText(file))]); } catch { /* unreadable: skip */ }
  }
  tables.push(...nestedCsvs(folder));
  return tables.map(([file, header]) => {
    const rows = header.map((c) => {
      const i = columnInfo(c);
      const sweep = grid.get(c);
      return [c, i?.unit ?? '', (i?.meaning ?? (sweep ? '' : 'Not in the catalogue (a custom or sweep column).')) + (sweep ? ` Sweep grid value of ${sweep}.` : '')];
    });
    return `<h3>${esc(file)}</h3>` + table(['column', 'unit', 'meaning'], rows);
  }).join('\n');
}

const CSS = `body{font-family:"DejaVu Sans",system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#111;line-height:1.4}
h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}h3{font-size:1.05em}
table{border-collapse:collapse;font-size:.8em}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right;white-space:nowrap}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}.scroll{overflow-x:auto;max-height:40em;overflow-y:auto}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.8em;max-height:40em}figure{margin:1.5em 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}.note{color:#555;font-size:.85em}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}`;

/** Build report.html's text for a folder. */
export function reportHtml(folder: RunFolder, opts: ReportOptions = {}): string {
  const maxRows = opts.maxRows ?? 500;
  const m = folder.hasManifest() ? (folder.manifest() as unknown as Record<string, unknown>) : undefined;
  const scenario = m?.['scenario'] as Record<string, unknown> | undefined;
  const name = String(scenario?.['name'] ?? folder.dir.split(/[\\/]/).pop());
  const facts: [string, unknown][] = m
    ? [['kind', m['kind']], ['status', m['status']], ['seed', m['seed']], ['started', m['startedAt']], ['ended', m['endedAt']], ['backend', m['backend']], ['git commit', (() => { const g = m['git'] as { commit?: string; dirty?: boolean } | null | undefined; return g?.commit ? `${g.commit}${g.dirty ? ' (uncommitted changes)' : ''}` : undefined; })()], ['folder', folder.dir]]
    : [['folder', folder.dir]];
  const figs = opts.figures ?? folderFigures(folder);
  const summaries = ['phy-summary.csv', 'final.csv', 'summary.csv', 'summary_trials.csv', 'bound.csv'].filter((f) => folder.exists(f));
  const perRound = ['metrics.csv', 'delay.csv', 'phy-trials.csv'].filter((f) => folder.exists(f));
  const parts: string[] = [
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(name)} — airlora report</title><style>${CSS}</style></head><body>`,
    `<h1>${esc(name)}</h1>`,
    `<dl>${facts.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`,
    `<p class="note">Contents: <a href="#scenario">scenario</a> · <a href="#summary">summary</a> · <a href="#figures">figures</a> · <a href="#log">per-round log</a> · <a href="#columns">columns</a> · <a href="#manifest">manifest</a></p>`,
    `<h2 id="scenario">Scenario</h2><p class="note">As resolved (defaults filled in); rerun with <code>airlora run</code> on this YAML.</p><pre>${esc(scenario ? stringify(scenario) : '(no manifest)')}</pre>`,
    `<h2 id="summary">Summary</h2>`,
    finalMetrics(folder),
    ...summaries.map((f) => `<h3>${esc(f)}</h3>` + csvTable(folder, f, maxRows)),
    `<h2 id="figures">Figures</h2>`,
    figs.length ? `<p class="note">Lines are means over trials; bands are 95% confidence intervals. Each figure is also in the folder as vector SVG/PDF and 300 dpi PNG at IEEE single- (3.5 in) and double-column (7.16 in) width, with its data for pgfplots (.dat).</p>` : '<p class="note">No figures were drawn for this run.</p>',
    ...figs.map((f) => figureHtml(folder, f)),
    `<h2 id="log">Per-round log</h2>`,
    ...perRound.map((f) => `<h3>${esc(f)}</h3>` + csvTable(folder, f, maxRows)),
  ];
  if (folder.exists('rounds.jsonl')) {
    const lines = folder.readText('rounds.jsonl').split('\n').filter((l) => l.trim() !== '');
    parts.push(`<details><summary>rounds.jsonl (${lines.length} rounds: selected clients, weights, per-client losses, aggregator diagnostics)</summary><pre>${esc(lines.slice(0, maxRows).join('\n'))}${lines.length > maxRows ? `\n… ${lines.length - maxRows} more lines in rounds.jsonl` : ''}</pre></details>`);
  }
  if (perRound.length === 0 && !folder.exists('rounds.jsonl')) parts.push('<p class="note">This run has no per-round log.</p>');
  parts.push(`<h2 id="columns">Columns</h2><p class="note">What every column of this folder's CSV files means (also in COLUMNS.md).</p>`, columnsHtml(folder));
  const { scenario: _s, ...rest } = m ?? {};
  parts.push(`<h2 id="manifest">Manifest</h2><pre>${esc(JSON.stringify(rest, null, 2))}</pre>`, `</body></html>\n`);
  return parts.join('\n');
}

/** Write report.html and COLUMNS.md into the folder (call after the run's files and figures are in place). */
export function writeReport(folder: RunFolder, opts: ReportOptions = {}): string {
  writeColumnsDoc(folder);
  folder.writeText('report.html', reportHtml(folder, opts));
  return folder.path('report.html');
}
