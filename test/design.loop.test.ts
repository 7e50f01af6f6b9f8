import { expect } from 'chai';
import { designChannels, designFromConstants, type DesignSettings, type EstimatedConstants } from '../src/design/loop.js';
import { linkBudget } from '../src/design/budget.js';
import { designTransceivers, powerStep } from '../src/design/transceiver.js';
import { createScheme } from '../src/phy/aircomp/index.js';
import type { RadioConfig } from '../src/phy/radio.js';
import { ofdmSymbolSeconds } from '../src/phy/timing.js';
import { parseScenarioText } from '../src/scenario/index.js';
import { resolveAirfl } from '../src/runs/airfl.js';

const grid = [1, 2, 4, 8, 16];
const radio: RadioConfig = {
  channel: { K: 4, Nr: 4, Nt: 2, M: 16, iidSubcarriers: true }, S: 2, P: 1, sigma2: 0.1, powerMode: 'symbol',
  receivePath: 'effective', timing: { subcarrierSpacingHz: 15000, cpFraction: 0.07 }, trial: 0,
};
const tSym = ofdmSymbolSeconds(radio.timing);
const D1 = 2048; // T(r) = ⌈2048 r / (2·16·2)⌉ = 32 r OFDM symbols at S = 2

function constants(eps: (r: number) => number, variance = 1e-6): EstimatedConstants {
  return {
    bound: {
      f0: 4, fstar: 3, contraction: 0.3, L: 2, step2: 1,
      perRank: grid.map((r) => ({ r, kappa: 1, eps: eps(r), variance: variance * r, gain2: 1e-4 })),
    },
    weights: [0.4, 0.3, 0.2, 0.1], entriesPerRank: D1, referenceRank: 32, estimateRounds: 5,
    referenceLosses: [4, 3.5, 3.3, 3.2, 3.15, 3.1], qFit: 0.7, fitRmse: 0, curvature: [{ round: 0, L: 2 }], firstRound: [],
  };
}

function settings(extra: Partial<DesignSettings> = {}): DesignSettings {
  return {
    ranks: grid, scheme: { scheme: 'manifold', label: 'manifold', streams: undefined, options: {} }, streams: [2],
    budgets: {}, estimateRounds: 5, channelDraws: 1, tolerance: 1e-4, maxAlternations: 10, ...extra,
  };
}

const run = (c: EstimatedConstants, s: DesignSettings, schemes: { spec: DesignSettings['scheme']; S: number }[] = []) =>
  designFromConstants({ constants: c, design: s, radio, rounds: 10, seed: 9, schemes });

