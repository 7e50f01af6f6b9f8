/**
 * Manifold beamformer design time and gain over the zf eigenspace: 256 subcarriers, K = 20, N_r = 16,
 * N_t = 4, S = 4, per-subcarrier power budget, i.i.d. Rayleigh per subcarrier.
 */
import type { BenchSuite } from './harness.js';
import { RandomStreams } from '../src/random/streams.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { ManifoldScheme } from '../src/phy/aircomp/manifold.js';
import { ZfScheme } from '../src/phy/aircomp/zf.js';

const suite: BenchSuite = {
  group: 'design',
  names: ['design.manifold.ms', 'design.manifold.gain_db'],
  async run(log) {
    const K = 20, Nr = 16, Nt = 4, M = 256, S = 4;
    const ch = generateChannel({ K, Nr, Nt, M, iidSubcarriers: true }, new RandomStreams(1), { trial: 0, round: 0 });
    const ctx = { phi: new Float64Array(K).fill(1 / K), sigma2: 0.1, P: 1, powerMode: 'subcarrier' as const, S };
    const zf = new ZfScheme().design(ch, ctx);
    const t0 = performance.now();
    const mf = new ManifoldScheme().design(ch, ctx);
    const ms = performance.now() - t0;
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    const gain = 10 * Math.log10(sum(zf.analyticMse) / sum(mf.analyticMse));
    log(`manifold: ${mf.info?.iterations} iterations over ${M} subcarriers`);
    return [
      { name: 'design.manifold.ms', value: ms, unit: 'ms', note: `K=${K} Nr=${Nr} Nt=${Nt} S=${S} M=${M}` },
      { name: 'design.manifold.gain_db', value: gain, unit: 'dB', note: 'MSE of zf over manifold, same channel' },
    ];
  },
};
export default suite;
