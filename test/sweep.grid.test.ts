import { expect } from 'chai';
import { expandSweep, trialSeed, parseSweep } from '../src/sweep/grid.js';
import { canonicalHash } from '../src/results/canonical.js';
import { UserInputError } from '../src/errors.js';

const base = { kind: 'demo', seed: 9, demo: { snr_db: 0, antennas: 4 }, nested: { a: { b: 1 } } };

describe('sweep: grid expansion', () => {
  it('expands the grid in written order (first key outermost), trials innermost, with stable ids', () => {
    const plan = expandSweep({ ...base, sweep: { grid: { 'demo.snr_db': [0, 10, 20], 'demo.antennas': [2, 8] }, trials: 2 } });
    expect(plan.jobs).to.have.length(12);
    expect(plan.jobs.map((j) => j.id).slice(0, 3)).to.deep.equal(['j0000', 'j0001', 'j0002']);
    expect(plan.jobs.map((j) => [j.point['demo.snr_db'], j.point['demo.antennas'], j.trial]).slice(0, 5))
      .to.deep.equal([[0, 2, 0], [0, 2, 1], [0, 8, 0], [0, 8, 1], [10, 2, 0]]);
    const j = plan.jobs[5]!;
    expect(j.scenario).to.deep.equal({ kind: 'demo', seed: trialSeed(9, 1), demo: { snr_db: 10, antennas: 2 }, nested: { a: { b: 1 } } });
    expect(j.hash).to.equal(canonicalHash(j.scenario));
    expect(plan.columns).to.deep.equal({ 'demo.snr_db': 'snr_db', 'demo.antennas': 'antennas' });
  });

  it('trial 0 keeps the scenario seed; other trials get distinct derived seeds, the same for every grid point', () => {
    expect(trialSeed(9, 0)).to.equal(9);
    const seeds = new Set([0, 1, 2, 3, 4].map((t) => trialSeed(9, t)));
    expect(seeds.size).to.equal(5);
    const plan = expandSweep({ ...base, sweep: { grid: { 'demo.snr_db': [0, 10] }, trials: 3 } });
    expect(plan.jobs.filter((j) => j.trial === 2).map((j) => j.seed)).to.deep.equal([trialSeed(9, 2), trialSeed(9, 2)]);
    expect(trialSeed(9, 1)).to.be.within(0, 2 ** 31 - 1);
  });

  it('a sweep without grid is its trials; the base scenario is not modified', () => {
    const sc = { ...base, sweep: { trials: 3 } };
    const copy = structuredClone(sc);
    const plan = expandSweep(sc);
    expect(plan.jobs.map((j) => j.seed)).to.deep.equal([9, trialSeed(9, 1), trialSeed(9, 2)]);
    expect(plan.jobs.every((j) => !('sweep' in j.scenario))).to.equal(true);
    expect(sc).to.deep.equal(copy);
  });

  it('refuses unknown paths (naming the keys there), seed sweeps and bad sections', () => {
    expect(() => expandSweep({ ...base, sweep: { grid: { 'demo.snr': [1] } } })).to.throw(UserInputError, /'demo.snr'.*snr_db, antennas/);
    expect(() => expandSweep({ ...base, sweep: { grid: { seed: [1, 2] } } })).to.throw(UserInputError, /cannot be swept/);
    expect(() => parseSweep({ grid: { 'a.b': [] } })).to.throw(UserInputError, /sweep\.grid\.a\.b/);
    expect(() => parseSweep({ trials: 0 })).to.throw(UserInputError, /sweep\.trials/);
    expect(() => parseSweep({ grd: {} })).to.throw(UserInputError);
    // paths may be checked against a resolved reference instead of the raw scenario
    const plan = expandSweep({ kind: 'demo', seed: 1, sweep: { grid: { 'demo.snr_db': [1] } } }, { reference: base });
    expect(plan.jobs[0]!.scenario).to.deep.equal({ kind: 'demo', seed: 1, demo: { snr_db: 1 } });
  });

  it('grid columns: last path part, full path when two collide, explicit names win', () => {
    const plan = expandSweep({ ...base, x: { a: { b: 0 } }, sweep: { grid: { 'nested.a.b': [1], 'x.a.b': [2], 'demo.antennas': [3] }, columns: { 'demo.antennas': 'nr' } } });
    expect(plan.columns).to.deep.equal({ 'nested.a.b': 'nested_a_b', 'x.a.b': 'x_a_b', 'demo.antennas': 'nr' });
    expect(expandSweep({ phy: { antennas: { server: 8 } }, sweep: { grid: { 'phy.antennas.server': [4] } } }).columns).to.deep.equal({ 'phy.antennas.server': 'server_antennas' });
  });
});
