import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { UserInputError } from '../src/errors.js';
import { generateChannel, type ChannelConfig } from '../src/phy/channel/index.js';
import { ageingNodes, applyDesign } from '../src/phy/aircomp/apply.js';
import { airAggregate } from '../src/phy/aircomp/aggregate.js';
import { MmseScheme } from '../src/phy/aircomp/mmse.js';
import { runPhyExperiment, type PhyExperiment } from '../src/phy/experiment/montecarlo.js';
import { parseScenario } from '../src/scenario/load.js';
import { channelConfig, maxDopplerHz, sweepPoints } from '../src/scenario/resolve/phy.js';
import { createScheme } from '../src/phy/aircomp/index.js';
import { AirCompAggregator } from '../src/fl/aggregators/aircomp.js';
import type { RadioConfig } from '../src/phy/radio.js';

const K = 4, Nr = 8, Nt = 2, M = 16, S = 2;
const chCfg = (fD: number): ChannelConfig => ({ K, Nr, Nt, M, tdl: { profile: 'C', delaySpreadS: 100e-9 }, mobility: { maxDopplerHz: fD } });

function experiment(fD: number, D: number): PhyExperiment {
  return {
    seed: 4, trials: 8, K, Nt, serverAntennas: [Nr], M, D,
    channel: { tdl: { profile: 'C', delaySpreadS: 100e-9 }, mobility: { maxDopplerHz: fD } },
    points: [{ label: 'snr=30', snrDb: 30, powerDbm: null, P: 1, sigma2: 1e-3 }],
    powerMode: 'subcarrier', phi: new Float64Array(K).fill(1 / K), updateCorrelation: 0, receivePath: 'effective',
    schemes: [{ label: 'mmse', S, scheme: createScheme('mmse') }],
  };
}

