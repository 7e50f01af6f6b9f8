import { expect } from 'chai';
import { RandomStreams } from '../src/random/streams.js';

describe('random/streams', () => {
  it('same seed and path give identical sequences', () => {
    const a = new RandomStreams(7).stream('channel', 'trial', 1, 'device', 3);
    const b = new RandomStreams(7).stream('channel', 'trial', 1, 'device', 3);
    for (let i = 0; i < 100; i++) expect(a.uniform()).to.equal(b.uniform());
  });

  it('streams depend only on their own name, not on creation order', () => {
    const root = new RandomStreams(7);
    const first = root.stream('device', 5).uniform();
    root.stream('device', 6).uniform();
    root.stream('noise').normal();
    expect(new RandomStreams(7).stream('device', 5).uniform()).to.equal(first);
  });

  it('child namespaces compose with stream paths', () => {
    const root = new RandomStreams(11);
    expect(root.child('trial', 3).stream('noise').uniform()).to.equal(root.stream('trial', 3, 'noise').uniform());
  });

  it('different names and seeds give different draws; name parts do not collide', () => {
    const root = new RandomStreams(1);
    expect(root.stream('a', 'bc').uniform()).to.not.equal(root.stream('ab', 'c').uniform());
    expect(new RandomStreams(1).stream('x').uniform()).to.not.equal(new RandomStreams(2).stream('x').uniform());
  });

  it('normal samples have mean 0 and variance 1 (within 5 standard errors)', () => {
    const r = new RandomStreams(3).stream('normal');
    const n = 200_000;
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    const mean = s / n, v = s2 / n - mean * mean;
    expect(Math.abs(mean)).to.be.below(5 / Math.sqrt(n));
    expect(Math.abs(v - 1)).to.be.below(5 * Math.sqrt(2 / n));
  });

  it('complex normal CN(0, σ²) has E|z|² = σ² split evenly over re and im', () => {
    const r = new RandomStreams(4).stream('cn');
    const n = 100_000, sigma2 = 2.5;
    const z = r.fillComplexNormal(new Float64Array(2 * n), sigma2);
    let pr = 0, pi = 0;
    for (let i = 0; i < n; i++) {
      pr += z[2 * i]! ** 2;
      pi += z[2 * i + 1]! ** 2;
    }
    expect((pr + pi) / n).to.be.closeTo(sigma2, 5 * sigma2 / Math.sqrt(n));
    expect(pr / n).to.be.closeTo(sigma2 / 2, 5 * sigma2 / Math.sqrt(n));
  });

  it('Dirichlet draws sum to one and gamma has the right mean', () => {
    const r = new RandomStreams(5).stream('dir');
    const d = r.dirichlet(0.5, 10);
    expect(d.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-12);
    let s = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) s += r.gamma(2.5);
    expect(s / n).to.be.closeTo(2.5, 5 * Math.sqrt(2.5 / n));
  });
});
