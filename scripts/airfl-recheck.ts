// Re-derive the bound check of finished AirFL runs from their saved constants (design.json), without
// training again: the design step (channels from the run's seed, every scheme's transceivers, the bound)
// is recomputed with the current code and compared with the measured gaps in final.csv. Used for the
// tables of docs/airfl.md after the bound gained the alignment gain of biased (MMSE) transceivers.
//   npx tsx scripts/airfl-recheck.ts [--write] RUN_DIR [RUN_DIR …]   (prints one JSON object per run;
//   --write also replaces the folder's design.json and check.csv with the re-derived ones)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { designFromConstants, type DesignReport, type EstimatedConstants } from '../src/design/loop.js';
import { checkBound, checkRows, resolveAirfl } from '../src/runs/airfl.js';
import { formatCsv, parseCsv } from '../src/results/csv.js';
import { parseScenarioText } from '../src/scenario/index.js';

const args = process.argv.slice(2);
const write = args.includes('--write');
for (const dir of args.filter((a) => a !== '--write')) {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { seed: number; command: string[] };
  // the scenario file the run was started from (`airlora run FILE …`), at the run's seed
  const file = manifest.command.find((a) => a.endsWith('.yaml'))!;
  const c = resolveAirfl({ ...parseScenarioText(readFileSync(file, 'utf8'), file), seed: manifest.seed }, file);
  const old = JSON.parse(readFileSync(join(dir, 'design.json'), 'utf8')) as DesignReport;
  const k = old.constants;
  const constants: EstimatedConstants = {
    bound: { f0: k.f0, fstar: k.fstar, contraction: k.contraction, L: k.L, ...(k.Lnoise !== undefined ? { Lnoise: k.Lnoise } : {}), step2: k.step2, perRank: k.perRank },
    weights: k.weights, entriesPerRank: k.entries_per_rank, referenceRank: k.reference_rank, estimateRounds: k.estimate_rounds,
    referenceLosses: k.reference_losses, qFit: k.q_fit, fitRmse: k.fit_rmse, curvature: k.curvature, noiseCurvature: k.noise_curvature, ...(k.rank_noise_curvature ? { rankNoiseCurvature: k.rank_noise_curvature } : {}), firstRound: [],
  };
  const report = designFromConstants({
    constants, design: c.design, radio: c.radio, rounds: old.rounds, seed: manifest.seed,
    schemes: c.entries.map((e) => ({ spec: e.spec, S: e.S })), extraRanks: c.ranks,
  });
  // the zero-forcing rows must come out as before (same channels, same designs)
  let drift = 0;
  for (const row of report.scheme_mse) {
    const was = old.scheme_mse.find((x) => x.scheme === row.scheme && x.rank === row.rank);
    if (was) drift = Math.max(drift, Math.abs(was.mse - row.mse) / Math.max(1e-300, was.mse || 1));
  }
  const final = parseCsv(readFileSync(join(dir, 'final.csv'), 'utf8'));
  const check = checkBound(report, final);
  if (write) {
    writeFileSync(join(dir, 'design.json'), `${JSON.stringify({ ...report, check }, null, 2)}\n`);
    writeFileSync(join(dir, 'check.csv'), formatCsv(checkRows(check)));
  }
  const oldBound = new Map((old.check ?? []).map((x) => [`${x.scheme}|${x.rank}`, x.bound]));
  console.log(JSON.stringify({
    dir, seed: manifest.seed, fstar: k.fstar, mse_drift: drift,
    check: check.map((x) => ({ ...x, previous_bound: oldBound.get(`${x.scheme}|${x.rank}`) ?? null })),
  }));
}
