/**
 * The end-of-run summary of an AirFL comparison: final metrics per scheme and rank, and the **paired**
 * difference of each scheme's final evaluation loss to ideal aggregation's. Every scheme of a rank
 * trains on the same clients, data and evaluation sets (paired by construction), so the difference is
 * taken client by client — each client's held-out loss under the scheme minus under ideal — and its 95%
 * t-interval is over the K clients' evaluation sets. (One seed: this interval covers evaluation-set
 * variation, not training-seed variation; a sweep with `trials` gives the latter.)
 */
import type { CsvRow } from '../results/csv.js';
import type { RunFolder } from '../results/run-folder.js';
import { summarize } from '../stats/summary.js';

interface EvalRecord { round: number; eval?: { loss: number; perClientLoss?: number[] } }

/** Per-client final evaluation losses of one sub-run (runs/r<rank>-<label>/rounds.jsonl). */
function finalPerClient(folder: RunFolder, rank: number, label: string): number[] | undefined {
  const rel = `runs/r${rank}-${label}/rounds.jsonl`;
  if (!folder.exists(rel)) return undefined;
  const recs = folder.readJsonl<EvalRecord>(rel).filter((r) => r.eval?.perClientLoss);
  return recs.length ? recs[recs.length - 1]!.eval!.perClientLoss : undefined;
}

const cell = (x: number) => (Number.isFinite(x) ? x : null);

/** Rows of summary.csv: per rank × scheme, final metrics and the paired Δ eval loss vs ideal with its 95% CI. */
export function airflSummary(folder: RunFolder, final: CsvRow[], reference = 'ideal'): CsvRow[] {
  const out: CsvRow[] = [];
  const perClient = new Map<string, number[] | undefined>();
  const read = (rank: number, label: string) => {
    const key = `r${rank}-${label}`;
    if (!perClient.has(key)) perClient.set(key, finalPerClient(folder, rank, label));
    return perClient.get(key);
  };
  for (const row of final) {
    const rank = Number(row['rank']);
    const label = String(row['scheme']);
    const mine = read(rank, label);
    const ref = final.some((r) => String(r['scheme']) === reference && Number(r['rank']) === rank) ? read(rank, reference) : undefined;
    let delta = { mean: NaN, ciLow: NaN, ciHigh: NaN, n: 0 };
    if (mine && ref && mine.length === ref.length && label !== reference) {
      const d = summarize(mine.map((v, k) => v - ref[k]!));
      delta = { mean: d.mean, ciLow: d.ciLow, ciHigh: d.ciHigh, n: d.n };
    }
    out.push({
      scheme: label, rank, eval_loss: row['eval_loss'] ?? null, perplexity: row['perplexity'] ?? null, accuracy: row['accuracy'] ?? null,
      nmse_mean: row['nmse_mean'] ?? null,
      delta_eval_loss_vs_ideal: cell(delta.mean), delta_ci_low: cell(delta.ciLow), delta_ci_high: cell(delta.ciHigh), paired_clients: delta.n,
    });
  }
  return out;
}

const fmt = (v: unknown, digits = 4) => (typeof v === 'number' && Number.isFinite(v) ? (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(digits) : v.toExponential(2)) : '–');

/** The summary as a terminal table. */
export function formatAirflSummary(rows: CsvRow[]): string {
  const head = ['rank', 'scheme', 'eval loss', 'perplexity', 'NMSE (mean)', 'Δ loss vs ideal [95% CI, paired over clients]'];
  const body = rows.map((r) => [
    String(r['rank']), String(r['scheme']), fmt(r['eval_loss']), fmt(r['perplexity'], 2), fmt(r['nmse_mean']),
    r['delta_eval_loss_vs_ideal'] === null ? '–' : `${fmt(r['delta_eval_loss_vs_ideal'])} [${fmt(r['delta_ci_low'])}, ${fmt(r['delta_ci_high'])}] (n=${r['paired_clients']})`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n') + '\n';
}
