import { expect } from 'chai';
import seedrandom from 'seedrandom';
import { Xor4096 } from '../src/random/xor4096.js';
import { Rng } from '../src/random/streams.js';

// The project's generator must be seedrandom's xor4096 bit for bit: every stored result depends on it.
describe('random: xor4096 equals seedrandom', () => {
  const keys = ['', 'a', '42/channel/trial/3/round/0/device/7', 'x'.repeat(300), 'ünïcødé/∞', '0'];

  it('the same 32-bit outputs, 53-bit doubles and 32-bit uniforms, for short, long and non-ASCII keys', () => {
    for (const key of keys) {
      const ref = seedrandom.xor4096(key), mine = new Xor4096(key);
      for (let n = 0; n < 2000; n++) expect(mine.next(), `${key} int32 #${n}`).to.equal(ref.int32());
      for (let n = 0; n < 500; n++) expect(mine.double()).to.equal(ref.double());
      for (let n = 0; n < 500; n++) expect(mine.quick()).to.equal(ref());
    }
  });

  it('fillNormal equals normal() drawn one by one, whatever the offsets, lengths and cached spare', () => {
    for (const key of keys) {
      const a = new Rng(key), b = new Rng(key);
      // odd lengths leave a spare behind; a single normal() in between takes it
      for (const len of [1, 2, 7, 1000, 3, 0, 64]) {
        const out = new Float64Array(len + 5);
        a.fillNormal(out, 2.5, 3, len);
        const ref = new Float64Array(len + 5);
        for (let i = 3; i < 3 + len; i++) ref[i] = Math.sqrt(2.5) * b.normal();
        expect(Array.from(out)).to.deep.equal(Array.from(ref));
        expect(a.normal()).to.equal(b.normal());
        expect(a.uniform()).to.equal(b.uniform());
      }
    }
  });

  it('fillNormal samples N(0, σ²): mean and variance within their 99.9% sampling bounds', () => {
    const n = 200_000, out = new Rng('moments').fillNormal(new Float64Array(n), 4);
    let m = 0, q = 0;
    for (const x of out) { m += x; q += x * x; }
    m /= n; q = q / n - m * m;
    expect(Math.abs(m)).to.be.below(3.3 * 2 / Math.sqrt(n));
    expect(Math.abs(q - 4)).to.be.below(3.3 * 4 * Math.sqrt(2 / n));
  });
});
