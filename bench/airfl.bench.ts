/**
 * Share of a training round's wall time spent in the PHY (channel draw, transceiver design, mapping,
 * superposition, combining) for scenarios/airfl-lora.yaml, shortened to 2 rounds at rank 8, per
 * over-the-air scheme. `airfl.phy_share` reports the costliest scheme (manifold).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { BenchSuite, BenchResult } from './harness.js';
import { RunFolder } from '../src/results/run-folder.js';
import { resolveAirfl, runAirfl } from '../src/runs/airfl.js';
import { initBackend } from '../src/tf/index.js';

const suite: BenchSuite = {
  group: 'airfl',
  names: ['airfl.phy_share'],
  async run(log) {
    await initBackend({ backend: 'auto', quiet: true });
    const raw = parse(readFileSync('scenarios/airfl-lora.yaml', 'utf8')) as Record<string, any>;
    raw.fl.rounds = 2;
    raw.aggregation = ['zf', 'manifold'];
    raw.airfl = { ranks: [8], joint: false };
    delete raw.figures;
    const c = resolveAirfl(raw, 'airfl-lora (bench)');
    const dir = mkdtempSync(join(tmpdir(), 'airfl-bench-'));
    try {
      const folder = RunFolder.create({ out: join(dir, 'run'), name: c.training.name, scenario: c.scenario });
      folder.writeManifest({ kind: 'airfl', scenario: c.scenario, seed: c.training.seed });
      await runAirfl(c, { folder, resume: false, log: () => {} });
      const out: BenchResult[] = [];
      let worst = 0;
      for (const scheme of ['zf', 'manifold']) {
        const lines = readFileSync(join(folder.dir, 'runs', `r8-${scheme}`, 'rounds.jsonl'), 'utf8').trim().split('\n')
          .map((l) => JSON.parse(l) as { round: number; wallS?: number; diagnostics?: { phyMs?: number } });
        let phy = 0, wall = 0;
        for (const l of lines) {
          if (l.round < 1 || l.wallS === undefined) continue;
          phy += (l.diagnostics?.phyMs ?? 0) / 1000;
          wall += l.wallS;
        }
        const share = wall > 0 ? phy / wall : NaN;
        log(`${scheme}: PHY ${phy.toFixed(2)} s of ${wall.toFixed(2)} s round wall time`);
        out.push({ name: `airfl.phy_share.${scheme}`, value: share, unit: 'fraction', note: `PHY ${phy.toFixed(2)} s / round wall ${wall.toFixed(2)} s` });
        worst = Math.max(worst, share);
      }
      out.unshift({ name: 'airfl.phy_share', value: worst, unit: 'fraction', note: 'costliest scheme (target < 0.10)' });
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
export default suite;
