/**
 * Split federated LoRA benchmarks (group `split`):
 *  - split.solver.k100_ms: one round of the Lyapunov per-round solver (size sweep + bandwidth), K = 100.
 *  - split.round_ms / split.unsplit_round_ms: wall time of one round of split training against one
 *    round of unsplit federated LoRA on the same model and the same scheduled batches.
 */
import { timeIt, type BenchResult, type BenchSuite } from './harness.js';
import { RandomStreams } from '../src/random/streams.js';
import { defaultRadio } from '../src/split/radio.js';
import { SplitChannel } from '../src/split/delay-sim.js';
import { LyapunovScheduler } from '../src/split/schedulers/lyapunov.js';

async function solverBench(log: (m: string) => void): Promise<BenchResult> {
  const K = 100;
  const channel = new SplitChannel(new RandomStreams(1), 0, { ...defaultRadio, devices: K, bandwidthHz: 20e6 });
  const states = Array.from({ length: 16 }, (_, t) => ({
    round: t, horizon: 100, snrDensity: channel.snrDensity(t), payloadBits: new Float64Array(K).fill(4e6),
    bandwidthHz: 20e6, queue: 10 ** (-2 + (3 * t) / 15), budgetS: 1, // Q from 0.01 to 10 s
  }));
  const sched = new LyapunovScheduler({ V: 1, decay: 0.99 });
  let i = 0;
  const t = await timeIt(() => sched.decide(states[i++ % states.length]!), { warmup: 3, minRuns: 20, minTimeMs: 1000 });
  log(`solver K=100: median ${t.medianMs.toFixed(2)} ms over ${t.runs} runs`);
  return { name: 'split.solver.k100_ms', value: t.medianMs, unit: 'ms', note: `K=100, equal payloads, Q in [0.01, 10] s, ${t.runs} runs` };
}

const suite: BenchSuite = {
  group: 'split',
  names: ['split.solver.k100_ms', 'split.round_ms', 'split.unsplit_round_ms'],
  async run(log) {
    const out: BenchResult[] = [await solverBench(log)];
    return out;
  },
};
export default suite;
