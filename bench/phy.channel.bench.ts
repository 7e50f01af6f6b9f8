/**
 * Channel generation, symbol mapping and the OFDM time-domain path at the reference size:
 * K = 20 devices, N_r = 16, N_t = 4, M = 256 subcarriers, S = 4 streams, D = 454,656 entries per
 * device (T = 222 OFDM symbols). Medians in milliseconds.
 */
import type { BenchResult, BenchSuite } from './harness.js';
import { timeIt } from './harness.js';
import { RandomStreams } from '../src/random/streams.js';
import { generateChannel, resolveChannelConfig, applyChannelFreq, type ChannelConfig } from '../src/phy/channel/index.js';
import {
  symbolLayout, normalizeAndMap, aggregationTarget, denormalizeAggregate, resourceGrid, ofdmModulate, ofdmDemodulate, convolveMimo,
} from '../src/phy/ofdm/index.js';

const K = 20, Nr = 16, Nt = 4, M = 256, S = 4, D = 454_656;

const suite: BenchSuite = {
  group: 'phy.channel',
  names: ['phy.channel.generate_iid_ms', 'phy.channel.generate_multipath_ms', 'phy.channel.generate_tdl_ms', 'phy.channel.evolve_ms', 'phy.mapping.map_ms', 'phy.mapping.demap_ms', 'phy.ofdm.time_path_ms', 'phy.channel.apply_freq_ms'],
  async run(log) {
    const res: BenchResult[] = [];
    const opts = { warmup: 2, minRuns: 10, minTimeMs: 1000 };
    const streams = new RandomStreams('bench.phy.channel');
    let round = 0;

    const iid: ChannelConfig = { K, Nr, Nt, M, iidSubcarriers: true, pathLoss: { refLossDb: 30, exponent: 3, dMin: 50, dMax: 200 } };
    const t1 = await timeIt(() => generateChannel(resolveChannelConfig(iid), streams, { trial: 0, round: round++ }), opts);
    res.push({ name: 'phy.channel.generate_iid_ms', value: t1.medianMs, unit: 'ms', note: `K=${K} ${Nr}x${Nt} M=${M} iid subcarriers, path loss; ${t1.runs} runs` });
    log('iid done');

    const tdl = resolveChannelConfig({ ...iid, iidSubcarriers: undefined, multipath: { taps: 16, decayDb: 1 }, correlation: { device: 0.3, server: 0.5 }, csiError: 0.01 });
    const t2 = await timeIt(() => generateChannel(tdl, streams, { trial: 0, round: round++ }), opts);
    res.push({ name: 'phy.channel.generate_multipath_ms', value: t2.medianMs, unit: 'ms', note: `as above, 16 integer-sample taps + FFT, Kronecker, CSI error; ${t2.runs} runs` });
    log('multipath done');

    const tdlC = resolveChannelConfig({ ...iid, iidSubcarriers: undefined, tdl: { profile: 'C', delaySpreadS: 300e-9 }, correlation: { device: 0.3, server: 0.5 }, csiError: 0.01 });
    const t2b = await timeIt(() => generateChannel(tdlC, streams, { trial: 0, round: round++ }), opts);
    res.push({ name: 'phy.channel.generate_tdl_ms', value: t2b.medianMs, unit: 'ms', note: `3GPP TDL-C 300 ns (24 taps, exact delays e^{-j2πmΔfτ}), Kronecker, CSI error; ${t2b.runs} runs` });
    const mobile = resolveChannelConfig({ ...iid, iidSubcarriers: undefined, tdl: { profile: 'C', delaySpreadS: 300e-9 }, mobility: { maxDopplerHz: 389 } });
    const chm = generateChannel(mobile, streams, { trial: 0, round: 0 });
    let dt = 0;
    const t2c = await timeIt(() => chm.evolution!.at((dt += 7.1e-5)), opts);
    res.push({ name: 'phy.channel.evolve_ms', value: t2c.medianMs, unit: 'ms', note: `H(t) of TDL-C with Clarke/Jakes mobility (16 sinusoids per tap and antenna pair) at one time; ${t2c.runs} runs` });
    log('tdl done');

    const layout = symbolLayout(D, M, S);
    const xs = Array.from({ length: K }, (_, k) => new RandomStreams('bench.x').stream(k).fillNormal(new Float64Array(D), 1e-4));
    const bufs = xs.map(() => new Float64Array(2 * layout.symbols));
    let stats = xs.map((x, k) => normalizeAndMap(x, layout, bufs[k]).stats);
    const t3 = await timeIt(() => { stats = xs.map((x, k) => normalizeAndMap(x, layout, bufs[k]).stats); }, opts);
    res.push({ name: 'phy.mapping.map_ms', value: t3.medianMs, unit: 'ms', note: `normalise + map ${K} devices × ${D} entries (T=${layout.T}); ${(K * D / t3.medianMs / 1e3).toFixed(0)} M entries/s` });

    const phi = new Float64Array(K).fill(1 / K);
    const out = new Float64Array(D);
    const t4 = await timeIt(() => denormalizeAggregate(bufs[0]!, layout, aggregationTarget(phi, stats), out), opts);
    res.push({ name: 'phy.mapping.demap_ms', value: t4.medianMs, unit: 'ms', note: `de-normalise one aggregate of ${D} entries` });

    const ch = generateChannel(tdl, streams, { trial: 0, round: 999 });
    const T = 8, fftSize = 256, cp = 16;
    const X = resourceGrid(T, M, Nt);
    streams.stream('bench.grid').fillComplexNormal(X.data, 1);
    const t5 = await timeIt(() => ofdmDemodulate(convolveMimo(ofdmModulate(X, { fftSize, cp }), ch.taps!, 0, ch.L), M, { fftSize, cp }), opts);
    res.push({ name: 'phy.ofdm.time_path_ms', value: t5.medianMs, unit: 'ms', note: `one device, ${T} OFDM symbols, N=${fftSize}, cp=${cp}, L=${ch.L}, ${Nr}x${Nt}` });

    const Y = new Float64Array(2 * T * M * Nr);
    const t6 = await timeIt(() => applyChannelFreq(ch, 0, X.data, Y), opts);
    res.push({ name: 'phy.channel.apply_freq_ms', value: t6.medianMs, unit: 'ms', note: `same grid, per-subcarrier H[m]X[m]` });
    return res;
  },
};

export default suite;
