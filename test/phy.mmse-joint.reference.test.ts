/**
 * The joint MMSE design against its previous implementation (test/support/mmse-joint-lbfgs.ts, kept
 * verbatim): on fixed-seed draws, in both budget modes, the current design's MSE is the same or lower
 * (within 1e-6 relative), its precoders meet the budgets, and its reported MSE is the exact MSE of (U, V).
 */
import { expect } from 'chai';
import { createScheme, precoderPower, type DesignContext } from '../src/phy/aircomp/index.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { RandomStreams } from '../src/random/streams.js';
import { jointMmseLbfgs } from './support/mmse-joint-lbfgs.js';

const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

describe('phy.mmse joint transceiver vs the previous algorithm', function () {
  this.timeout(120_000);
  const cases = [
    { K: 8, Nr: 8, Nt: 4, S: 2, M: 12, seed: 21, csiError: 0 },
    { K: 6, Nr: 8, Nt: 2, S: 2, M: 12, seed: 22, csiError: 0.05 },
    { K: 10, Nr: 6, Nt: 3, S: 3, M: 8, seed: 23, csiError: 0 },
  ];
  for (const c of cases) {
    for (const powerMode of ['symbol', 'subcarrier'] as const) {
      it(`K=${c.K} N_r=${c.Nr} N_t=${c.Nt} S=${c.S} M=${c.M}, per-${powerMode} budget: same MSE or lower at 0 and 10 dB`, () => {
        const ch = generateChannel({ K: c.K, Nr: c.Nr, Nt: c.Nt, M: c.M, iidSubcarriers: true, csiError: c.csiError }, new RandomStreams(c.seed), { trial: 0, round: 0 });
        // unequal weights, one device silent: the budgets bind differently per device
        const phi = Float64Array.from({ length: c.K }, (_, k) => (k === 1 ? 0 : 1 + (k % 3)));
        const tot = sum(phi);
        for (let k = 0; k < c.K; k++) phi[k] /= tot;
        for (const snr of [0, 10]) {
          const ctx: DesignContext = { phi, sigma2: 10 ** (-snr / 10), P: 1, powerMode, S: c.S };
          const d = createScheme('mmse').design(ch, ctx);
          const ref = jointMmseLbfgs(ch, ctx);
          const got = sum(d.analyticMse), want = sum(ref.analyticMse);
          expect(got, `${snr} dB: ${got} vs previous ${want}`).to.be.at.most(want * (1 + 1e-6));
          expect(got).to.be.closeTo(d.info!.mse!, 1e-9 * got);
          const p = precoderPower(d, c.K, c.M);
          for (let k = 0; k < c.K; k++) {
            const row = p.slice(k * c.M, (k + 1) * c.M);
            if (powerMode === 'symbol') expect(sum(row)).to.be.at.most(c.M * (1 + 1e-9));
            else for (const v of row) expect(v).to.be.at.most(1 + 1e-9);
            if (phi[k] === 0) expect(sum(row)).to.equal(0);
          }
        }
      });
    }
  }
});
