/**
 * Merge finished job folders into the sweep folder: every *.csv a job wrote becomes one tidy CSV
 * of the same name with `job`, the trial (when trials > 1) and the grid columns in front; every
 * *.jsonl is concatenated with a `job` field. Jobs are taken in index order and cells are copied
 * as written, so the merged bytes do not depend on which thread or machine ran which job.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { UserInputError } from '../errors.js';
import { parseCsv, csvHeader, type CsvRow } from '../results/csv.js';
import type { RunFolder } from '../results/run-folder.js';
import { readJsonl } from '../results/run-folder.js';
import { isJobDone, jobDir } from './execute.js';
import type { SweepPlan } from './grid.js';
import { join } from 'node:path';

export interface MergeResult { files: string[]; rows: Record<string, number> }

/** A grid value as a CSV cell: scalars as they are; an object by its label/name/scheme/kind, else JSON. */
export function cellOf(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of ['label', 'name', 'scheme', 'kind']) if (typeof o[k] === 'string') return o[k] as string;
  }
  return JSON.stringify(v);
}

export function mergeSweep(folder: RunFolder, plan: SweepPlan): MergeResult {
  const missing = plan.jobs.filter((j) => !isJobDone(folder.dir, j));
  if (missing.length) {
    const ids = missing.slice(0, 8).map((j) => j.id).join(', ') + (missing.length > 8 ? ', ...' : '');
    throw new UserInputError(
      `merge: ${missing.length} of ${plan.jobs.length} jobs are not finished (${ids}); run them (airlora sweep FILE --resume ${folder.dir}, or airlora sweep-job) first`, 'jobs');
  }
  // file names across jobs, in first-seen order
  const files: string[] = [];
  for (const j of plan.jobs) {
    for (const f of readdirSync(jobDir(folder.dir, j)).sort()) {
      if ((f.endsWith('.csv') || f.endsWith('.jsonl')) && !f.startsWith('.') && !files.includes(f)) files.push(f);
    }
  }
  const gridPaths = Object.keys(plan.sweep.grid);
  const res: MergeResult = { files: [], rows: {} };
  for (const f of files) {
    if (f.endsWith('.csv')) {
      const headers = plan.jobs.map((j) => {
        try { return csvHeader(readFileSync(join(jobDir(folder.dir, j), f), 'utf8')); } catch { return []; }
      });
      const runnerCols: string[] = [];
      for (const h of headers) for (const c of h) if (!runnerCols.includes(c)) runnerCols.push(c);
      const trialCol = plan.sweep.trials > 1 ? (runnerCols.includes('trial') ? 'sweep_trial' : 'trial') : undefined;
      const front = ['job', ...(trialCol ? [trialCol] : []), ...gridPaths.map((p) => plan.columns[p]!)].filter((c) => !runnerCols.includes(c) || c === 'job');
      const columns = [...front, ...runnerCols.filter((c) => !front.includes(c))];
      const rows: CsvRow[] = [];
      for (const j of plan.jobs) {
        let jr: Record<string, string>[];
        try { jr = parseCsv(readFileSync(join(jobDir(folder.dir, j), f), 'utf8')); } catch { continue; }
        const pre: CsvRow = { job: j.id };
        if (trialCol) pre[trialCol] = j.trial;
        for (const p of gridPaths) pre[plan.columns[p]!] = cellOf(j.point[p]);
        for (const r of jr) rows.push({ ...pre, ...r, job: j.id });
      }
      folder.writeCsv(f, rows, columns);
      res.rows[f] = rows.length;
    } else {
      const lines: string[] = [];
      for (const j of plan.jobs) {
        for (const v of readJsonl(join(jobDir(folder.dir, j), f))) {
          lines.push(JSON.stringify(v && typeof v === 'object' && !Array.isArray(v) ? { job: j.id, ...(v as object) } : { job: j.id, value: v }));
        }
      }
      folder.writeText(f, lines.length ? lines.join('\n') + '\n' : '');
      res.rows[f] = lines.length;
    }
    res.files.push(f);
  }
  return res;
}
