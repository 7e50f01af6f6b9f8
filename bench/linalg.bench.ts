/**
 * Complex dense linear algebra on 64×64 matrices: product, inverse, Hermitian eigendecomposition.
 * Medians in microseconds. Reference (feasibility study, ml-matrix on the 128×128 real embedding):
 * Hermitian eig 35 ms, inverse 22.7 ms, SVD 58 ms.
 */
import type { BenchResult, BenchSuite } from './harness.js';
import { timeIt } from './harness.js';
import * as L from '../src/linalg/index.js';
import { RandomStreams } from '../src/random/streams.js';

const N = 64;

function randn(r: number, c: number, key: string): L.CMat {
  const m = L.cmat(r, c);
  new RandomStreams('bench.linalg').stream(key).fillComplexNormal(m.data);
  return m;
}

const suite: BenchSuite = {
  group: 'linalg',
  names: ['linalg.c64.matmul_us', 'linalg.c64.inv_us', 'linalg.c64.eigh_us', 'linalg.c64.svd_us', 'linalg.c4.inv_small_ns', 'linalg.c4.eigh_ns'],
  async run(log) {
    const a = randn(N, N, 'a'), b = randn(N, N, 'b'), out = L.cmat(N, N);
    const h = L.gramInto(a, L.cmat(N, N), 'AHA', 1);
    const opts = { warmup: 20, minRuns: 50, minTimeMs: 1000 };
    const res: BenchResult[] = [];
    const us = (t: { medianMs: number }) => t.medianMs * 1e3;
    const mm = await timeIt(() => L.matmul(a, b, out), opts);
    res.push({ name: 'linalg.c64.matmul_us', value: us(mm), unit: 'us', note: `complex ${N}x${N}, ${mm.runs} runs` });
    log(`matmul done`);
    const iv = await timeIt(() => L.inv(a), opts);
    res.push({ name: 'linalg.c64.inv_us', value: us(iv), unit: 'us', note: `complex ${N}x${N} Gauss–Jordan, partial pivoting; ml-matrix 22.7 ms` });
    const eg = await timeIt(() => L.eigh(h), opts);
    res.push({ name: 'linalg.c64.eigh_us', value: us(eg), unit: 'us', note: `complex Hermitian ${N}x${N}; ml-matrix 35 ms` });
    const sv = await timeIt(() => L.svd(a), { warmup: 3, minRuns: 10, minTimeMs: 1000 });
    res.push({ name: 'linalg.c64.svd_us', value: us(sv), unit: 'us', note: `complex ${N}x${N} one-sided Jacobi from eigh(AᴴA) start; ml-matrix 58 ms` });
    // Small fast path: 4×4 inverse, many per call to resolve nanoseconds.
    const s4 = L.gramInto(randn(6, 4, 's'), L.cmat(4, 4), 'AHA', 0.1), o4 = L.cmat(4, 4);
    const reps = 10_000;
    const sm = await timeIt(() => { for (let i = 0; i < reps; i++) L.invSmallInto(s4, o4); }, { warmup: 3, minRuns: 10, minTimeMs: 500 });
    res.push({ name: 'linalg.c4.inv_small_ns', value: (sm.medianMs * 1e6) / reps, unit: 'ns', note: '4x4 invSmallInto, allocation-free' });
    const v4 = new Float64Array(4), w4 = L.cmat(4, 4);
    const se = await timeIt(() => { for (let i = 0; i < reps; i++) L.eighInto(s4, v4, w4); }, { warmup: 3, minRuns: 10, minTimeMs: 500 });
    res.push({ name: 'linalg.c4.eigh_ns', value: (se.medianMs * 1e6) / reps, unit: 'ns', note: '4x4 Hermitian eighInto, allocation-free' });
    return res;
  },
};

export default suite;
