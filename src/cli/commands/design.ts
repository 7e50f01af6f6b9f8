/**
 * `airlora design FILE [--json] [--backend B]`: the AirFL-LoRA design loop alone (src/design/loop.ts):
 * estimate the bound's constants with a short ideal run, design the transceivers, search the rank grid
 * by backtracking, and print the chosen rank, the per-subcarrier MSE summary and the bound per rank.
 */
import type { Command } from 'commander';
import { readScenarioFile } from '../../scenario/load.js';
import { initBackend, parseBackendFlag } from '../../tf/index.js';
import { prepareTraining } from '../../fl/prepare.js';
import { designFor, resolveAirfl } from '../../runs/airfl.js';

export function register(program: Command): void {
  program
    .command('design')
    .description('AirFL-LoRA design loop: choose the LoRA rank and beamformers against the optimality-gap bound')
    .argument('<file>', 'scenario YAML with fl, data, phy and airfl sections')
    .option('--json', 'print the report as JSON')
    .option('--backend <name>', 'tfjs backend: auto, wasm, node, cpu', 'auto')
    .action(async (file: string, flags: { json?: boolean; backend?: string }) => {
      const c = resolveAirfl(readScenarioFile(file), file);
      await initBackend({ backend: parseBackendFlag(flags.backend ?? 'auto'), quiet: !!flags.json });
      const prep = prepareTraining(c.training);
      try {
        const report = await designFor(c, prep, (l) => process.stderr.write(`[airlora] ${l}\n`));
        if (flags.json) {
          process.stdout.write(JSON.stringify(report, null, 2) + '\n');
          return;
        }
        const m = report.msePerSubcarrier;
        process.stdout.write(`scheme ${report.scheme}; per-subcarrier MSE mean ${m.mean.toExponential(3)} [95% CI ${m.ciLow.toExponential(3)}, ${m.ciHigh.toExponential(3)}], median ${m.median.toExponential(3)}, range [${m.min.toExponential(3)}, ${m.max.toExponential(3)}], n = ${m.n}\n`);
        process.stdout.write('rank  entries   air-time(s)  bound      initial    aggregation  truncation  feasible\n');
        for (const c of [...report.candidates].sort((a, b) => a.r - b.r)) {
          const b = c.bound;
          process.stdout.write(`${String(c.r).padEnd(5)} ${String(c.entries).padEnd(9)} ${c.latencyS.toExponential(3).padEnd(12)} ${b.total.toFixed(5).padEnd(10)} ${b.initial.toFixed(5).padEnd(10)} ${b.aggregation.toExponential(3).padEnd(12)} ${b.truncation.toFixed(5).padEnd(11)} ${c.feasible ? 'yes' : 'no'}\n`);
        }
        process.stdout.write(`chosen rank: ${report.chosen}\n`);
      } finally {
        prep.dispose();
      }
    });
}
