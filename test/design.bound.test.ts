import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parseCsv } from '../src/results/csv.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenarioText } from '../src/scenario/index.js';
import { RunFolder } from '../src/results/run-folder.js';
import { resolveAirfl, runAirfl } from '../src/runs/airfl.js';
import { initBackend } from '../src/tf/index.js';

// A tiny model that learns within a few rounds (Adam, small vocabulary), three devices at 0 dB, and
// an energy budget that binds: the bound with measured constants must lie above the measured gap for
// every trained rank and scheme, the joint MMSE transceiver (biased: c̄ < 1) included.
const yaml = `
name: design-bound
seed: 3
model: { preset: gpt-small, overrides: { layers: 1, hidden: 32, heads: 2, intermediate: 64 } }
lora: { r: 2, lora_alpha: 4, target_modules: [query, value, fc] }
data: { dataset: brown, partition: { kind: one-label }, seq_len: 16, eval_per_client: 4, genres: [news, humor, romance], vocab_size: 128 }
fl: { rounds: 3, clients: 3, local_steps: 6, batch_size: 4, optimizer: adam, lr: 0.05 }
phy: { antennas: { device: 2, server: 4 }, streams: 2, subcarriers: 16, snr_db: 0 }
aggregation: [ideal, zf, mmse, manifold]
airfl:
  ranks: [1, 4]
  joint: true
  design: { ranks: [1, 2, 4], estimate_rounds: 4, channel_draws: 2, energy_budget_j: 0.002 }
`;

describe('design/bound against measurement (tiny model)', function () {
  this.timeout(300_000);
  let dir: string;
  before(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    dir = mkdtempSync(join(tmpdir(), 'design-bound-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the bound lies above the measured gap F(θ_T) − F* for every trained rank and scheme', async () => {
    const raw = parseScenarioText(yaml, 'design-bound');
    const c = resolveAirfl(raw, 'design-bound');
    const folder = RunFolder.create({ out: join(dir, 'a'), name: c.training.name, scenario: c.scenario });
    folder.writeManifest({ kind: 'airfl', scenario: c.scenario, seed: c.training.seed });
    const { design } = await runAirfl(c, { folder, resume: false, log: () => {} });
    const k = design!.constants;
    // the reference rank is off the grid; ε(r) is measured against it at every trained rank
    expect([1, 2, 4]).to.not.include(k.reference_rank);
    expect(k.perRank.map((p) => p.r)).to.include.members([1, 2, 4]);
    expect(k.L).to.be.greaterThan(0);
    expect(k.perRank.every((p) => p.variance > 0 && p.gain2 > 0 && p.eps >= 0)).to.equal(true);
    // ℓ_r probed at every rank's own points (θ₀, the truncated reference endpoint, the middle and end of
    // its own short ideal run) at both noise scales
    expect(k.perRank.every((p) => p.ell !== undefined && p.ell > 0)).to.equal(true);
    expect(k.rank_noise_curvature!.length).to.equal(k.perRank.length * 4 * 2);
    for (const p of k.perRank) {
      const rows = k.rank_noise_curvature!.filter((x) => x.rank === p.r);
      expect(p.ell).to.equal(Math.max(...rows.map((x) => x.upper)));
    }
    // the measured gap is real (training moved the loss) and the bound is checked for each scheme × rank
    const check = design!.check!;
    const trained = new Set([1, 4, design!.chosen_rank]);
    expect(check.length).to.equal(4 * trained.size);
    for (const x of check) {
      expect(x.bound, `${x.scheme} r${x.rank}: bound ${x.bound} vs measured ${x.measured}`).to.be.at.least(x.measured);
      expect(x.bound_above).to.equal(true);
    }
    // check.csv holds the same check in long form (bound and measured per scheme × rank) for the figure
    const rows = parseCsv(readFileSync(join(dir, 'a', 'check.csv'), 'utf8'));
    expect(rows.length).to.equal(2 * check.length);
    for (const x of check) {
      const get = (curve: string) => Number(rows.find((r) => r['scheme'] === x.scheme && Number(r['rank']) === x.rank && r['curve'] === curve)!['gap']);
      expect(get('bound')).to.be.closeTo(x.bound, 1e-12);
      expect(get('measured')).to.be.closeTo(x.measured, 1e-12);
    }
    // the over-the-air schemes' bounds exceed ideal's at the same rank (their aggregation term)
    for (const r of trained) {
      const ideal = check.find((x) => x.scheme === 'ideal' && x.rank === r)!;
      const zf = check.find((x) => x.scheme === 'zf' && x.rank === r)!;
      expect(zf.bound).to.be.greaterThan(ideal.bound);
      expect(zf.mse).to.be.greaterThan(0);
      // the joint MMSE transceiver shrinks the aggregate; its bound (slower contraction, uncorrelated
      // error as noise) is charged with its own alignment gain and still covers the measured gap
      const mmse = check.find((x) => x.scheme === 'mmse' && x.rank === r)!;
      expect(mmse.shrink).to.be.lessThan(1);
      expect(mmse.shrink).to.be.greaterThan(0);
      expect(zf.shrink).to.be.closeTo(1, 1e-9);
      expect(mmse.bound).to.be.greaterThan(ideal.bound);
    }
  });
});
