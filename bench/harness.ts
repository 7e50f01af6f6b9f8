/**
 * Benchmark harness shared by every `bench/*.bench.ts` file.
 *
 * A bench file default-exports a `BenchSuite`: a group name and a `run()` that returns the
 * measured figures. `npm run bench` runs every suite; `npm run bench -- --json` prints one JSON
 * object per line, `{"name": ..., "value": ..., "unit": ...}`; `--filter S` runs only suites whose
 * group or result names contain S.
 */
export interface BenchResult {
  /** Stable dotted name tracked over time, e.g. `phy.chain.round_ms`. */
  name: string;
  value: number;
  unit: string;
  /** Free text shown in the table (configuration, comparison). */
  note?: string;
}

export interface BenchSuite {
  group: string;
  /** Names this suite reports (used by --filter before running). */
  names: string[];
  run(log: (msg: string) => void): Promise<BenchResult[]>;
}

export interface Timing {
  medianMs: number;
  meanMs: number;
  minMs: number;
  runs: number;
}

/**
 * Time `fn` after `warmup` calls: at least `minRuns` runs and at least `minTimeMs` in total.
 * Reports the median (robust to GC pauses) with mean and min beside it.
 */
export async function timeIt(
  fn: () => unknown | Promise<unknown>,
  opts: { warmup?: number; minRuns?: number; minTimeMs?: number; maxRuns?: number } = {},
): Promise<Timing> {
  const { warmup = 1, minRuns = 5, minTimeMs = 500, maxRuns = 10_000 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - t0 < minTimeMs)) {
    const s = performance.now();
    await fn();
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const medianMs = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return {
    medianMs,
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
    minMs: times[0]!,
    runs: times.length,
  };
}
