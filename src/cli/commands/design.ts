/**
 * `airlora design FILE [--json] [--backend B]`: the AirFL-LoRA design loop alone (src/design/loop.ts):
 * estimate the bound's constants with a short ideal run at a reference rank, design the transceivers of
 * every (rank, streams) of the grid under the energy and latency budgets, search the rank grid with
 * backtracking, and print the search's rank, the grid's argmin and every rank's bound, MSE and budget.
 */
import type { Command } from 'commander';
import { collectSet, flagSets, scenarioWithSets } from './flags.js';
import { initBackend, parseBackendFlag } from '../../tf/index.js';
import { prepareTraining } from '../../fl/prepare.js';
import { designFor, resolveAirfl } from '../../runs/airfl.js';
import { progress } from '../progress.js';

const e = (x: number) => x.toExponential(3);

export function register(program: Command): void {
  program
    .command('design')
    .description('AirFL-LoRA design loop: choose the LoRA rank and transceivers against the optimality-gap bound')
    .argument('<file>', 'scenario YAML with fl, data, phy and airfl sections')
    .option('--json', 'print the report as JSON')
    .option('--backend <name>', 'tfjs backend: auto, wasm, node, cpu', 'auto')
    .option('--set <path=value>', 'override a scenario key (YAML value; repeatable)', collectSet, [])
    .option('--rounds <n>', 'override fl.rounds')
    .option('--seed <s>', 'override the scenario seed')
    .action(async (file: string, flags: { json?: boolean; backend?: string; set?: string[]; rounds?: string; seed?: string }) => {
      const base = scenarioWithSets(file, flags.set);
      const extra = await flagSets(base, flags);
      const c = resolveAirfl(extra.length ? scenarioWithSets(file, [...(flags.set ?? []), ...extra]) : base, file);
      await initBackend({ backend: parseBackendFlag(flags.backend ?? 'auto'), quiet: !!flags.json });
      const prep = prepareTraining(c.training);
      try {
        const bar = progress('design', 'steps');
        const report = await designFor(c, prep, (l) => process.stderr.write(`[airlora] ${l}\n`), (d, t) => bar.update(d, t));
        bar.stop();
        if (flags.json) {
          process.stdout.write(JSON.stringify(report, null, 2) + '\n');
          return;
        }
        const k = report.constants;
        process.stdout.write(`constants (reference rank ${k.reference_rank}, ${k.estimate_rounds} ideal rounds): F(θ₀) ${k.f0.toFixed(4)}, F* ${k.fstar.toFixed(4)}, 1 − q_ref ${k.contraction.toFixed(4)}, L ${e(k.L)}\n`);
        process.stdout.write(`per rank: ${k.perRank.map((p) => `r ${p.r}: κ ${p.kappa.toFixed(3)}, ε ${e(p.eps)}, Var ${e(p.variance)}, g² ${e(p.gain2)}`).join('; ')}\n`);
        process.stdout.write('rank  S  symbols  air-time(s)  energy(J)   MSE         bound      initial    aggregation  variance   truncation  feasible  searched\n');
        for (const r of report.ranks) {
          const t = r.terms;
          process.stdout.write(`${String(r.rank).padEnd(5)} ${String(r.streams).padEnd(2)} ${String(r.ofdm_symbols).padEnd(8)} ${e(r.latency_s).padEnd(12)} ${e(r.energy_j).padEnd(11)} ${e(r.mse).padEnd(11)} ${r.bound.toFixed(5).padEnd(10)} ${t.initial.toFixed(5).padEnd(10)} ${e(t.aggregation).padEnd(12)} ${e(t.variance).padEnd(10)} ${t.truncation.toFixed(5).padEnd(11)} ${(r.feasible ? 'yes' : 'no').padEnd(9)} ${r.evaluated ? 'yes' : 'no'}\n`);
        }
        process.stdout.write(`chosen rank (backtracking search): ${report.chosen_rank} (S = ${report.chosen_streams}); grid argmin of the bound: ${report.exhaustive_rank} (S = ${report.exhaustive_streams})\n`);
      } finally {
        prep.dispose();
      }
    });
}
