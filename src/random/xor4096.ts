/**
 * Brent's xor4096 generator, bit for bit the one seedrandom ships (`seedrandom.xor4096(key)`: the same
 * string-seeded initialisation, the same 32-bit outputs, `double()` from two of them), with its state in
 * an Int32Array so a hot loop can run it inline. Every stream of a scenario draws from it, so this file
 * fixes the project's random numbers: test/random.xor4096.test.ts checks it against seedrandom itself.
 */
export class Xor4096 {
  /** The 128-word state, the Weyl counter w and the index i (seedrandom's X, w, i). */
  readonly X = new Int32Array(128);
  w = 0;
  i = 0;

  constructor(seed: string) {
    const X = this.X;
    const s = seed + '\0';
    const limit = Math.max(128, s.length);
    let v = 0, w = 0, zeros = 0;
    for (let j = -32; j < limit; ++j) {
      v ^= s.charCodeAt((j + 32) % s.length);
      if (j === 0) w = v;
      v ^= v << 10;
      v ^= v >>> 15;
      v ^= v << 4;
      v ^= v >>> 13;
      if (j >= 0) {
        w = (w + 0x61c88647) | 0;
        const t = (X[j & 127]! ^= (v + w));
        zeros = t === 0 ? zeros + 1 : 0;
      }
    }
    if (zeros >= 128) X[s.length & 127] = -1;
    let i = 127;
    for (let j = 4 * 128; j > 0; --j) {
      let a = X[(i + 34) & 127]!;
      i = (i + 1) & 127;
      let t = X[i]!;
      a ^= a << 13;
      t ^= t << 17;
      a ^= a >>> 15;
      t ^= t >>> 12;
      X[i] = a ^ t;
    }
    this.w = w;
    this.i = i;
  }

  /** The next 32-bit output (signed, as seedrandom's int32()). */
  next(): number {
    const X = this.X;
    const w = (this.w = (this.w + 0x61c88647) | 0);
    let v = X[(this.i + 34) & 127]!;
    const i = (this.i = (this.i + 1) & 127);
    let t = X[i]!;
    v ^= v << 13;
    t ^= t << 17;
    v ^= v >>> 15;
    t ^= t >>> 12;
    v = X[i] = v ^ t;
    return (v + (w ^ (w >>> 16))) | 0;
  }

  /** Uniform on [0, 1) with 32-bit resolution (seedrandom's prng()). */
  quick(): number {
    return (this.next() >>> 0) / 0x100000000;
  }

  /** Uniform on (0, 1) with 53-bit resolution (seedrandom's prng.double()). */
  double(): number {
    for (;;) {
      const top = this.next() >>> 11;
      const bot = (this.next() >>> 0) / 0x100000000;
      const r = (top + bot) / (1 << 21);
      if (r !== 0) return r;
    }
  }
}
