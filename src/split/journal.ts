/**
 * The journal that makes a split run resumable: one JSON line per finished (task, trial, scheduler)
 * unit with every row it contributed (metrics, summary, timing, delay). `--resume` reads it back and
 * skips those units; every unit draws from its own named streams (task, trial, round, device), so the
 * units it then runs give the same rows as in an uninterrupted run, and the files the same bytes.
 *
 * Rows are stored as [column, value] pairs: a JSON object would drop an `undefined` cell and with it
 * the column's place in the CSV's first-seen order (undefined, null and the allowed non-finite bounds
 * all become an empty cell, so null stands for all three). The journal is removed once the run's
 * files are complete: it duplicates them.
 */
import { rmSync } from 'node:fs';
import type { CsvRow, CsvValue } from '../results/csv.js';
import type { RunFolder } from '../results/run-folder.js';

export const SPLIT_JOURNAL = 'split-units.jsonl';

/** The rows one (task, trial, scheduler) unit adds to the run's files. */
export interface SplitUnit {
  task: string;
  trial: number;
  scheduler: string;
  metrics: CsvRow[];
  summary: CsvRow;
  timing: CsvRow;
  delay: CsvRow[];
}

type Pairs = [string, CsvValue][];
interface Line { task: string; trial: number; scheduler: string; metrics: Pairs[]; summary: Pairs; timing: Pairs; delay: Pairs[] }

// a non-finite number reaches here only where csv.ts allows it (an empty cell): the CSV is written first
const toPairs = (r: CsvRow): Pairs => Object.entries(r).map(([k, v]) => [k, v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v]);
const fromPairs = (p: Pairs): CsvRow => Object.fromEntries(p) as CsvRow;
const key = (task: string, trial: number, scheduler: string) => JSON.stringify([task, trial, scheduler]);

export class SplitJournal {
  private readonly done = new Map<string, SplitUnit>();

  /** resume: read the units a killed run finished; otherwise start empty (a stale journal is dropped). */
  constructor(private readonly folder: RunFolder, resume: boolean) {
    if (!resume) {
      rmSync(folder.path(SPLIT_JOURNAL), { force: true });
      return;
    }
    for (const l of folder.readJsonl<Line>(SPLIT_JOURNAL)) {
      this.done.set(key(l.task, l.trial, l.scheduler), {
        task: l.task, trial: l.trial, scheduler: l.scheduler,
        metrics: l.metrics.map(fromPairs), summary: fromPairs(l.summary), timing: fromPairs(l.timing), delay: l.delay.map(fromPairs),
      });
    }
  }

  /** How many finished units the journal holds. */
  get size(): number {
    return this.done.size;
  }

  get(task: string, trial: number, scheduler: string): SplitUnit | undefined {
    return this.done.get(key(task, trial, scheduler));
  }

  /** Record a finished unit (one flushed line: a kill mid-write leaves a torn line, which is skipped). */
  record(u: SplitUnit): void {
    const line: Line = {
      task: u.task, trial: u.trial, scheduler: u.scheduler,
      metrics: u.metrics.map(toPairs), summary: toPairs(u.summary), timing: toPairs(u.timing), delay: u.delay.map(toPairs),
    };
    this.folder.appendJsonl(SPLIT_JOURNAL, line);
    this.done.set(key(u.task, u.trial, u.scheduler), u);
  }

  /** The run's files are complete: the journal is no longer needed. */
  remove(): void {
    rmSync(this.folder.path(SPLIT_JOURNAL), { force: true });
  }
}
