import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';
import { rate, delay, minBandwidth, minMaxAllocation, equalAllocation, delayFloor, bandwidthFor, deviceTime, type Links } from '../src/split/bandwidth.js';
import { dbmToWatts as dbmToWatt } from '../src/phy/noise.js';
import { drawRoundSnrDensity, dropDevices, defaultRadio, umaPathLoss } from '../src/split/radio.js';
import { pathGain } from '../src/phy/channel/largescale.js';

describe('split: FDMA rate and bandwidth allocation', () => {
  it('path loss (the PHY law with the 3GPP UMa constants) and dBm conversions match their closed forms', () => {
    const pl = umaPathLoss(50, 500);
    const lossDb = (d: number) => -10 * Math.log10(pathGain(pl, d));
    expect(lossDb(1000)).to.be.closeTo(128.1, 1e-12);
    expect(lossDb(100)).to.be.closeTo(128.1 - 37.6, 1e-12);
    expect(dbmToWatt(30)).to.be.closeTo(1, 1e-15);
    expect(dbmToWatt(-174) * 1e20).to.be.closeTo(10 ** -20.4 * 1e20, 1e-9);
  });

  it('minBandwidth inverts the rate, and is infinite at or above the wideband limit s/ln2', () => {
    const rng = new RandomStreams(1).stream('t');
    for (let i = 0; i < 500; i++) {
      const s = 10 ** (4 + 6 * rng.uniform());
      const frac = 10 ** (-6 * rng.uniform()) * 0.999999; // rate as a fraction of s/ln2
      const R = (frac * s) / Math.LN2;
      const b = minBandwidth(R, s);
      expect(rate(b, s) / R).to.be.closeTo(1, 1e-9);
      // a little less bandwidth is not enough
      expect(rate(b * (1 - 1e-6), s)).to.be.lessThan(R);
    }
    expect(minBandwidth(1e6 / Math.LN2, 1e6)).to.equal(Infinity);
    expect(minBandwidth(0, 1e6)).to.equal(0);
  });

  it('min-max allocation equalises delays, uses the whole band, and beats every random split', () => {
    const rng = new RandomStreams(2).stream('t');
    for (let trial = 0; trial < 20; trial++) {
      const K = 2 + rng.int(6);
      const s = Float64Array.from({ length: K }, () => 10 ** (5 + 3 * rng.uniform()));
      const bits = Float64Array.from({ length: K }, () => 1e5 * (1 + rng.uniform()));
      const B = 1e6;
      const members = Array.from({ length: K }, (_, i) => i);
      const a = minMaxAllocation(members, { s, upBits: bits }, B);
      const sumB = a.bandwidthHz.reduce((x, y) => x + y, 0);
      expect(sumB / B).to.be.closeTo(1, 1e-9);
      expect(sumB).to.be.at.most(B * (1 + 1e-12));
      for (let k = 0; k < K; k++) expect(a.delayS[k]! / a.roundDelayS).to.be.closeTo(1, 1e-8);
      for (let k = 0; k < K; k++) expect(a.roundDelayS).to.be.greaterThan(delayFloor(bits[k]!, s[k]!));
      for (let j = 0; j < 200; j++) {
        const w = rng.dirichlet(1, K);
        let mx = 0;
        for (let k = 0; k < K; k++) mx = Math.max(mx, delay(bits[k]!, w[k]! * B, s[k]!));
        expect(mx).to.be.at.least(a.roundDelayS * (1 - 1e-9));
      }
      expect(equalAllocation(members, { s, upBits: bits }, B).roundDelayS).to.be.at.least(a.roundDelayS * (1 - 1e-9));
    }
  });

  it('with downlink and compute timed: bandwidthFor inverts the device time, min-max equalises it, the server time adds per device', () => {
    const rng = new RandomStreams(21).stream('t');
    for (let trial = 0; trial < 20; trial++) {
      const K = 2 + rng.int(6);
      const L: Links = {
        s: Float64Array.from({ length: K }, () => 10 ** (5 + 3 * rng.uniform())),
        upBits: Float64Array.from({ length: K }, () => 1e5 * (1 + rng.uniform())),
        downBits: Float64Array.from({ length: K }, () => 2e4 * (1 + rng.uniform())),
        downEff: Float64Array.from({ length: K }, () => 1 + 8 * rng.uniform()),
        computeS: Float64Array.from({ length: K }, () => 0.01 * rng.uniform()),
        serverPerDeviceS: 0.002,
      };
      // the time model written out: c + Q / (b log2(1 + s/b)) + D / (b e)
      const t = (k: number, b: number) => L.computeS![k]! + L.upBits[k]! / (b * Math.log2(1 + L.s[k]! / b)) + L.downBits![k]! / (b * L.downEff![k]!);
      for (let k = 0; k < K; k++) {
        const b0 = 1e4 * 10 ** (3 * rng.uniform());
        expect(deviceTime(L, k, b0) / t(k, b0)).to.be.closeTo(1, 1e-12);
        const b = bandwidthFor(L, k, t(k, b0));
        expect(b / b0).to.be.closeTo(1, 1e-9);
      }
      const members = Array.from({ length: K }, (_, i) => i);
      const B = 1e6;
      const a = minMaxAllocation(members, L, B);
      expect(a.bandwidthHz.reduce((x, y) => x + y, 0) / B).to.be.closeTo(1, 1e-9);
      const devMax = Math.max(...members.map((k) => t(k, a.bandwidthHz[k]!)));
      for (let k = 0; k < K; k++) expect(t(k, a.bandwidthHz[k]!) / devMax).to.be.closeTo(1, 1e-8);
      expect(a.roundDelayS).to.be.closeTo(devMax + K * 0.002, 1e-12 * a.roundDelayS);
      for (let j = 0; j < 100; j++) {
        const w = rng.dirichlet(1, K);
        expect(Math.max(...members.map((k) => t(k, w[k]! * B)))).to.be.at.least(devMax * (1 - 1e-9));
      }
    }
  });

  it('the drop is the PHY ring drop on split\'s own position streams: uniform in area, gains from the UMa law', () => {
    const streams = new RandomStreams(8);
    const r = { ...defaultRadio, devices: 2000, pathLoss: umaPathLoss(50, 500) };
    const { distanceM, gain } = dropDevices(streams, 0, r);
    // P(d ≤ x) = (x² − a²) / (b² − a²): the fraction inside the median radius is ½ within 4 standard errors
    const med = Math.sqrt((50 ** 2 + 500 ** 2) / 2);
    const inside = Array.from(distanceM).filter((d) => d <= med).length / distanceM.length;
    expect(Math.abs(inside - 0.5)).to.be.lessThan(4 * Math.sqrt(0.25 / distanceM.length));
    for (let k = 0; k < 20; k++) {
      expect(distanceM[k]).to.be.within(50, 500);
      expect(10 * Math.log10(gain[k]!)).to.be.closeTo(-(128.1 + 37.6 * Math.log10(distanceM[k]! / 1000)), 1e-9);
      // device k's distance comes from ('split-position', trial, 'device', k)
      const u = streams.stream('split-position', 0, 'device', k).uniform();
      expect(distanceM[k]).to.equal(Math.sqrt(50 ** 2 + u * (500 ** 2 - 50 ** 2)));
    }
  });

  it('Rayleigh power gains are Exp(1): the SNR density over its large-scale part has mean 1 (95% CI)', () => {
    const streams = new RandomStreams(3);
    const r = { ...defaultRadio, devices: 4 };
    const ls = dropDevices(streams, 0, r).gain;
    const p = dbmToWatt(r.txPowerDbm) / dbmToWatt(r.noiseDbmPerHz);
    const n = 4000;
    let sum = 0;
    let sum2 = 0;
    for (let t = 0; t < n / 4; t++) {
      const s = drawRoundSnrDensity(streams, 0, t, r, ls);
      for (let k = 0; k < 4; k++) {
        const x = s[k]! / (p * ls[k]!);
        sum += x;
        sum2 += x * x;
      }
    }
    const mean = sum / n;
    const sd = Math.sqrt(sum2 / n - mean * mean);
    expect(Math.abs(mean - 1)).to.be.lessThan(1.96 * sd / Math.sqrt(n) + 1e-3);
    expect(sd).to.be.closeTo(1, 0.1); // Exp(1) has unit standard deviation
  });
});
