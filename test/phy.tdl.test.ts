import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { UserInputError } from '../src/errors.js';
import { RandomStreams } from '../src/random/streams.js';
import {
  TDL_PROFILES, TDL_TABLES, generateChannel, measureChannel, profileFrequencyCorrelation, resolveChannelConfig, tdlKFactorDb, tdlTaps,
  defaultSubcarrierLags, type ChannelConfig,
} from '../src/phy/channel/index.js';

const REF = new URL('../../shared/reference/tr38901-tdl/', import.meta.url);

/** J₀(x) = (1/π) ∫₀^π cos(x sin θ) dθ by the composite Simpson rule (independent of the simulator). */
export function besselJ0(x: number): number {
  const n = 2000, h = Math.PI / n;
  let s = 1 + Math.cos(x * Math.sin(Math.PI));
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * Math.cos(x * Math.sin(i * h));
  return (s * h) / 3 / Math.PI;
}

describe('phy/channel: 3GPP TR 38.901 TDL profiles', () => {
  it('the tables in the source equal the reference JSON (delays, dB powers, LOS flag, tap count)', function () {
    if (!existsSync(new URL('TDL-A.json', REF))) this.skip();
    for (const p of TDL_PROFILES) {
      const ref = JSON.parse(readFileSync(new URL(`TDL-${p}.json`, REF), 'utf8')) as { los: number; delays: number[]; powers: number[] };
      const t = TDL_TABLES[p];
      expect(t.los, `TDL-${p} los`).to.equal(ref.los === 1);
      expect(t.rows.map((r) => r[0]), `TDL-${p} delays`).to.deep.equal(ref.delays);
      expect(t.rows.map((r) => r[1]), `TDL-${p} powers`).to.deep.equal(ref.powers);
    }
  });

  it('taps: delays = normalised × delay spread, powers sum to 1, the LOS tap flagged; K-factors 13.3 dB (D) and 22 dB (E)', () => {
    const taps = tdlTaps('D', 300e-9);
    expect(taps.length).to.equal(14);
    expect(taps.reduce((a, t) => a + t.power, 0)).to.be.closeTo(1, 1e-12);
    expect(taps[3]!.delayS).to.be.closeTo(0.612 * 300e-9, 1e-20);
    expect(taps.map((t) => t.los)).to.deep.equal([true, ...Array(13).fill(false)]);
    expect(10 * Math.log10(taps[0]!.power / taps[1]!.power)).to.be.closeTo(13.3, 1e-9);
    expect(tdlKFactorDb('D')).to.be.closeTo(13.3, 1e-12);
    expect(tdlKFactorDb('E')).to.be.closeTo(22, 1e-12);
    expect(tdlKFactorDb('A')).to.equal(null);
    expect(tdlTaps('A', 100e-9).some((t) => t.los)).to.equal(false);
  });

  it('measured frequency correlation equals |Σ p_l e^{−j2πΔfτ_l}| (TDL-A and TDL-D, exact delays, 30 kHz spacing)', () => {
    for (const profile of ['A', 'D'] as const) {
      const cfg: ChannelConfig = { K: 8, Nr: 4, Nt: 4, M: 64, tdl: { profile, delaySpreadS: 300e-9 }, subcarrierSpacingHz: 30e3 };
      const rep = measureChannel(cfg, { draws: 40, seed: 3, symbolLags: [1, 2, 3] });
      const taps = tdlTaps(profile, 300e-9);
      expect(rep.frequency_correlation.length).to.be.at.least(3);
      expect(rep.frequency_correlation.map((f) => f.lag_hz)).to.deep.equal(defaultSubcarrierLags(64).map((l) => l * 30e3));
      for (const f of rep.frequency_correlation) {
        const truth = profileFrequencyCorrelation(taps, f.lag_hz);
        // 8·16·40 independent entries per lag: standard error ≈ 0.01
        expect(f.value, `TDL-${profile} Δf = ${f.lag_hz}`).to.be.closeTo(truth, 0.04);
      }
      // the NLOS profile decorrelates over the band: not a trivially flat channel
      if (profile === 'A') expect(profileFrequencyCorrelation(taps, rep.frequency_correlation.at(-1)!.lag_hz)).to.be.below(0.9);
      // static channel: constant within a round
      for (const t of rep.time_autocorrelation) expect(t.value).to.be.closeTo(1, 1e-12);
    }
  });

  it('NLOS time autocorrelation equals J₀(2π f_D τ) (TDL-B, Clarke/Jakes sum of sinusoids, with Kronecker correlation)', () => {
    const fD = 300;
    const cfg: ChannelConfig = {
      K: 8, Nr: 4, Nt: 2, M: 8, tdl: { profile: 'B', delaySpreadS: 100e-9 }, mobility: { maxDopplerHz: fD },
      correlation: { device: 0.5, server: 0.3 },
    };
    const lags = [1, 10, 20, 40];
    const rep = measureChannel(cfg, { draws: 40, seed: 5, symbolLags: lags });
    expect(rep.max_doppler_hz).to.equal(fD);
    expect(rep.k_factor_db).to.equal(null);
    const Ts = 1.07 / 15e3;
    rep.time_autocorrelation.forEach((t, i) => {
      expect(t.lag_s).to.be.closeTo(lags[i]! * Ts, 1e-15);
      expect(t.value, `τ = ${t.lag_s}`).to.be.closeTo(besselJ0(2 * Math.PI * fD * t.lag_s), 0.05);
    });
    // the lags span the first zero's neighbourhood: J₀ goes from ≈ 1 to ≈ 0.1
    expect(besselJ0(2 * Math.PI * fD * lags.at(-1)! * Ts)).to.be.below(0.2);
  });

  it('E|H_ij[m]|² = β (TDL-E with LOS, mobility and path loss); same seed, same bytes; f_D = 0 is static', () => {
    const base: ChannelConfig = { K: 6, Nr: 4, Nt: 2, M: 16, tdl: { profile: 'E', delaySpreadS: 50e-9 }, mobility: { maxDopplerHz: 50 } };
    let ratio = 0, n = 0;
    for (let trial = 0; trial < 30; trial++) {
      const ch = generateChannel(base, new RandomStreams(9), { trial, round: 2 });
      for (let k = 0; k < ch.K; k++) {
        let p = 0;
        const per = 2 * ch.M * ch.Nr * ch.Nt;
        for (let j = k * per; j < (k + 1) * per; j++) p += ch.H.data[j]! ** 2;
        ratio += p / (per / 2) / ch.beta[k]!;
        n++;
      }
    }
    expect(ratio / n).to.be.closeTo(1, 0.05);
    const a = generateChannel(base, new RandomStreams(9), { trial: 0, round: 1 });
    const b = generateChannel(base, new RandomStreams(9), { trial: 0, round: 1 });
    expect(Buffer.from(a.H.data.buffer).equals(Buffer.from(b.H.data.buffer))).to.equal(true);
    expect(Buffer.from(a.evolution!.at(1e-3).data.buffer).equals(Buffer.from(b.evolution!.at(1e-3).data.buffer))).to.equal(true);
    // continuity between rounds: round r starts at r·roundInterval of one process
    const r0 = generateChannel({ ...base, mobility: { maxDopplerHz: 50, roundIntervalS: 0.01 } }, new RandomStreams(9), { trial: 0, round: 0 });
    const r1 = generateChannel({ ...base, mobility: { maxDopplerHz: 50, roundIntervalS: 0.01 } }, new RandomStreams(9), { trial: 0, round: 1 });
    const at = r0.evolution!.at(0.01).data;
    for (let i = 0; i < at.length; i++) expect(at[i]).to.be.closeTo(r1.H.data[i]!, 1e-12);
    const s0 = generateChannel({ ...base, mobility: { maxDopplerHz: 0 } }, new RandomStreams(9), { trial: 0, round: 0 });
    expect(Array.from(s0.evolution!.at(0.5).data)).to.deep.equal(Array.from(s0.H.data));
  });

  it('bad TDL / mobility configuration raises UserInputError naming the field', () => {
    const base = { K: 2, Nr: 2, Nt: 1, M: 4 };
    expect(() => resolveChannelConfig({ ...base, tdl: { profile: 'F' as 'A', delaySpreadS: 1e-7 } })).to.throw(UserInputError, /tdl\.profile.*A, B, C, D, E/);
    expect(() => resolveChannelConfig({ ...base, tdl: { profile: 'A', delaySpreadS: 1e-7 }, multipath: { taps: 2 } })).to.throw(UserInputError, /tdl/);
    expect(() => resolveChannelConfig({ ...base, iidSubcarriers: true, mobility: { maxDopplerHz: 5 } })).to.throw(UserInputError, /mobility/);
    expect(() => resolveChannelConfig({ ...base, temporal: { rho: 0.9 }, mobility: { maxDopplerHz: 5 } })).to.throw(UserInputError, /temporal_rho/);
    expect(() => resolveChannelConfig({ ...base, mobility: { maxDopplerHz: -1 } })).to.throw(UserInputError, /max_doppler_hz/);
  });
});