describe('phy/mobility: channel ageing across the OFDM symbols of an upload', () => {
  it('ageing nodes: every symbol when the Doppler is fast, ≥ 10 per Doppler period otherwise, one node when static', () => {
    const ev = (fD: number) => ({ symbolS: 1e-4, maxDopplerHz: fD, at: () => { throw new Error('unused'); } });
    expect(ageingNodes(50, undefined)).to.deep.equal([0]);
    expect(ageingNodes(50, ev(0))).to.deep.equal([0]);
    expect(ageingNodes(50, ev(1000))).to.deep.equal(Array.from({ length: 50 }, (_, t) => t));
    const n = ageingNodes(1000, ev(10)); // 0.1 s·10 Hz = 1 period → ≥ 10 nodes
    expect(n[0]).to.equal(0);
    expect(n.at(-1)).to.equal(999);
    for (let i = 1; i < n.length; i++) expect((n[i]! - n[i - 1]!) * 1e-4 * 10).to.be.at.most(1 / 10);
    expect(n.length).to.be.below(100);
  });

  it('the effective path (G(t) interpolated) and the literal receive path (H(t)) give the same estimate without noise', () => {
    const ch = generateChannel(chCfg(400), new RandomStreams(2), { trial: 0, round: 0 });
    const ctx = { phi: new Float64Array(K).fill(1 / K), sigma2: 0.01, P: 1, powerMode: 'subcarrier' as const, S };
    const design = new MmseScheme().design(ch, ctx);
    const T = 30;
    const rng = new RandomStreams(3);
    const symbols = Array.from({ length: K }, (_, k) => rng.stream('s', k).fillComplexNormal(new Float64Array(2 * T * M * S), 1));
    const a = applyDesign(ch, design, ctx, symbols, null, { path: 'effective' });
    const b = applyDesign(ch, design, ctx, symbols, null, { path: 'receive' });
    let d = 0, p = 0;
    for (let i = 0; i < a.length; i++) { d += (a[i]! - b[i]!) ** 2; p += a[i]! ** 2; }
    expect(d / p).to.be.below(1e-20);
    // and ageing changes the result: the static channel gives a different estimate after symbol 0
    const st = applyDesign({ ...ch, evolution: undefined } as typeof ch, design, ctx, symbols, null);
    let e0 = 0, eLast = 0;
    const per = 2 * M * S;
    for (let i = 0; i < per; i++) e0 += (a[i]! - st[i]!) ** 2;
    for (let i = (T - 1) * per; i < T * per; i++) eLast += (a[i]! - st[i]!) ** 2;
    expect(e0).to.be.below(1e-24);
    expect(eLast).to.be.above(1e-3);
  });

  it('interpolating between ageing nodes (10 per Doppler period, cubic) matches exact H(t) at every symbol to < −40 dB', () => {
    const ch = generateChannel(chCfg(100), new RandomStreams(8), { trial: 0, round: 0 });
    const ctx = { phi: new Float64Array(K).fill(1 / K), sigma2: 0.01, P: 1, powerMode: 'subcarrier' as const, S };
    const design = new MmseScheme().design(ch, ctx);
    const T = 200; // 14.3 ms = 1.4 Doppler periods
    expect(ageingNodes(T, ch.evolution).length).to.be.within(10, 20);
    const rng = new RandomStreams(3);
    const symbols = Array.from({ length: K }, (_, k) => rng.stream('s', k).fillComplexNormal(new Float64Array(2 * T * M * S), 1));
    const interp = applyDesign(ch, design, ctx, symbols, null);
    const exact = applyDesign({ ...ch, evolution: { ...ch.evolution!, maxDopplerHz: 1e9, at: ch.evolution!.at } }, design, ctx, symbols, null);
    let d = 0, p = 0;
    for (let i = 0; i < exact.length; i++) { d += (interp[i]! - exact[i]!) ** 2; p += exact[i]! ** 2; }
    expect(d / p).to.be.below(1e-4).and.above(0);
  });

  it('NMSE vs OFDM-symbol index: flat without Doppler, growing with t under mobility; symbol 0 is the same either way', () => {
    const D = 2 * M * S * 40; // 40 OFDM symbols ≈ 2.9 ms
    const still = runPhyExperiment(experiment(0, D)).bySymbol;
    const moving = runPhyExperiment(experiment(150, D)).bySymbol;
    expect(still.length).to.equal(40);
    expect(moving.map((r) => r.symbol)).to.deep.equal(Array.from({ length: 40 }, (_, t) => t));
    expect(moving[0]!.nmse_mean).to.be.closeTo(still[0]!.nmse_mean, 1e-12 + 1e-9 * still[0]!.nmse_mean);
    expect(moving[39]!.time_s).to.be.closeTo(39 * 1.07 / 15e3, 1e-15);
    // static: the last symbol's NMSE within the first's interval scale; moving: far above it
    expect(still[39]!.nmse_mean).to.be.below(3 * still[0]!.nmse_mean);
    expect(moving[39]!.nmse_mean).to.be.above(10 * moving[0]!.nmse_mean);
    expect(moving[39]!.nmse_ci_low).to.be.above(moving[10]!.nmse_ci_high);
    for (const r of moving) expect(r.nmse_ci_low).to.be.at.most(r.nmse_mean).and.at.least(0);
  });

  it('a larger payload (rank) sees more ageing in the over-the-air aggregate', () => {
    const ch = generateChannel(chCfg(200), new RandomStreams(6), { trial: 0, round: 3 });
    const nmse = (D: number) => {
      const rng = new RandomStreams(7);
      const xs = Array.from({ length: K }, (_, k) => rng.stream('x', k).fillNormal(new Float64Array(D)));
      const phi = new Float64Array(K).fill(1 / K);
      const { estimate } = airAggregate(ch, new MmseScheme(), xs, phi, { sigma2: 1e-4, P: 1, powerMode: 'subcarrier', S }, null);
      let e = 0, p = 0;
      for (let i = 0; i < D; i++) {
        let t = 0;
        for (let k = 0; k < K; k++) t += phi[k]! * xs[k]![i]!;
        e += (estimate[i]! - t) ** 2;
        p += t * t;
      }
      return e / p;
    };
    expect(nmse(2 * M * S * 80)).to.be.above(3 * nmse(2 * M * S * 4));
  });

  it('the AirFL over-the-air aggregator ages too (channel sequence + client subset): a longer update, a larger NMSE', () => {
    const radio: RadioConfig = {
      channel: { K: 6, Nr, Nt, M, tdl: { profile: 'A', delaySpreadS: 100e-9 }, mobility: { maxDopplerHz: 200 } }, S, P: 1, sigma2: 1e-4,
      powerMode: 'subcarrier', receivePath: 'effective', timing: { subcarrierSpacingHz: 15e3 }, trial: 0,
    };
    const nmse = (D: number, dopplerHz: number) => {
      const agg = new AirCompAggregator({ ...radio, channel: { ...radio.channel, mobility: { maxDopplerHz: dopplerHz } } }, new MmseScheme(), 3);
      const rng = new RandomStreams(5).stream('v', D);
      const clients = [0, 2, 3, 5];
      const vectors = clients.map(() => Float32Array.from({ length: D }, () => rng.normal()));
      const r = agg.aggregate({ vectors, weights: new Float64Array(4).fill(0.25), context: { round: 2, clients, streams: new RandomStreams(9).child('aggregation', 2), upload: 'delta' } });
      return r.diagnostics['nmse'] as number;
    };
    const short = 2 * M * S * 4, long = 2 * M * S * 80;
    expect(nmse(long, 200)).to.be.above(3 * nmse(short, 200));
    expect(nmse(long, 0)).to.be.below(2 * nmse(short, 0));
  });

  it('scenario keys: speed and carrier give f_D = v·f_c/c; phy.subcarrier_spacing_khz is the one spacing; old keys name it', () => {
    expect(maxDopplerHz({ speed_kmh: 120, carrier_ghz: 3.5 })).to.be.closeTo((120 / 3.6) * 3.5e9 / 299792458, 1e-9);
    const s = parseScenario('name: m\nphy: { subcarrier_spacing_khz: 30, channel: { tdl: { profile: D, delay_spread_ns: 50 }, mobility: { speed_kmh: 30, carrier_ghz: 2 } } }\n');
    const c = channelConfig(s);
    expect(c.subcarrierSpacingHz).to.equal(30e3);
    expect(c.tdl!.profile).to.equal('D');
    expect(c.tdl!.delaySpreadS).to.be.closeTo(50e-9, 1e-21);
    expect(c.mobility!.maxDopplerHz).to.be.closeTo((30 / 3.6) * 2e9 / 299792458, 1e-9);
    expect(c.iidSubcarriers).to.equal(undefined);
    const pl = parseScenario('name: p\nphy: { subcarrier_spacing_khz: 30, power: { dbm: 20 }, noise: { figure_db: 0 }, channel: { path_loss: {} } }\n');
    expect(sweepPoints(pl)[0]!.sigma2).to.be.closeTo(Math.pow(10, (-174 + 10 * Math.log10(30e3) - 30) / 10), 1e-30);
    const bad = (y: string, re: RegExp) => expect(() => parseScenario(y)).to.throw(UserInputError, re);
    bad('name: a\nphy: { noise: { subcarrier_spacing_hz: 30000 } }\n', /phy\.noise\.subcarrier_spacing_hz.*phy\.subcarrier_spacing_khz/);
    bad('name: a\nairfl: { subcarrier_spacing_hz: 30000 }\n', /airfl\.subcarrier_spacing_hz.*phy\.subcarrier_spacing_khz/);
    bad('name: a\nphy: { channel: { tdl: { profile: F } } }\n', /phy\.channel\.tdl\.profile/);
    bad('name: a\nphy: { channel: { mobility: { speed_kmh: 3 } } }\n', /phy\.channel\.mobility\.carrier_ghz/);
    bad('name: a\nphy: { channel: { mobility: { max_doppler_hz: 3, speed_kmh: 3, carrier_ghz: 2 } } }\n', /phy\.channel\.mobility\.max_doppler_hz/);
    bad('name: a\nphy: { channel: { tdl: { profile: A }, multipath: { taps: 2 } } }\n', /phy\.channel\.tdl/);
  });
});
