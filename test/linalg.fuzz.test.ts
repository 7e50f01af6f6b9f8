/**
 * Randomised structure sweep: many small matrices with zeros, repeated values, low rank and wide
 * dynamic range, to reach the rarely-taken branches (reflector skipped, zero pivots handled by
 * swaps, zero singular values, deflation in QL). Every identity is checked to 1e-10 relative.
 */
import { expect } from 'chai';
import { NumericalError } from '../src/errors.js';
import * as L from '../src/linalg/index.js';
import { RandomStreams, type Rng } from '../src/random/streams.js';

const TOL = 1e-10;

/** A random n×m matrix of one of several structures, chosen by the stream. */
function structured(rng: Rng, r: number, c: number): L.CMat {
  const a = L.cmat(r, c);
  const kind = rng.int(5);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const k = 2 * (i * c + j);
      if (kind === 1 && rng.uniform() < 0.6) continue; // sparse
      if (kind === 2 && Math.abs(i - j) > 1) continue; // banded
      const s = kind === 3 ? Math.pow(10, 6 * rng.uniform() - 3) : 1; // wide dynamic range
      a.data[k] = s * rng.normal();
      a.data[k + 1] = kind === 4 ? 0 : s * rng.normal(); // kind 4: real
    }
  }
  if (rng.uniform() < 0.3 && r > 1) {
    // duplicate a row (rank deficiency)
    const from = rng.int(r), to = rng.int(r);
    a.data.copyWithin(2 * to * c, 2 * from * c, 2 * (from + 1) * c);
  }
  return a;
}

function hermitian(rng: Rng, n: number): L.CMat {
  const a = structured(rng, n, n);
  const h = L.scale(L.add(a, L.adjoint(a)), 0.5);
  if (rng.uniform() < 0.3) {
    // repeated eigenvalues: replace by W diag(v) Wᴴ with v drawn from 2 values
    const W = L.qr(structured(rng, n, n)).Q;
    const D = L.cmat(n, n);
    for (let i = 0; i < n; i++) D.data[2 * (i * n + i)] = rng.uniform() < 0.5 ? 1 : -2;
    const g = L.matmulBH(L.matmul(W, D), W);
    return L.scale(L.add(g, L.adjoint(g)), 0.5);
  }
  return h;
}

function rel(a: L.CMat, b: L.CMat): number {
  return L.maxAbsDiff(a, b) / Math.max(1e-300, L.frobNorm(b), L.frobNorm(a));
}

describe('linalg/fuzz: structured random matrices', () => {
  const streams = new RandomStreams('test.linalg.fuzz');

  it('eigh: 300 Hermitian matrices (n ≤ 9) reconstruct with orthonormal vectors', () => {
    for (let t = 0; t < 300; t++) {
      const rng = streams.stream('eigh', t);
      const n = 1 + rng.int(9);
      const a = hermitian(rng, n);
      const { values, vectors } = L.eigh(a);
      const D = L.cmat(n, n);
      for (let i = 0; i < n; i++) D.data[2 * (i * n + i)] = values[i]!;
      const scale = Math.max(1e-300, L.frobNorm(a));
      expect(L.maxAbsDiff(L.matmulBH(L.matmul(vectors, D), vectors), a) / scale, `trial ${t}`).to.be.below(TOL);
      expect(L.maxAbsDiff(L.matmulAH(vectors, vectors), L.eye(n)), `trial ${t}`).to.be.below(TOL);
      for (let i = 1; i < n; i++) expect(values[i]).to.be.at.most(values[i - 1]!);
    }
  });

  it('svd and pinv: 300 matrices (≤ 12×12, any shape) satisfy reconstruction and Penrose conditions', () => {
    for (let t = 0; t < 300; t++) {
      const rng = streams.stream('svd', t);
      const m = 1 + rng.int(12), n = 1 + rng.int(12);
      const a = structured(rng, m, n);
      const { U, s, V } = L.svd(a);
      const k = s.length, S = L.cmat(k, k);
      for (let i = 0; i < k; i++) S.data[2 * (i * k + i)] = s[i]!;
      expect(rel(L.matmulBH(L.matmul(U, S), V), a), `trial ${t}`).to.be.below(TOL);
      expect(L.maxAbsDiff(L.matmulAH(U, U), L.eye(k)), `trial ${t} U`).to.be.below(TOL);
      expect(L.maxAbsDiff(L.matmulAH(V, V), L.eye(k)), `trial ${t} V`).to.be.below(TOL);
      const p = L.pinv(a);
      expect(rel(L.matmul(L.matmul(a, p), a), a), `trial ${t} AA⁺A`).to.be.below(1e-8);
      const ap = L.matmul(a, p);
      expect(rel(L.adjoint(ap), ap), `trial ${t} (AA⁺)ᴴ`).to.be.below(1e-8);
    }
  });

  it('inv, solve, invSmallInto and qr: 300 square matrices (n ≤ 9); singular ones throw NumericalError', () => {
    let inverted = 0, singular = 0;
    for (let t = 0; t < 300; t++) {
      const rng = streams.stream('inv', t);
      const n = 1 + rng.int(9);
      const a = structured(rng, n, n);
      const { Q, R } = L.qr(a);
      expect(rel(L.matmul(Q, R), a), `trial ${t} QR`).to.be.below(TOL);
      expect(L.maxAbsDiff(L.matmulAH(Q, Q), L.eye(n)), `trial ${t} Q`).to.be.below(TOL);
      let ai: L.CMat;
      try {
        ai = L.inv(a);
      } catch (e) {
        expect(e, `trial ${t}`).to.be.instanceOf(NumericalError);
        expect(L.rcond1(a), `trial ${t} rcond`).to.be.below(n * Number.EPSILON * 1.0001);
        expect(() => L.invSmallInto(a, L.cmat(n, n))).to.throw(NumericalError);
        singular++;
        continue;
      }
      inverted++;
      const cond = 1 / L.rcond1(a);
      // forward error of an inverse is bounded by about cond · ε
      expect(L.maxAbsDiff(L.matmul(ai, a), L.eye(n)), `trial ${t} cond ${cond}`).to.be.below(Math.max(TOL, 1e3 * cond * Number.EPSILON));
      expect(L.maxAbsDiff(L.matmul(a, L.solve(a, L.eye(n))), L.eye(n)), `trial ${t} solve`).to.be.below(Math.max(TOL, 1e3 * cond * Number.EPSILON));
      const small = L.cmat(n, n);
      L.invSmallInto(a, small);
      expect(L.maxAbsDiff(small, ai)).to.equal(0);
    }
    expect(inverted).to.be.greaterThan(150);
    expect(singular).to.be.greaterThan(20);
  });
});
