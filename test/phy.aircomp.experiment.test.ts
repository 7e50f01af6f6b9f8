import { expect } from 'chai';
import { createScheme } from '../src/phy/aircomp/index.js';
import { runPhyExperiment, type PhyExperiment } from '../src/phy/experiment/montecarlo.js';
import { toDb } from '../src/stats/summary.js';

function experiment(over: Partial<PhyExperiment> = {}): PhyExperiment {
  const K = 6;
  return {
    seed: 11, trials: 12, K, Nt: 2, serverAntennas: [6], M: 16, D: 16 * 2 * 2 * 4,
    channel: { iidSubcarriers: true },
    points: [20, 30, 40].map((snr) => ({ label: `snr=${snr}`, snrDb: snr, powerDbm: null, P: 1, sigma2: Math.pow(10, -snr / 10) })),
    powerMode: 'subcarrier', phi: new Float64Array(K).fill(1 / K), updateCorrelation: 0.5, receivePath: 'effective',
    schemes: ['ideal', 'zf', 'mmse'].map((n) => ({ label: n, S: 2, scheme: createScheme(n) })),
    ...over,
  };
}

describe('phy.aircomp experiment (full chain: map → design → channel → noise → combine → de-map)', () => {
  it('zf NMSE of the de-mapped aggregate falls 10 dB per 10 dB of SNR; mmse ≤ zf; ideal is exact', () => {
    const { summary } = runPhyExperiment(experiment());
    const get = (s: string, p: string) => summary.find((r) => r.scheme === s && r.point === p)!;
    const z20 = get('zf', 'snr=20').nmse_mean_db, z30 = get('zf', 'snr=30').nmse_mean_db, z40 = get('zf', 'snr=40').nmse_mean_db;
    // paired draws across SNR: the same channel, data and (scaled) noise, so the slope is exact for zf
    expect(z20 - z30).to.be.closeTo(10, 0.3);
    expect(z30 - z40).to.be.closeTo(10, 0.3);
    for (const p of ['snr=20', 'snr=30', 'snr=40']) {
      expect(get('mmse', p).nmse_analytic_on_estimate_mean).to.be.at.most(get('zf', p).nmse_analytic_on_estimate_mean * (1 + 1e-9));
      expect(get('ideal', p).nmse_mean).to.be.below(1e-25);
      // measured agrees with the analytic prediction within the CI of the mean
      const z = get('zf', p);
      expect(z.nmse_analytic_on_estimate_mean).to.be.within(z.nmse_ci_low, z.nmse_ci_high);
    }
    expect(toDb(get('zf', 'snr=20').nmse_mean)).to.be.below(0);
  });

  it('the effective and receive-domain paths agree in distribution (same designs, independent noise)', () => {
    const eff = runPhyExperiment(experiment({ trials: 30, points: [{ label: 'snr=5', snrDb: 5, powerDbm: null, P: 1, sigma2: Math.pow(10, -0.5) }] }));
    const rec = runPhyExperiment(experiment({ trials: 30, receivePath: 'receive', points: [{ label: 'snr=5', snrDb: 5, powerDbm: null, P: 1, sigma2: Math.pow(10, -0.5) }] }));
    for (const s of ['zf', 'mmse']) {
      const a = eff.summary.find((r) => r.scheme === s)!, b = rec.summary.find((r) => r.scheme === s)!;
      // difference of two independent means: within the combined 95% half-widths
      expect(Math.abs(a.nmse_mean - b.nmse_mean)).to.be.below(Math.hypot(a.nmse_ci_high - a.nmse_mean, b.nmse_ci_high - b.nmse_mean));
    }
  });

  it('same seed, same numbers; schemes see common draws whatever their order', () => {
    const a = runPhyExperiment(experiment({ trials: 3 }));
    const b = runPhyExperiment(experiment({ trials: 3, schemes: ['mmse', 'zf', 'ideal'].map((n) => ({ label: n, S: 2, scheme: createScheme(n) })) }));
    for (const s of ['ideal', 'zf', 'mmse']) {
      expect(JSON.stringify(b.rows.filter((r) => r.scheme === s))).to.equal(JSON.stringify(a.rows.filter((r) => r.scheme === s)));
    }
    const c = runPhyExperiment(experiment({ trials: 3, seed: 12 }));
    expect(c.rows[3]!.nmse).not.to.equal(a.rows[3]!.nmse);
  });
});
