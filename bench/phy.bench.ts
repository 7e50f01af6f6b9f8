/**
 * PHY over-the-air aggregation benchmarks (group `phy`), reference configuration of issue 2:
 * K = 20 devices, N_r = 16, N_t = 4, S = 4 streams, M = 256 subcarriers, a 454,656-entry update per
 * device (T = 222 OFDM symbols), i.i.d. Rayleigh per subcarrier.
 *  - phy.chain.round_ms: one aggregation round with a given design, as airAggregate runs it:
 *    normalise + map 20 updates → precode → channel → superpose + noise → combine → de-map, on the
 *    effective path (S × S matrices Uᴴ H_k V_k per subcarrier, combined noise Uᴴn ~ CN(0, σ²UᴴU);
 *    apply.ts) with the normalisation fused into the combining pass (fused.ts), the S = 4 combining in a
 *    WebAssembly SIMD kernel (fused-simd.ts; same bits as the scalar loop), built one block of OFDM
 *    symbols at a time with the offsets and the combined noise. The note carries the minimum, the CPU
 *    time per round and the load average (the machine is shared: compare CPU times across runs).
 *  - phy.chain.mapped_round_ms: the same round with explicit normalised symbol grids (normalizeAndMap
 *    then applyDesign), as the Monte-Carlo runs it.
 *  - phy.chain.entries_per_s: aggregated update entries per second (K·D / round time).
 *  - phy.chain.receive_round_ms: the same round on the literal N_r-antenna receive path.
 *  - phy.chain.mobile_round_ms: the same round as airAggregate runs it on a time-varying channel
 *    (TDL-C 300 ns, 120 km/h at 3.5 GHz, 15 kHz): channel ageing, OFDM symbol t through H(t), the
 *    design made at t = 0 (H(t) evaluated at the ageing nodes by the SIMD delay-line → frequency
 *    transform, G(t) interpolated between them).
 *  - phy.design.zf_ms / phy.design.mmse_ms / phy.design.mmse_fixed_ms: transceiver design for all 256
 *    subcarriers (zf: KKT-optimal η; mmse: the joint MMSE transceiver, one L-BFGS problem over the
 *    coupled per-symbol budget; mmse-fixed: the fixed-subspace variant it starts from).
 */
import { timeIt, type BenchResult, type BenchSuite } from './harness.js';
import { createScheme, applyDesign, applyDesignToUpdates } from '../src/phy/aircomp/index.js';
import { ageingNodes } from '../src/phy/aircomp/apply.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { aggregationTarget, denormalizeAggregate, normalizationStats, normalizeAndMap, symbolLayout } from '../src/phy/ofdm/mapping.js';
import { RandomStreams } from '../src/random/streams.js';

const K = 20, Nr = 16, Nt = 4, S = 4, M = 256, D = 454_656;

