/**
 * PHY Monte-Carlo runs (a scenario with no training section): NMSE of the aggregate per scheme, SNR
 * (or power) point and server-antenna count. Writes phy-trials.csv (tidy, one row per trial),
 * phy-summary.csv and phy-summary.json. `airlora phy` without --out prints the same summary.
 */
import { runPhyExperimentAsync, type PhyExperiment, type PhyResult, type PhySummaryRow } from '../phy/experiment/montecarlo.js';
import type { RunFolder } from '../results/run-folder.js';
import { resolveScenario } from '../scenario/load.js';
import { phyExperiment } from '../scenario/resolve/phy.js';
import type { Runner } from './runner.js';

export interface PhyRunConfig {
  name: string;
  experiment: PhyExperiment;
}

/** The files of a PHY run, written in one place. */
export function writePhyResults(folder: RunFolder, name: string, exp: PhyExperiment, res: PhyResult): void {
  folder.writeCsv('phy-trials.csv', res.rows);
  folder.writeCsv('phy-summary.csv', res.summary);
  // NMSE per OFDM symbol of the upload: only informative when the channel moves during it (mobility)
  if (res.bySymbol.some((r) => r.time_s !== null)) folder.writeCsv('phy-symbols.csv', res.bySymbol);
  folder.writeJson('phy-summary.json', phySummaryJson(name, exp, res.summary));
}

export function phySummaryJson(name: string, exp: PhyExperiment, summary: PhySummaryRow[]): object {
  return { name, seed: exp.seed, trials: exp.trials, summary };
}

export const phyRunner: Runner<PhyRunConfig> = {
  kind: 'phy',
  detect: () => true,
  resolve(raw, source) {
    const s = resolveScenario(raw, source);
    return { config: { name: s.name, experiment: phyExperiment(s) }, scenario: s, seed: s.seed, name: s.name };
  },
  overrides: { trials: 'trials', seed: 'seed' },
  resumable: false,
  usesBackend: false,
  async run(c, ctx) {
    const res = await runPhyExperimentAsync(c.experiment, ctx.onProgress ? { onProgress: ctx.onProgress } : {});
    writePhyResults(ctx.folder, c.name, c.experiment, res);
    return undefined;
  },
};
