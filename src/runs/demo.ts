/**
 * A small synthetic kind (`demo`) for tests, benchmarks and the docs: a Monte-Carlo estimate of the
 * NMSE of averaging K noisy copies of a unit-power signal received on N antennas at a given SNR, for
 * two schemes. Analytic value: NMSE = 10^(−snr/10) / (N·K) for 'mrc' and twice that for 'single'
 * (which uses half the antennas). It exercises the same path as a real kind (scenario → lifecycle →
 * metrics.csv) at a tunable cost.
 *
 *   kind: demo
 *   seed: 1
 *   demo: { snr_db: 10, antennas: 4, devices: 8, samples: 2000, trials: 3 }
 */
import { UserInputError } from '../errors.js';
import { RandomStreams } from '../random/streams.js';
import type { RawScenario, Runner } from './runner.js';

export interface DemoConfig {
  snr_db: number;
  antennas: number;
  devices: number;
  samples: number;
  trials: number;
  /** Fail on purpose (tests of failure handling). */
  fail?: boolean;
  seed: number;
}

export function demoConfig(s: RawScenario): DemoConfig {
  const d = (s.demo ?? {}) as Record<string, unknown>;
  const num = (k: keyof DemoConfig, def: number, int = false, min = -Infinity) => {
    const v = d[k] ?? def;
    if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v)) || v < min) {
      throw new UserInputError(`demo.${k}: ${JSON.stringify(v)} is not ${int ? 'an integer' : 'a number'} ≥ ${min}`, `demo.${k}`);
    }
    return v;
  };
  return {
    snr_db: num('snr_db', 10), antennas: num('antennas', 4, true, 1), devices: num('devices', 8, true, 1),
    samples: num('samples', 2000, true, 1), trials: num('trials', 3, true, 1), fail: d.fail === true,
    seed: typeof s.seed === 'number' ? s.seed : 0,
  };
}

export const demoRunner: Runner<DemoConfig> = {
  kind: 'demo',
  detect: (s) => s.demo !== undefined,
  resolve: (s) => ({ config: demoConfig(s), scenario: s, seed: typeof s.seed === 'number' ? s.seed : 0, name: typeof s.name === 'string' ? s.name : 'demo' }),
  overrides: { seed: 'seed' },
  resumable: false,
  usesBackend: false,
  run(c, ctx) {
    if (c.fail) throw new Error('demo runner asked to fail');
    const rs = new RandomStreams(c.seed);
    const noiseVar = 10 ** (-c.snr_db / 10);
    const rows: Record<string, string | number>[] = [];
    for (const scheme of ['mrc', 'single']) {
      const n = scheme === 'mrc' ? c.antennas : Math.max(1, c.antennas >> 1);
      for (let t = 0; t < c.trials; t++) {
        // Common random numbers: both schemes see the same noise stream per trial.
        const rng = rs.stream('demo-noise', 'trial', t);
        let se = 0;
        for (let i = 0; i < c.samples; i++) {
          let acc = 0;
          for (let a = 0; a < n * c.devices; a++) acc += rng.normal();
          const err = (acc / (n * c.devices)) * Math.sqrt(noiseVar);
          se += err * err;
        }
        rows.push({ scheme, snr_db: c.snr_db, antennas: c.antennas, devices: c.devices, trial: t, nmse: se / c.samples });
      }
    }
    ctx.folder.writeCsv('metrics.csv', rows, ['scheme', 'snr_db', 'antennas', 'devices', 'trial', 'nmse']);
  },
};
