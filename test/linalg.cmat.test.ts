import { expect } from 'chai';
import { Matrix } from 'ml-matrix';
import * as C from '../src/linalg/cmat.js';
import { RandomStreams } from '../src/random/streams.js';

function randn(r: number, c: number, seed: string): C.CMat {
  const m = C.cmat(r, c);
  new RandomStreams(seed).stream('m').fillComplexNormal(m.data);
  return m;
}

describe('linalg/cmat', () => {
  it('product matches ml-matrix on the real embedding', () => {
    const a = randn(5, 3, 'a'), b = randn(3, 4, 'b');
    const c = C.matmul(a, b);
    const ref = new Matrix(C.realEmbedding(a)).mmul(new Matrix(C.realEmbedding(b)));
    const got = new Matrix(C.realEmbedding(c));
    expect(Matrix.sub(ref, got).norm('frobenius')).to.be.below(1e-12);
  });

  it('Aᴴ·B and A·Bᴴ equal the products with explicit adjoints', () => {
    const a = randn(6, 3, 'a'), b = randn(6, 4, 'b'), d = randn(5, 3, 'd');
    expect(C.maxAbsDiff(C.matmulAH(a, b), C.matmul(C.adjoint(a), b))).to.be.below(1e-13);
    expect(C.maxAbsDiff(C.matmulBH(a, d), C.matmul(a, C.adjoint(d)))).to.be.below(1e-13);
  });

  it('trace and Frobenius norm: tr(AᴴA) = ‖A‖_F²', () => {
    const a = randn(4, 7, 'x');
    const [re, im] = C.trace(C.matmulAH(a, a));
    expect(re).to.be.closeTo(C.frob2(a), 1e-10);
    expect(im).to.be.closeTo(0, 1e-12);
  });

  it('rejects mismatched shapes', () => {
    expect(() => C.matmul(C.zeros(2, 3), C.zeros(2, 3))).to.throw(RangeError);
  });
});
