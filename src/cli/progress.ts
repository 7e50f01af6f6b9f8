/**
 * Progress of a long command with an ETA: a cli-progress bar on a TTY, otherwise one line per step
 * (at most every few seconds, plus the last), so logs of batch jobs show where a run is.
 */
import { SingleBar } from 'cli-progress';
import { formatDuration as eta } from '../runs/duration.js';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function progress(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const t0 = Date.now();
  if (stream.isTTY) {
    let bar: SingleBar | undefined;
    return {
      update(done, total) {
        if (!bar) {
          bar = new SingleBar({ stream, format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta_formatted}`, hideCursor: true, etaBuffer: 20 });
          bar.start(total, 0);
        }
        bar.setTotal(total);
        bar.update(done);
      },
      stop: () => bar?.stop(),
    };
  }
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < 5000) return;
      last = now;
      const el = (now - t0) / 1000;
      const rate = done > 0 ? el / done : NaN;
      stream.write(`[airlora] ${label}: ${done}/${total} ${unit} (${Math.round((100 * done) / Math.max(1, total))}%), elapsed ${eta(el)}, eta ${eta(rate * (total - done))}\n`);
    },
    stop() {},
  };
}
