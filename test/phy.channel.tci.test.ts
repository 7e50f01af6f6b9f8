import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { TciScheme } from '../src/phy/aircomp/tci.js';

/** E1(x) = −γ − ln x − Σ_{n≥1} (−x)^n/(n·n!) (series; independent of the simulator). */
function expint1(x: number): number {
  let s = 0, term = 1;
  for (let n = 1; n < 60; n++) {
    term *= -x / n;
    s += term / n;
  }
  return -0.5772156649015329 - Math.log(x) - s;
}

describe('phy/aircomp tci vs broadband analog aggregation (Zhu–Wang–Huang)', () => {
  it('receive SNR ρ/σ² → P/(σ²·E1(g_th)) under the average power constraint (SISO Rayleigh, large M); truncation 1 − e^{−g_th}', () => {
    const K = 4, M = 8192, P = 1, sigma2 = 0.1;
    for (const th of [0.1, 0.3]) {
      const ch = generateChannel({ K, Nr: 1, Nt: 1, M, iidSubcarriers: true }, new RandomStreams(11), { trial: 0, round: 0 });
      const phi = new Float64Array(K).fill(1 / K);
      const d = new TciScheme({ threshold: th }).design(ch, { phi, sigma2, P, powerMode: 'symbol', S: 1 });
      const snr = (d.info!['rho'] as number) / sigma2;
      const baa = P / (sigma2 * expint1(th));
      // each device's empirical E[1/g; g ≥ g_th] over 8192 subcarriers has ≈ 1.3 % relative error; ρ takes the min over K = 4
      expect(snr / baa, `g_th = ${th}: ${snr} vs ${baa}`).to.be.within(0.93, 1.02);
      expect(d.info!['silentFraction'] as number).to.be.closeTo(1 - Math.exp(-th), 0.01);
      // what the server receives from an active device: |h v|² = ρ (equal weights), silent devices send nothing
      const h = ch.H.data, v = d.V.data;
      for (const idx of [0, 1, 2, 5000, 3 * M + 17]) {
        const re = h[2 * idx]! * v[2 * idx]! - h[2 * idx + 1]! * v[2 * idx + 1]!;
        const im = h[2 * idx]! * v[2 * idx + 1]! + h[2 * idx + 1]! * v[2 * idx]!;
        if (d.silent![idx]) expect(re * re + im * im).to.equal(0);
        else expect((re * re + im * im) / (d.info!['rho'] as number)).to.be.closeTo(1, 1e-9);
      }
    }
  });
});
