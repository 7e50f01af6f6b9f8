import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenarioText } from '../src/scenario/index.js';
import { RunFolder } from '../src/results/run-folder.js';
import { resolveAirfl, runAirfl } from '../src/runs/airfl.js';
import { initBackend } from '../src/tf/index.js';

const yaml = (joint: boolean) => `
name: airfl-test
seed: 5
model: { preset: gpt-small, overrides: { layers: 1, hidden: 32, heads: 2, intermediate: 64 } }
lora: { r: 2, lora_alpha: 4, target_modules: [query, value] }
data: { dataset: brown, partition: { kind: one-label }, seq_len: 16, eval_per_client: 2, genres: [news, humor, romance] }
fl: { rounds: 2, clients: 3, local_steps: 1, batch_size: 2, lr: 0.01 }
phy: { antennas: { device: 2, server: 4 }, streams: 2, subcarriers: 16, snr_db: 20 }
aggregation: [ideal, zf, { scheme: digital, bits: 8 }]
airfl:
  ranks: [2]
  joint: ${joint}
  design: { ranks: [1, 2, 4], estimate_rounds: 3, channel_draws: 1, scheme: zf }
`;

describe('airfl/run-scenario', function () {
  this.timeout(300_000);
  let dir: string;
  before(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    dir = mkdtempSync(join(tmpdir(), 'airfl-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('trains every scheme on identical client draws, logs NMSE/air-time, and the joint design picks a grid rank', async () => {
    const c = resolveAirfl(parseScenarioText(yaml(true), 'airfl-test'), 'airfl-test');
    const folder = RunFolder.create({ out: join(dir, 'a'), name: c.training.name, scenario: c.scenario });
    folder.writeManifest({ kind: 'airfl', scenario: c.scenario, seed: c.training.seed });
    const { final, design } = await runAirfl(c, { folder, resume: false, log: () => {} });
    expect(design).to.not.equal(undefined);
    expect([1, 2, 4]).to.include(design!.chosen_rank);
    expect([1, 2, 4]).to.include(design!.exhaustive_rank);
    expect(design!.ranks.map((r) => r.rank)).to.deep.equal([1, 2, 4]);
    expect(design!.ranks.filter((r) => r.evaluated).length).to.be.at.least(2);
    const schemes = new Set(final.map((r) => r['scheme']));
    expect([...schemes]).to.have.members(['ideal', 'zf', 'digital']);
    // paired comparison: every scheme's run selected the same clients with the same weights each round
    const clients = (label: string, r: number) => readFileSync(join(folder.dir, 'runs', `r${r}-${label}`, 'rounds.jsonl'), 'utf8')
      .trim().split('\n').map((l) => JSON.stringify((JSON.parse(l) as { clients?: unknown }).clients));
    expect(clients('zf', 2)).to.deep.equal(clients('ideal', 2));
    expect(clients('digital', 2)).to.deep.equal(clients('ideal', 2));
    const zf = final.find((r) => r['scheme'] === 'zf' && r['rank'] === 2)!;
    const ideal = final.find((r) => r['scheme'] === 'ideal' && r['rank'] === 2)!;
    expect(Number(zf['nmse_mean'])).to.be.greaterThan(0);
    expect(Number(ideal['nmse_mean'])).to.equal(0);
    expect(Number(zf['latency_total_s'])).to.be.greaterThan(0);
    const metrics = folder.readCsv('metrics.csv');
    expect(metrics.every((r) => r['scheme'] !== undefined && r['rank'] !== undefined)).to.equal(true);
  });

  it('resume keeps finished runs, re-trains the missing one, and reproduces the same metrics', async () => {
    const c = resolveAirfl(parseScenarioText(yaml(false), 'airfl-test'), 'airfl-test');
    const f1 = RunFolder.create({ out: join(dir, 'b'), name: c.training.name, scenario: c.scenario });
    f1.writeManifest({ kind: 'airfl', scenario: c.scenario, seed: c.training.seed });
    await runAirfl(c, { folder: f1, resume: false, log: () => {} });
    const first = f1.readText('metrics.csv');
    // a run killed before its last scheme: that scheme's folder is missing, the others are complete
    rmSync(join(dir, 'b', 'runs', 'r2-digital'), { recursive: true, force: true });
    const again = RunFolder.open(join(dir, 'b'));
    await runAirfl(c, { folder: again, resume: true, log: () => {} });
    expect(again.readText('metrics.csv')).to.equal(first);
  });
});
