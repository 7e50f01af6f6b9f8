/**
 * The per-OFDM-symbol η allocation (src/phy/aircomp/symbol-eta.ts), the one implementation behind zf's
 * default η and the AirFL-LoRA design loop's power step:
 *  - KKT conditions checked directly: feasible, η_m² ∝ Σ_k λ_k c_{k,m}, λ_k > 0 only where device k's
 *    budget binds (complementary slackness), never worse than the common η;
 *  - against an independent numpy interior-point solve of the convex problem (test/reference/symbol_eta.py)
 *    on random costs with silent entries and silent devices: the same Σ_m η_m (1e-7 relative);
 *  - zf (eta: optimal) and the design loop's powerStep give the same η on the same costs.
 * The numpy part skips (with the reason) when python3/numpy is missing, except under CI=true.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { commonSymbolEta, kktSymbolEta, symbolPower } from '../src/phy/aircomp/symbol-eta.js';
import { streamGeometry, dominantSubspace } from '../src/phy/aircomp/subspace.js';
import { zfEta, zfTraces } from '../src/phy/aircomp/zf.js';
import { powerStep } from '../src/design/transceiver.js';
import { generateChannel } from '../src/phy/channel/index.js';
import { RandomStreams } from '../src/random/streams.js';

/** Random costs: heavy-tailed (1/|gain|²-like), some silent entries, device 0 silent when `silentDevice`. */
function costs(K: number, M: number, seed: number, silentDevice: boolean): Float64Array {
  const r = new RandomStreams(seed).stream('eta-test');
  const c = new Float64Array(K * M);
  for (let k = 0; k < K; k++) {
    const scale = Math.exp(2 * r.normal());
    for (let m = 0; m < M; m++) {
      const g = r.normal() ** 2 + r.normal() ** 2;
      c[k * M + m] = (silentDevice && k === 0) || r.uniform() < 0.1 ? 0 : scale / Math.max(g, 1e-3);
    }
  }
  return c;
}

const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

describe('phy: per-symbol η allocation (KKT)', function () {
  this.timeout(60_000);
  const cases = [
    { K: 2, M: 3, seed: 1, silent: false },
    { K: 5, M: 8, seed: 2, silent: true },
    { K: 8, M: 16, seed: 3, silent: false },
    { K: 20, M: 64, seed: 4, silent: true },
  ];

  it('meets the KKT conditions of min Σ η s.t. Σ_m c/η ≤ B, and is never worse than the common η', () => {
    for (const { K, M, seed, silent } of cases) {
      const c = costs(K, M, seed, silent), B = M * 0.7;
      const r = kktSymbolEta(c, K, M, B);
      expect(r.optimal, `case ${seed}`).to.equal(true);
      expect(sum(r.eta)).to.be.at.most(commonSymbolEta(c, K, M, B) * M * (1 + 1e-12));
      // stationarity: η_m² = Σ_k λ̂_k c_{k,m} with one common scale of the normalised λ
      const lam = r.lambda;
      let scale = 0;
      for (let m = 0; m < M; m++) {
        let a = 0;
        for (let k = 0; k < K; k++) a += lam[k]! * c[k * M + m]!;
        if (a > 0) {
          const s = r.eta[m]! ** 2 / a;
          if (scale === 0) scale = s;
          expect(s, `case ${seed} m=${m}`).to.be.closeTo(scale, 1e-9 * scale);
        }
      }
      let binding = 0;
      for (let k = 0; k < K; k++) {
        const G = symbolPower(c, r.eta, k, M);
        expect(G, `case ${seed} device ${k} feasible`).to.be.at.most(B * (1 + 1e-9));
        expect(lam[k]).to.be.at.least(0);
        // complementary slackness: a device with a non-negligible multiplier spends its whole budget
        if (lam[k]! > 1e-6) expect(G, `case ${seed} device ${k} binds`).to.be.closeTo(B, 1e-6 * B);
        if (Math.abs(G - B) <= 1e-9 * B) binding++;
        if (silent && k === 0) expect(G).to.equal(0);
      }
      expect(binding).to.be.at.least(1);
    }
  });

  it('agrees with an independent numpy interior-point solve (Σ η within 1e-7 relative)', function () {
    const py = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    const why = py.error ? `python3 not found (${py.error.message})` : py.status !== 0 ? 'python3 has no numpy' : undefined;
    if (why) {
      if (process.env.CI === 'true') throw new Error(`numpy reference needed in CI: ${why}`);
      console.log(`      (skipped: ${why})`);
      this.skip();
    }
    const input = cases.map(({ K, M, seed, silent }) => {
      const c = costs(K, M, seed, silent);
      return { c: Array.from({ length: K }, (_, k) => Array.from(c.subarray(k * M, (k + 1) * M))), B: M * 0.7 };
    });
    const r = spawnSync('python3', [join(import.meta.dirname, 'reference', 'symbol_eta.py')], { input: JSON.stringify({ cases: input }), encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const ref = JSON.parse(r.stdout) as { eta: number[][]; objective: number[] };
    cases.forEach(({ K, M, seed, silent }, i) => {
      const mine = kktSymbolEta(costs(K, M, seed, silent), K, M, M * 0.7);
      const obj = sum(mine.eta), want = ref.objective[i]!;
      expect(obj, `case ${seed}`).to.be.closeTo(want, 1e-7 * want);
      for (let m = 0; m < M; m++) expect(mine.eta[m]!, `case ${seed} m=${m}`).to.be.closeTo(ref.eta[i]![m]!, 1e-5 * want / M + 1e-6 * ref.eta[i]![m]!);
    });
  });

  it('zf (eta: optimal) and the design loop power step allocate the same η on the same channel', () => {
    const K = 6, M = 16, S = 2;
    const ch = generateChannel({ K, Nr: 8, Nt: 4, M, iidSubcarriers: true }, new RandomStreams(9), { trial: 0, round: 0 });
    const w = Float64Array.from({ length: K }, (_, k) => (k === 2 ? 0 : (k + 1) / 20));
    const ctx = { phi: w, sigma2: 0.1, P: 1, powerMode: 'symbol' as const, S };
    const g = streamGeometry(ch, dominantSubspace(ch, S));
    const t = zfTraces(g);
    const zf = zfEta(g, t, ctx, 'optimal');
    const step = powerStep(t, w, K, M, ctx.sigma2, ctx.P, 'symbol', S);
    for (let m = 0; m < M; m++) expect(step.eta[m]).to.equal(zf[m]);
    expect(step.devicePower[2]).to.equal(0);
    expect(Math.max(...step.devicePower)).to.be.closeTo(M * ctx.P, 1e-9 * M);
  });
});
