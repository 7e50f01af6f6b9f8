import { expect } from 'chai';
import { summarize, tQuantile975 } from '../src/stats/summary.js';
import { RandomStreams } from '../src/random/streams.js';

describe('stats/summary', () => {
  it('t quantiles match tables', () => {
    expect(tQuantile975(1)).to.be.closeTo(12.706, 1e-3);
    expect(tQuantile975(10)).to.be.closeTo(2.228, 1e-3);
    expect(tQuantile975(60)).to.be.closeTo(2.000, 2e-3);
    expect(tQuantile975(1000)).to.be.closeTo(1.962, 2e-3);
  });

  it('95% CI of the mean covers the true mean about 95% of the time', () => {
    const rng = new RandomStreams(9).stream('ci');
    let covered = 0;
    const reps = 2000;
    for (let r = 0; r < reps; r++) {
      const x = Array.from({ length: 12 }, () => 3 + 2 * rng.normal());
      const s = summarize(x);
      if (s.ciLow <= 3 && 3 <= s.ciHigh) covered++;
    }
    // binomial sd at p=0.95, 2000 reps ≈ 0.0049
    expect(covered / reps).to.be.closeTo(0.95, 0.02);
  });

  it('95% CI of the median covers the true median at least about 95% of the time', () => {
    const rng = new RandomStreams(10).stream('med');
    let covered = 0;
    const reps = 2000;
    for (let r = 0; r < reps; r++) {
      const x = Array.from({ length: 40 }, () => Math.exp(rng.normal())); // median 1
      const s = summarize(x);
      if (s.medianLow <= 1 && 1 <= s.medianHigh) covered++;
    }
    expect(covered / reps).to.be.greaterThan(0.93);
  });

  it('basic fields', () => {
    const s = summarize([1, 2, 3, 4]);
    expect(s.n).to.equal(4);
    expect(s.mean).to.equal(2.5);
    expect(s.median).to.equal(2.5);
    expect(s.min).to.equal(1);
    expect(s.max).to.equal(4);
  });
});
