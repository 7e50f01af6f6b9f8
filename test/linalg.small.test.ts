import { expect } from 'chai';
import { NumericalError } from '../src/errors.js';
import * as L from '../src/linalg/index.js';
import { RandomStreams } from '../src/random/streams.js';

const TOL = 1e-10;

function randn(r: number, c: number, key: string): L.CMat {
  const m = L.cmat(r, c);
  new RandomStreams('test.linalg.small').stream(key).fillComplexNormal(m.data);
  return m;
}

function randBatch(count: number, r: number, c: number, key: string): L.CMatBatch {
  const b = L.batch(count, r, c);
  new RandomStreams('test.linalg.small').stream(key).fillComplexNormal(b.data);
  return b;
}

/** Naive triple loop, the reference for the blocked kernels. */
function naiveMul(a: L.CMat, b: L.CMat): L.CMat {
  const c = L.cmat(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let sr = 0, si = 0;
      for (let k = 0; k < a.cols; k++) {
        const x = L.get(a, i, k), y = L.get(b, k, j);
        sr += x.re * y.re - x.im * y.im;
        si += x.re * y.im + x.im * y.re;
      }
      L.set(c, i, j, sr, si);
    }
  }
  return c;
}

describe('linalg/gemm: blocked products', () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [2, 1, 3], [3, 5, 7], [4, 4, 4], [5, 2, 1], [7, 9, 2], [0, 3, 2]];
  for (const [m, p, n] of shapes) {
    it(`${m}x${p} · ${p}x${n}: AB, AᴴB and ABᴴ equal the naive triple loop (odd edges included)`, () => {
      const a = randn(m, p, `a${m}${p}${n}`), b = randn(p, n, `b${m}${p}${n}`);
      expect(L.maxAbsDiff(L.matmul(a, b), naiveMul(a, b))).to.be.below(1e-13);
      expect(L.maxAbsDiff(L.matmulAH(L.adjoint(a), b), naiveMul(a, b))).to.be.below(1e-13);
      expect(L.maxAbsDiff(L.matmulBH(a, L.adjoint(b)), naiveMul(a, b))).to.be.below(1e-13);
    });
  }

  it('writes into a given out and rejects a wrongly shaped one', () => {
    const a = randn(3, 4, 'oa'), b = randn(4, 2, 'ob'), out = L.cmat(3, 2);
    out.data.fill(7);
    expect(L.matmul(a, b, out)).to.equal(out);
    expect(L.maxAbsDiff(out, naiveMul(a, b))).to.be.below(1e-13);
    expect(() => L.matmul(a, b, L.cmat(2, 3))).to.throw(RangeError);
  });
});

describe('linalg/small: allocation-free fast paths', () => {
  it('gramInto equals HᴴH + λI and HHᴴ + λI and is exactly Hermitian', () => {
    const h = randn(5, 3, 'g');
    const g1 = L.gramInto(h, L.cmat(3, 3), 'AHA', 0.25);
    expect(L.maxAbsDiff(g1, L.add(L.matmul(L.adjoint(h), h), L.eye(3, 0.25)))).to.be.below(1e-13);
    const g2 = L.gramInto(h, L.cmat(5, 5), 'AAH');
    expect(L.maxAbsDiff(g2, L.matmul(h, L.adjoint(h)))).to.be.below(1e-13);
    for (const g of [g1, g2]) expect(L.maxAbsDiff(g, L.adjoint(g))).to.equal(0);
    expect(() => L.gramInto(h, L.cmat(5, 5), 'AHA')).to.throw(RangeError);
  });

  for (let s = 1; s <= 8; s++) {
    it(`invSmallInto ${s}x${s} equals inv and works in place`, () => {
      const a = L.gramInto(randn(s + 2, s, `s${s}`), L.cmat(s, s), 'AHA', 0.1);
      const out = L.cmat(s, s);
      const rc = L.invSmallInto(a, out);
      expect(rc).to.be.greaterThan(0).and.at.most(1);
      expect(L.maxAbsDiff(L.matmul(out, a), L.eye(s))).to.be.below(TOL);
      const inPlace = L.clone(a);
      L.invSmallInto(inPlace, inPlace);
      expect(L.maxAbsDiff(inPlace, out)).to.equal(0);
    });
  }

  it('invSmallInto throws NumericalError on a singular matrix', () => {
    const h = randn(1, 3, 'rank1');
    expect(() => L.invSmallInto(L.gramInto(h, L.cmat(3, 3), 'AHA'), L.cmat(3, 3))).to.throw(NumericalError, /singular/);
  });

  it('eighInto equals eigh and reuses the caller buffers', () => {
    for (const s of [1, 3, 4, 8]) {
      const a = L.gramInto(randn(s + 1, s, `eig${s}`), L.cmat(s, s), 'AHA');
      const values = new Float64Array(s), vectors = L.cmat(s, s);
      vectors.data.fill(Number.NaN);
      L.eighInto(a, values, vectors);
      const ref = L.eigh(a);
      expect(Array.from(values)).to.deep.equal(Array.from(ref.values));
      expect(L.maxAbsDiff(vectors, ref.vectors)).to.equal(0);
    }
    expect(() => L.eighInto(L.eye(3), new Float64Array(2), L.cmat(3, 3))).to.throw(RangeError);
    const bad = L.eye(3);
    bad.data[2 * 4] = Number.NaN;
    expect(() => L.eighInto(bad, new Float64Array(3), L.cmat(3, 3))).to.throw(NumericalError, /non-finite/);
    // the unchecked kernel (used directly by the PHY) must not hand back NaN silently either
    expect(() => L.eighBatchInto({ count: 1, rows: 3, cols: 3, data: bad.data }, new Float64Array(3), L.batch(1, 3, 3))).to.throw(NumericalError);
  });

  it('solveHPDInto equals solveHPD, also with out = b', () => {
    const a = L.gramInto(randn(6, 4, 'hpd'), L.cmat(4, 4), 'AHA', 0.5), b = randn(4, 2, 'rhs');
    const x = L.solveHPDInto(a, b, L.cmat(4, 2));
    expect(L.maxAbsDiff(x, L.solveHPD(a, b))).to.be.below(1e-13);
    const bb = L.clone(b);
    L.solveHPDInto(a, bb, bb);
    expect(L.maxAbsDiff(bb, x)).to.equal(0);
    expect(() => L.solveHPDInto(L.zeros(4, 4), b, L.cmat(4, 2))).to.throw(NumericalError, /not positive definite/);
  });
});