describe('design/loop: rank and transceivers coupled through the energy and latency budgets', function () {
  this.timeout(120_000);

  it('under an energy budget the power per symbol is min(P_peak, E/(T·T_sym)) and the designed MSE grows with the rank', () => {
    const E = 0.01;
    const rep = run(constants((r) => 0.01 / r), settings({ budgets: { energyJ: E } }));
    let prev = 0;
    for (const row of rep.ranks) {
      const T = Math.ceil((D1 * row.rank) / (2 * 16 * 2));
      expect(row.ofdm_symbols).to.equal(T);
      expect(row.latency_s).to.be.closeTo(T * tSym, 1e-15);
      expect(row.power_per_subcarrier).to.be.closeTo(Math.min(1, E / (16 * T * tSym)), 1e-12);
      expect(row.energy_limited).to.equal(true);
      // the binding device spends exactly its energy budget
      expect(row.energy_j).to.be.closeTo(E, 1e-9 * E);
      expect(row.mse).to.be.greaterThan(prev);
      prev = row.mse;
    }
    // zero-forcing on the optimised subspace: MSE ∝ 1/P, so MSE·P_eff is the same for every rank
    const k0 = rep.ranks[0]!.mse * rep.ranks[0]!.power_per_subcarrier;
    for (const row of rep.ranks) expect(row.mse * row.power_per_subcarrier).to.be.closeTo(k0, 1e-6 * k0);
    expect(rep.ranks[4]!.mse / rep.ranks[0]!.mse).to.be.closeTo(16, 1e-5);
  });

  it('the loop picks rank 1 when it has the lowest bound, in agreement with the exhaustive grid argmin', () => {
    const rep = run(constants((r) => 1e-3 / r), settings({ budgets: { energyJ: 0.01 } }));
    const bounds = rep.ranks.map((r) => r.bound);
    expect(Math.min(...bounds)).to.equal(rep.ranks[0]!.bound);
    expect(rep.exhaustive_rank).to.equal(1);
    expect(rep.chosen_rank).to.equal(1);
    expect(rep.ranks[0]!.evaluated).to.equal(true);
    expect(rep.search_order[0]).to.equal(16); // the search starts at the largest rank
    // with a large truncation cost and no energy budget, the largest rank wins instead
    const hi = run(constants((r) => 1 / r), settings());
    expect(hi.exhaustive_rank).to.equal(16);
    expect(hi.chosen_rank).to.equal(16);
    // without an energy budget the designed MSE does not depend on the rank (same transceivers)
    expect(new Set(hi.ranks.map((r) => r.mse)).size).to.equal(1);
  });

  it('a latency budget makes the ranks that exceed it infeasible and the choice respects it', () => {
    const budget = 4 * 32 * tSym * 1.0001; // ranks ≤ 4 fit
    const rep = run(constants((r) => 1 / r), settings({ budgets: { latencyS: budget } }));
    expect(rep.ranks.map((r) => r.feasible)).to.deep.equal([true, true, true, false, false]);
    expect(rep.chosen_rank).to.equal(4);
    expect(rep.exhaustive_rank).to.equal(4);
  });

  it('streams are a design variable: each rank reports every S with its own symbols, power and MSE, and takes the best', () => {
    const rep = run(constants((r) => 0.01 / r), settings({ streams: [1, 2], budgets: { energyJ: 0.02 } }));
    for (const row of rep.ranks) {
      expect(row.options.map((o) => o.streams)).to.deep.equal([1, 2]);
      const [s1, s2] = row.options;
      expect(s1!.ofdm_symbols).to.equal(2 * s2!.ofdm_symbols);
      const best = s1!.bound <= s2!.bound ? s1! : s2!;
      expect(row.streams).to.equal(best.streams);
      expect(row.bound).to.equal(best.bound);
    }
  });

  it('prints the fields the CLI promises, and each scheme\'s MSE at each rank for the bound check', () => {
    const rep = run(constants((r) => 0.01 / r), settings({ budgets: { energyJ: 0.01 } }), [
      { spec: { scheme: 'ideal', label: 'ideal', streams: undefined, options: {} }, S: 2 },
      { spec: { scheme: 'zf', label: 'zf', streams: undefined, options: {} }, S: 2 },
      { spec: { scheme: 'digital', label: 'digital', streams: undefined, options: {} }, S: 2 },
    ]);
    const json = JSON.parse(JSON.stringify(rep)) as Record<string, unknown>;
    for (const k of ['chosen_rank', 'exhaustive_rank', 'ranks', 'alternation']) expect(json).to.have.property(k);
    for (const row of json['ranks'] as Record<string, unknown>[]) {
      for (const k of ['rank', 'evaluated', 'bound', 'mse', 'ofdm_symbols', 'latency_s', 'energy_j', 'feasible']) expect(row).to.have.property(k);
    }
    expect(rep.scheme_mse.filter((s) => s.scheme === 'ideal').every((s) => s.mse === 0)).to.equal(true);
    expect(rep.scheme_mse.some((s) => s.scheme === 'digital')).to.equal(false);
    const zf = rep.scheme_mse.filter((s) => s.scheme === 'zf');
    expect(zf.map((s) => s.rank)).to.deep.equal(grid);
    for (let i = 1; i < zf.length; i++) expect(zf[i]!.mse).to.be.greaterThan(zf[i - 1]!.mse);
  });

  it('the alternation never increases the designed MSE and ends at or below the manifold scheme it starts from', () => {
    const channels = designChannels(radio, 3, 2);
    const w = Float64Array.from([0.4, 0.3, 0.2, 0.1]);
    const res = designTransceivers({
      channels, weights: w, sigma2: 0.1, P: 1, powerMode: 'symbol', S: 2,
      warmStart: createScheme('manifold'), tolerance: 1e-6, maxAlternations: 15,
    });
    for (let i = 1; i < res.log.length; i++) expect(res.log[i]!.objective).to.be.at.most(res.log[i - 1]!.objective);
    let own = 0, n = 0;
    for (const ch of channels) {
      for (const v of createScheme('manifold').design(ch, { phi: w, sigma2: 0.1, P: 1, powerMode: 'symbol', S: 2 }).analyticMse) {
        own += v;
        n++;
      }
    }
    expect(res.mse).to.be.at.most(own / n + 1e-12);
    expect(res.alternations).to.be.at.least(1);
    // from the zf eigenspace the alternation is a real descent: several steps, each lowering the MSE
    const fromZf = designTransceivers({
      channels, weights: w, sigma2: 0.1, P: 1, powerMode: 'symbol', S: 2,
      warmStart: createScheme('zf'), tolerance: 1e-6, maxAlternations: 15,
    });
    expect(fromZf.alternations).to.be.at.least(3);
    for (let i = 1; i < fromZf.log.length; i++) expect(fromZf.log[i]!.objective).to.be.at.most(fromZf.log[i - 1]!.objective);
    expect(fromZf.log.at(-1)!.objective).to.be.below(0.9 * fromZf.log[0]!.objective);
  });

  it('the per-symbol power step is the optimum of min Σ η_m s.t. Σ_m c_km/η_m ≤ M·P (brute force, K = 2, M = 2)', () => {
    // t for K = 2 devices × M = 2 subcarriers, unit weights
    const t = Float64Array.from([1, 4, 3, 0.5]);
    const w = Float64Array.from([1, 1]);
    const P = 1, M = 2;
    const st = powerStep(t, w, 2, M, 1, P, 'symbol', 1);
    for (let k = 0; k < 2; k++) {
      const used = t[k * M]! / st.eta[0]! + t[k * M + 1]! / st.eta[1]!;
      expect(used).to.be.at.most(M * P * (1 + 1e-9));
    }
    let best = Infinity;
    for (let i = 1; i <= 200_000; i++) {
      const e1 = i * 1e-4;
      let e2 = 0;
      let ok = true;
      for (let k = 0; k < 2; k++) {
        const rest = M * P - t[k * M]! / e1;
        if (rest <= 0) ok = false;
        else e2 = Math.max(e2, t[k * M + 1]! / rest);
      }
      if (ok) best = Math.min(best, e1 + e2);
    }
    expect(st.eta[0]! + st.eta[1]!).to.be.closeTo(best, 1e-3 * best);
    expect(st.mse).to.be.closeTo((st.eta[0]! + st.eta[1]!) / 2, 1e-15);
  });

  it('link budget: a bad energy budget names its field', () => {
    expect(() => linkBudget(100, 16, 2, 1, radio.timing, { energyJ: -1 })).to.throw(/energy_budget_j/);
  });

  it('scenario keys: airfl.design streams, budgets and reference rank resolve, and bad values name their field', () => {
    const yaml = (design: string) => `
name: t
seed: 1
model: { preset: gpt-small, overrides: { layers: 1, hidden: 32, heads: 2, intermediate: 64 } }
lora: { r: 2, lora_alpha: 4, target_modules: [query] }
data: { dataset: brown, partition: { kind: one-label }, seq_len: 16, eval_per_client: 2, genres: [news, humor] }
fl: { rounds: 2, clients: 2, local_steps: 1, batch_size: 2 }
phy: { antennas: { device: 2, server: 4 }, streams: 2, subcarriers: 16, snr_db: 0 }
aggregation: [ideal, zf]
airfl: { joint: true, design: ${design} }
`;
    const ok = resolveAirfl(parseScenarioText(yaml('{ ranks: [1, 2], streams: [1, 2], energy_budget_j: 0.01, latency_budget_s: 0.001, reference_rank: 8, tolerance: 0.01 }'), 't'), 't');
    expect(ok.design.streams).to.deep.equal([1, 2]);
    expect(ok.design.budgets).to.deep.equal({ energyJ: 0.01, latencyS: 0.001 });
    expect(ok.design.referenceRank).to.equal(8);
    expect(ok.design.tolerance).to.equal(0.01);
    expect(() => resolveAirfl(parseScenarioText(yaml('{ streams: [3] }'), 't'), 't')).to.throw(/airfl\.design\.streams/);
    expect(() => resolveAirfl(parseScenarioText(yaml('{ ranks: [1, 2, 4], reference_rank: 4 }'), 't'), 't')).to.throw(/airfl\.design\.reference_rank/);
    expect(() => resolveAirfl(parseScenarioText(yaml('{ energy_budget_j: -1 }'), 't'), 't')).to.throw(/energy_budget_j/);
  });
});
