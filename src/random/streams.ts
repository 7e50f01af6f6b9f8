/**
 * Seeded random streams derived by name.
 *
 * One scenario seed derives an independent stream per (component, trial, round, device, ...) by
 * hashing the seed and the path of names into a seedrandom `xor4096` state. Because a stream
 * depends only on its own name, adding a device, reordering loops, or evaluating schemes in a
 * different order never changes any other draw.
 *
 *   const root = new RandomStreams(42);
 *   const rng = root.stream('channel', 'trial', 3, 'round', 0, 'device', 7);
 */
import { Xor4096 } from './xor4096.js';

export type StreamKey = string | number;

export class Rng {
  private readonly gen: Xor4096;
  private spare = 0;
  private hasSpare = false;

  constructor(key: string) {
    this.gen = new Xor4096(key);
  }

  /** Uniform on [0, 1) with 53-bit resolution. */
  uniform(): number {
    return this.gen.double();
  }

  /** Integer uniform on [0, n). */
  int(n: number): number {
    return Math.floor(this.gen.double() * n);
  }

  /** Standard normal N(0, 1) by the polar Box–Muller method (pairs cached). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.gen.quick() - 1;
      v = 2 * this.gen.quick() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** Fill `out` with N(0, variance) samples. */
  fillNormal(out: Float64Array, variance = 1, offset = 0, length = out.length - offset): Float64Array {
    // normal() in a loop, with the generator inlined (the noise of every PHY round is drawn here):
    // the same draws in the same order, so the same bits.
    const sd = Math.sqrt(variance);
    const end = offset + length;
    let k = offset;
    if (k < end && this.hasSpare) {
      this.hasSpare = false;
      out[k++] = sd * this.spare;
    }
    if (k >= end) return out;
    const g = this.gen, X = g.X;
    let w = g.w, i = g.i;
    while (k < end) {
      let u: number, v: number, s: number;
      do {
        w = (w + 0x61c88647) | 0;
        let a = X[(i + 34) & 127]!;
        i = (i + 1) & 127;
        let t = X[i]!;
        a ^= a << 13; t ^= t << 17; a ^= a >>> 15; t ^= t >>> 12;
        a = X[i] = a ^ t;
        u = 2 * (((a + (w ^ (w >>> 16))) >>> 0) / 0x100000000) - 1;
        w = (w + 0x61c88647) | 0;
        a = X[(i + 34) & 127]!;
        i = (i + 1) & 127;
        t = X[i]!;
        a ^= a << 13; t ^= t << 17; a ^= a >>> 15; t ^= t >>> 12;
        a = X[i] = a ^ t;
        v = 2 * (((a + (w ^ (w >>> 16))) >>> 0) / 0x100000000) - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      out[k++] = sd * (u * f);
      if (k < end) out[k++] = sd * (v * f);
      else {
        this.spare = v * f;
        this.hasSpare = true;
      }
    }
    g.w = w;
    g.i = i;
    return out;
  }

  /**
   * Fill an interleaved complex buffer (re, im, re, im, ...) with CN(0, variance) samples:
   * real and imaginary parts are independent N(0, variance / 2).
   */
  fillComplexNormal(out: Float64Array, variance = 1): Float64Array {
    return this.fillNormal(out, variance / 2);
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang (shape > 0). */
  gamma(shape: number): number {
    if (shape < 1) {
      const u = this.uniform();
      return this.gamma(shape + 1) * Math.pow(u === 0 ? Number.MIN_VALUE : u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Dirichlet(alpha, ..., alpha) of dimension n. */
  dirichlet(alpha: number, n: number): Float64Array {
    const g = new Float64Array(n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      g[i] = this.gamma(alpha);
      s += g[i]!;
    }
    for (let i = 0; i < n; i++) g[i] = s > 0 ? g[i]! / s : 1 / n;
    return g;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }

  /** `k` distinct indices from [0, n), in random order. */
  sample(n: number, k: number): number[] {
    const idx = Array.from({ length: n }, (_, i) => i);
    return this.shuffle(idx).slice(0, k);
  }

  /** A 32-bit integer seed (e.g. for tfjs initialisers that take a number). */
  seed32(): number {
    return this.gen.next() >>> 0;
  }
}

export class RandomStreams {
  constructor(
    readonly seed: number | string,
    private readonly prefix: readonly StreamKey[] = [],
  ) {}

  /** The stream named by `path`; the same seed and path always give the same sequence. */
  stream(...path: StreamKey[]): Rng {
    return new Rng(RandomStreams.key(this.seed, [...this.prefix, ...path]));
  }

  /** A child namespace: `root.child('trial', 3).stream('noise')` equals `root.stream('trial', 3, 'noise')`. */
  child(...path: StreamKey[]): RandomStreams {
    return new RandomStreams(this.seed, [...this.prefix, ...path]);
  }

  private static key(seed: number | string, path: readonly StreamKey[]): string {
    // Length-prefixed parts: ('a','bc') and ('ab','c') never collide.
    return [String(seed), ...path.map(String)].map((p) => `${p.length}:${p}`).join('|');
  }
}