const suite: BenchSuite = {
  group: 'phy',
  names: ['phy.chain.round_ms', 'phy.chain.entries_per_s', 'phy.chain.mapped_round_ms', 'phy.chain.receive_round_ms', 'phy.chain.mobile_round_ms', 'phy.design.zf_ms', 'phy.design.mmse_ms', 'phy.design.mmse_fixed_ms'],
  async run(log) {
    const streams = new RandomStreams(1);
    const ch = generateChannel({ K, Nr, Nt, M, iidSubcarriers: true }, streams, { trial: 0, round: 0 });
    const layout = symbolLayout(D, M, S);
    const x = Array.from({ length: K }, (_, k) => streams.stream('data', 'device', k).fillNormal(new Float64Array(D)));
    const phi = new Float64Array(K).fill(1 / K);
    const ctxOf = (w: Float64Array) => ({ phi: w, sigma2: 0.1, P: 1, powerMode: 'symbol' as const, S });
    const zf = createScheme('zf');
    const mmse = createScheme('mmse');
    const res: BenchResult[] = [];

    const tz = await timeIt(() => zf.design(ch, ctxOf(phi)), { warmup: 1, minRuns: 5, minTimeMs: 1000 });
    res.push({ name: 'phy.design.zf_ms', value: tz.medianMs, unit: 'ms', note: `all ${M} subcarriers, K=${K} ${Nr}x${Nt} S=${S}; ${tz.runs} runs` });
    log(`zf design ${tz.medianMs.toFixed(1)} ms`);
    let its = '';
    const tm = await timeIt(() => {
      const d = mmse.design(ch, ctxOf(phi));
      its = `${d.info?.iterations} L-BFGS iterations, ${d.info?.alternations} alternations`;
    }, { warmup: 0, minRuns: 1, minTimeMs: 0 });
    res.push({ name: 'phy.design.mmse_ms', value: tm.medianMs, unit: 'ms', note: `same, joint MMSE (${its}); ${tm.runs} run` });
    const tf = await timeIt(() => createScheme('mmse-fixed').design(ch, ctxOf(phi)), { warmup: 1, minRuns: 3, minTimeMs: 1000 });
    res.push({ name: 'phy.design.mmse_fixed_ms', value: tf.medianMs, unit: 'ms', note: `same, fixed subspace: η search + per-device λ; ${tf.runs} runs` });

    // a design for the realised effective weights (computed once; the round below reuses it)
    const first = x.map((v) => normalizeAndMap(v, layout));
    const w = aggregationTarget(phi, first.map((r) => r.stats)).weights;
    const design = zf.design(ch, ctxOf(w));
    const out = new Float64Array(D);
    const bufs = x.map(() => new Float64Array(2 * layout.symbols));
    let round = 0;
    const chain = (path: 'effective' | 'receive') => () => {
      const mapped = x.map((v, k) => normalizeAndMap(v, layout, bufs[k]));
      const target = aggregationTarget(phi, mapped.map((r) => r.stats));
      const est = applyDesign(ch, design, ctxOf(target.weights), mapped.map((r) => r.symbols), streams.stream('noise', round++), { path });
      denormalizeAggregate(est, layout, target, out);
    };
    const fused = () => {
      const stats = x.map((v) => normalizationStats(v));
      const target = aggregationTarget(phi, stats);
      const est = applyDesignToUpdates(ch, design, ctxOf(target.weights), x, stats, layout, streams.stream('noise', round++));
      denormalizeAggregate(est, layout, target, out);
    };
    const tc = await timeIt(fused, { warmup: 2, minRuns: 10, minTimeMs: 2000 });
    // CPU time of this process per round: less sensitive than wall time to other processes on a shared machine
    const cpuPerRound = (f: () => void, reps = 5): number => {
      const c0 = process.cpuUsage();
      for (let i = 0; i < reps; i++) f();
      const cu = process.cpuUsage(c0);
      return (cu.user + cu.system) / 1e3 / reps;
    };
    const cpuMs = cpuPerRound(fused);
    const load = (await import('node:os')).loadavg()[0]!;
    res.push({ name: 'phy.chain.round_ms', value: tc.medianMs, unit: 'ms', note: `map→precode→channel→noise→combine→de-map, K=${K} D=${D} T=${layout.T}; min ${tc.minMs.toFixed(1)}, CPU ${cpuMs.toFixed(1)} ms/round, load ${load.toFixed(1)}; ${tc.runs} runs` });
    res.push({ name: 'phy.chain.entries_per_s', value: (K * D) / (tc.medianMs / 1e3), unit: 'entries/s', note: 'K·D per round time' });
    log(`chain ${tc.medianMs.toFixed(1)} ms`);
    const tmapped = await timeIt(chain('effective'), { warmup: 1, minRuns: 5, minTimeMs: 1000 });
    res.push({ name: 'phy.chain.mapped_round_ms', value: tmapped.medianMs, unit: 'ms', note: `explicit symbol grids; min ${tmapped.minMs.toFixed(1)}, CPU ${cpuPerRound(chain('effective')).toFixed(1)} ms/round; ${tmapped.runs} runs` });
    const tr = await timeIt(chain('receive'), { warmup: 1, minRuns: 3, minTimeMs: 1000 });
    res.push({ name: 'phy.chain.receive_round_ms', value: tr.medianMs, unit: 'ms', note: `literal ${Nr}-antenna receive path; ${tr.runs} runs` });
    const fD = (120 / 3.6) * 3.5e9 / 299_792_458;
    const mob = generateChannel({ K, Nr, Nt, M, tdl: { profile: 'C', delaySpreadS: 300e-9 }, mobility: { maxDopplerHz: fD } }, streams, { trial: 0, round: 0 });
    const mdesign = zf.design(mob, ctxOf(w));
    const nodes = ageingNodes(layout.T, mob.evolution).length;
    const mobile = () => {
      const stats = x.map((v) => normalizationStats(v));
      const target = aggregationTarget(phi, stats);
      const est = applyDesign(mob, mdesign, ctxOf(target.weights), x.map((v, k) => normalizeAndMap(v, layout, bufs[k]).symbols), streams.stream('noise', round++));
      denormalizeAggregate(est, layout, target, out);
    };
    const tmob = await timeIt(mobile, { warmup: 1, minRuns: 3, minTimeMs: 1000 });
    const mobCpu = cpuPerRound(mobile, 2);
    res.push({ name: 'phy.chain.mobile_round_ms', value: tmob.medianMs, unit: 'ms', note: `TDL-C, f_D=${fD.toFixed(0)} Hz: H(t) at ${nodes} of ${layout.T} symbols, G(t) interpolated; min ${tmob.minMs.toFixed(0)}, CPU ${mobCpu.toFixed(0)} ms/round; ${tmob.runs} runs` });
    return res;
  },
};

export default suite;