describe('linalg/batch: per-subcarrier helpers', () => {
  const K = 7, S = 3, M = 5;

  it('gramBatchInto, invBatchInto and solveHPDBatchInto equal the per-item results', () => {
    const h = randBatch(K, M, S, 'h');
    const g = L.gramBatchInto(h, L.batch(K, S, S), 'AHA', 0.1);
    const gi = L.batch(K, S, S);
    L.invBatchInto(g, gi);
    const b = randBatch(K, S, 2, 'b');
    const x = L.solveHPDBatchInto(g, b, L.batch(K, S, 2));
    for (let k = 0; k < K; k++) {
      const hk = L.batchItem(h, k), gk = L.gramInto(hk, L.cmat(S, S), 'AHA', 0.1);
      expect(L.maxAbsDiff(L.batchItem(g, k), gk)).to.equal(0);
      expect(L.maxAbsDiff(L.matmul(L.batchItem(gi, k), gk), L.eye(S))).to.be.below(TOL);
      expect(L.maxAbsDiff(L.batchItem(x, k), L.solveHPD(gk, L.batchItem(b, k)))).to.be.below(1e-13);
    }
    const a = L.gramBatchInto(h, L.batch(K, M, M), 'AAH');
    expect(L.maxAbsDiff(L.batchItem(a, 2), L.matmulBH(L.batchItem(h, 2), L.batchItem(h, 2)))).to.be.below(1e-13);
  });

  it('invBatchInto returns the smallest rcond and names the singular item', () => {
    const a = randBatch(4, 2, 2, 'inv');
    const rc = L.invBatchInto(a, L.batch(4, 2, 2));
    const each = [0, 1, 2, 3].map((k) => L.rcond1(L.batchItem(a, k)));
    expect(rc).to.be.closeTo(Math.min(...each), 1e-12);
    L.batchItem(a, 2).data.fill(0);
    try {
      L.invBatchInto(a, L.batch(4, 2, 2));
      expect.fail('expected NumericalError');
    } catch (e) {
      expect(e).to.be.instanceOf(NumericalError);
      expect((e as NumericalError).message).to.match(/item 2/);
      expect((e as NumericalError).context?.['index']).to.equal(2);
    }
  });

  it('mulBatchInto: AB, AᴴB, ABᴴ per item, with count-1 broadcasting', () => {
    const a = randBatch(K, M, S, 'ma'), b = randBatch(K, S, 2, 'mb'), w = randBatch(1, M, 2, 'mw');
    const ab = L.mulBatchInto(a, b, L.batch(K, M, 2));
    const ahw = L.mulBatchInto(a, w, L.batch(K, S, 2), 'AHB');
    const abh = L.mulBatchInto(b, w, L.batch(K, S, M), 'ABH');
    const w0 = L.batchItem(w, 0);
    for (let k = 0; k < K; k++) {
      const ak = L.batchItem(a, k), bk = L.batchItem(b, k);
      expect(L.maxAbsDiff(L.batchItem(ab, k), naiveMul(ak, bk))).to.be.below(1e-13);
      expect(L.maxAbsDiff(L.batchItem(ahw, k), naiveMul(L.adjoint(ak), w0))).to.be.below(1e-13);
      expect(L.maxAbsDiff(L.batchItem(abh, k), naiveMul(bk, L.adjoint(w0)))).to.be.below(1e-13);
    }
    expect(() => L.mulBatchInto(a, b, L.batch(K, S, 2))).to.throw(RangeError);
    expect(() => L.mulBatchInto(a, randBatch(3, S, 2, 'x'), L.batch(K, M, 2))).to.throw(RangeError);
  });

  it('eighBatch and eighBatchInto equal eigh per item', () => {
    const g = L.gramBatchInto(randBatch(K, M, S, 'e'), L.batch(K, S, S), 'AHA');
    const r = L.eighBatch(g);
    const values = new Float64Array(K * S), vectors = L.batch(K, S, S);
    L.eighBatchInto(g, values, vectors);
    for (let k = 0; k < K; k++) {
      const ref = L.eigh(L.batchItem(g, k));
      expect(Array.from(r[k]!.values)).to.deep.equal(Array.from(ref.values));
      expect(L.maxAbsDiff(r[k]!.vectors, ref.vectors)).to.equal(0);
      expect(Array.from(values.subarray(k * S, (k + 1) * S))).to.deep.equal(Array.from(ref.values));
      expect(L.maxAbsDiff(L.batchItem(vectors, k), ref.vectors)).to.equal(0);
    }
  });
});
