import { expect } from 'chai';
import { UserInputError } from '../src/errors.js';
import {
  noiseVariance, noiseVarianceFromSnr, noiseVariancePhysical, thermalNoiseDbm, dbmToWatts, wattsToDbm, dbToLinear, linearToDb,
} from '../src/phy/noise.js';

describe('phy/noise: units and noise variance', () => {
  it('SNR mode: σ² = P / 10^(SNR/10)', () => {
    expect(noiseVarianceFromSnr(20)).to.be.closeTo(0.01, 1e-17);
    expect(noiseVarianceFromSnr(-10, 2)).to.be.closeTo(20, 1e-13);
    expect(noiseVariance({ mode: 'snr', snrDb: 3 })).to.equal(1 / dbToLinear(3));
  });

  it('physical mode: −174 dBm/Hz + 10·log10(Δf) + NF, in watts', () => {
    // 15 kHz spacing, NF 9 dB → −174 + 41.7609 + 9 = −123.2391 dBm
    expect(thermalNoiseDbm(15e3, 9)).to.be.closeTo(-174 + 10 * Math.log10(15e3) + 9, 1e-12);
    expect(thermalNoiseDbm(1, 0)).to.equal(-174);
    const w = noiseVariancePhysical(15e3, 9);
    expect(wattsToDbm(w)).to.be.closeTo(-123.2391, 1e-4);
    // kT at 290 K is 4.00e-21 W/Hz
    expect(noiseVariancePhysical(1e6) / 1e6).to.be.closeTo(1.380649e-23 * 290, 0.03e-21) // −174 dBm/Hz is kT rounded (−173.98);
    expect(noiseVariance({ mode: 'physical', subcarrierSpacingHz: 30e3, noiseFigureDb: 7 })).to.equal(noiseVariancePhysical(30e3, 7));
  });

  it('unit conversions round-trip', () => {
    expect(dbmToWatts(30)).to.equal(1);
    expect(dbmToWatts(23)).to.be.closeTo(0.19953, 1e-5);
    for (const v of [-100, -3, 0, 17.5, 46]) {
      expect(wattsToDbm(dbmToWatts(v))).to.be.closeTo(v, 1e-12);
      expect(linearToDb(dbToLinear(v))).to.be.closeTo(v, 1e-12);
    }
    expect(linearToDb(0)).to.equal(-Infinity);
  });

  it('bad values raise UserInputError naming the field', () => {
    expect(() => noiseVarianceFromSnr(NaN)).to.throw(UserInputError).with.property('field', 'snr_db');
    expect(() => noiseVarianceFromSnr(10, 0)).to.throw(UserInputError).with.property('field', 'power');
    expect(() => thermalNoiseDbm(0)).to.throw(UserInputError).with.property('field', 'subcarrierSpacingHz');
    expect(() => thermalNoiseDbm(15e3, -1)).to.throw(UserInputError).with.property('field', 'noiseFigureDb');
  });
});
