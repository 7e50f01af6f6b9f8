import { expect } from 'chai';
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition, inverse } from 'ml-matrix';
import { NumericalError } from '../src/errors.js';
import * as L from '../src/linalg/index.js';
import { RandomStreams } from '../src/random/streams.js';

const TOL = 1e-10;

function randn(r: number, c: number, key: string): L.CMat {
  const m = L.cmat(r, c);
  new RandomStreams('test.linalg').stream(key).fillComplexNormal(m.data);
  return m;
}

function unitary(n: number, key: string): L.CMat {
  return L.qr(randn(n, n, key)).Q;
}

function diag(v: ArrayLike<number>): L.CMat {
  const n = v.length, m = L.cmat(n, n);
  for (let i = 0; i < n; i++) m.data[2 * (i * n + i)] = v[i]!;
  return m;
}

/** Hermitian W diag(v) Wᴴ with a random unitary W. */
function hermitianWithSpectrum(v: number[], key: string): L.CMat {
  const W = unitary(v.length, key);
  return hermitize(L.matmulBH(L.matmul(W, diag(v)), W));
}

function hermitize(a: L.CMat): L.CMat {
  return L.scale(L.add(a, L.adjoint(a)), 0.5);
}

function expectClose(a: L.CMat, b: L.CMat, tol = TOL, what = ''): void {
  expect(a.rows, `${what} rows`).to.equal(b.rows);
  expect(a.cols, `${what} cols`).to.equal(b.cols);
  expect(L.maxAbsDiff(a, b), what).to.be.below(tol);
}

function expectOrthonormalColumns(q: L.CMat, tol = TOL, what = ''): void {
  expectClose(L.matmulAH(q, q), L.eye(q.cols), tol, `${what} QᴴQ = I`);
}

function expectThrowsNumerical(f: () => unknown, pattern?: RegExp): NumericalError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(NumericalError);
    if (pattern) expect((e as Error).message).to.match(pattern);
    return e as NumericalError;
  }
  expect.fail('expected a NumericalError');
}

/** Sorted descending real-embedding eigenvalues / singular values from ml-matrix. */
function sortedDesc(x: ArrayLike<number>): number[] {
  return Array.from(x).sort((p, q) => q - p);
}

describe('linalg/decomp: cholesky and solveHPD', () => {
  for (const n of [1, 2, 5, 16]) {
    it(`n = ${n}: L is lower triangular with positive real diagonal and L Lᴴ = A`, () => {
      const g = randn(n + 3, n, `chol${n}`);
      const a = L.gramInto(g, L.cmat(n, n), 'AHA', 0.1);
      const l = L.cholesky(a);
      for (let i = 0; i < n; i++) {
        expect(l.data[2 * (i * n + i)]).to.be.greaterThan(0);
        expect(l.data[2 * (i * n + i) + 1]).to.equal(0);
        for (let j = i + 1; j < n; j++) expect(L.get(l, i, j).abs()).to.equal(0);
      }
      expectClose(L.matmulBH(l, l), a, TOL * n);
    });
  }

  it('solveHPD solves A X = B and agrees with the general solver', () => {
    const n = 12, a = L.gramInto(randn(20, n, 'spd'), L.cmat(n, n), 'AHA', 0.5), b = randn(n, 3, 'rhs');
    const x = L.solveHPD(a, b);
    expectClose(L.matmul(a, x), b, TOL);
    expectClose(x, L.solve(a, b), TOL);
  });

  it('rejects indefinite, singular, non-Hermitian and NaN input with NumericalError', () => {
    expectThrowsNumerical(() => L.cholesky(hermitianWithSpectrum([3, 1, -0.5], 'indef')), /not positive definite/);
    const g = randn(4, 2, 'lowrank');
    expectThrowsNumerical(() => L.solveHPD(L.matmulBH(g, g), randn(4, 1, 'b')), /not positive definite/);
    expectThrowsNumerical(() => L.cholesky(randn(3, 3, 'nonherm')), /not Hermitian/);
    const nan = L.eye(3);
    nan.data[2] = Number.NaN;
    expectThrowsNumerical(() => L.cholesky(nan), /non-finite/);
  });

  it('invHPD is an exactly Hermitian inverse and rejects indefinite input', () => {
    const n = 11, a = L.gramInto(randn(14, n, 'ih'), L.cmat(n, n), 'AHA', 0.2);
    const ai = L.invHPD(a);
    expectClose(L.matmul(ai, a), L.eye(n), TOL);
    expect(L.maxAbsDiff(ai, L.adjoint(ai))).to.equal(0);
    expectThrowsNumerical(() => L.invHPD(hermitianWithSpectrum([1, -1], 'ihneg')), /not positive definite/);
  });

  it('logdetHPD equals log det from LU', () => {
    const n = 9, a = L.gramInto(randn(12, n, 'ld'), L.cmat(n, n), 'AHA', 1);
    const [lg, ph] = L.logdet(a);
    expect(L.logdetHPD(a)).to.be.closeTo(lg, 1e-10);
    expect(ph).to.be.closeTo(0, 1e-10);
  });
});

describe('linalg/decomp: inv, solve, det', () => {
  for (const n of [1, 2, 3, 7, 32, 64]) {
    it(`n = ${n}: A⁻¹ A = A A⁻¹ = I`, () => {
      const a = randn(n, n, `inv${n}`);
      const ai = L.inv(a);
      expectClose(L.matmul(ai, a), L.eye(n), TOL, 'A⁻¹A');
      expectClose(L.matmul(a, ai), L.eye(n), TOL, 'AA⁻¹');
    });
  }

  it('pivots: a matrix with a zero leading entry inverts', () => {
    const a = L.fromArrays([[0, [1, 1]], [[2, -1], 3]]);
    expectClose(L.matmul(L.inv(a), a), L.eye(2));
  });

  it('a phase-permutation matrix (zero diagonal, every pivot needs a swap) inverts to its adjoint', () => {
    const n = 7, perm = [3, 0, 6, 1, 5, 2, 4], a = L.cmat(n, n);
    perm.forEach((j, i) => L.set(a, i, j, Math.cos(i + 1), Math.sin(i + 1)));
    expectClose(L.inv(a), L.adjoint(a), 1e-15);
    const d = diag([1e-5, 1, 1e5]);
    expectClose(L.inv(d), diag([1e5, 1, 1e-5]), 1e-10);
  });

  it('inverts and decomposes matrices scaled by 1e±200 (no overflow in squared moduli)', () => {
    for (const n of [1, 2, 3, 6]) {
      for (const sc of [1e200, 1e-200]) {
        const a = L.scale(randn(n, n, `big${n}`), sc);
        const ai = L.inv(a);
        expectClose(L.matmul(ai, a), L.eye(n), TOL, `n=${n} scale ${sc}`);
        const { U, s, V } = L.svd(a);
        const ref = L.svd(randn(n, n, `big${n}`));
        for (let i = 0; i < n; i++) expect(s[i]! / sc).to.be.closeTo(ref.s[i]!, 1e-10 * ref.s[0]!);
        expectOrthonormalColumns(U);
        expectOrthonormalColumns(V);
      }
    }
  });

  it('matches ml-matrix on the real embedding', () => {
    const a = randn(6, 6, 'ml');
    const ref = inverse(new Matrix(L.realEmbedding(a)));
    const got = new Matrix(L.realEmbedding(L.inv(a)));
    expect(Matrix.sub(ref, got).abs().max()).to.be.below(TOL);
  });

  it('singular and ill-conditioned input throw NumericalError with a condition estimate', () => {
    const g = L.matmul(randn(5, 2, 'u'), randn(2, 5, 'v'));
    const e = expectThrowsNumerical(() => L.inv(g), /singular.*condition number/);
    expect(e.context?.['condition']).to.be.greaterThan(1e14);
    expectThrowsNumerical(() => L.inv(L.zeros(3, 3)), /singular/);
    expectThrowsNumerical(() => L.solve(g, randn(5, 1, 'b')), /singular/);
    // diag(1, 1e-17): exactly invertible in floating point but beyond working precision.
    expectThrowsNumerical(() => L.inv(diag([1, 1e-17])), /condition number ≈ 1\.000e\+17/);
    const nan = randn(3, 3, 'n');
    nan.data[5] = Number.POSITIVE_INFINITY;
    expectThrowsNumerical(() => L.inv(nan), /non-finite/);
  });

  it('rcond1 is exact on a diagonal matrix and 0 for a singular one', () => {
    expect(L.rcond1(diag([4, 2, 0.5]))).to.be.closeTo(0.5 / 4, 1e-15);
    expect(L.rcond1(L.zeros(2, 2))).to.equal(0);
  });

  it('rcondEstimate never understates the exact rcond (it bounds the condition number from below) and is within a factor 10', () => {
    const cases = [randn(8, 8, 'ce1'), randn(20, 20, 'ce2'), diag([1, 1e-3, 1e-6]), L.fromArrays([[1, -1, -1, -1], [0, 1, -1, -1], [0, 0, 1, -1], [0, 0, 0, 1]])];
    for (const a of cases) {
      const exact = L.rcond1(a), est = L.rcondEstimate(a);
      expect(est).to.be.at.least(exact * (1 - 1e-12));
      expect(est).to.be.below(10 * exact);
    }
    expect(L.rcondEstimate(L.zeros(3, 3))).to.equal(0);
  });

  it('solve rejects an ill-conditioned triangular matrix whose pivots all equal 1', () => {
    // U with 1 on the diagonal and −1 above: cond₁ = n·2^(n−1), far beyond 1/ε for n = 60.
    const n = 60, u = L.cmat(n, n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) L.set(u, i, j, i === j ? 1 : -1);
    const e = expectThrowsNumerical(() => L.solve(u, randn(n, 1, 'tri')), /condition number/);
    expect(e.context?.['condition']).to.be.greaterThan(1e17);
  });

  it('solve: A X = B for several right-hand sides', () => {
    const a = randn(10, 10, 'sa'), b = randn(10, 4, 'sb');
    expectClose(L.matmul(a, L.solve(a, b)), b, TOL);
  });

  it('det(AB) = det(A) det(B); det of a triangular matrix is its diagonal product; logdet agrees', () => {
    const a = randn(6, 6, 'da'), b = randn(6, 6, 'db');
    const [ar, ai] = L.det(a), [br, bi] = L.det(b), [cr, ci] = L.det(L.matmul(a, b));
    expect(cr).to.be.closeTo(ar * br - ai * bi, 1e-9 * Math.hypot(cr, ci));
    expect(ci).to.be.closeTo(ar * bi + ai * br, 1e-9 * Math.hypot(cr, ci));
    const t = L.fromArrays([[[2, 1], 5, 7], [0, [0, 3], [1, 1]], [0, 0, -1]]);
    const [tr, ti] = L.det(t); // (2+i)(3i)(−1) = 3 − 6i
    expect(tr).to.be.closeTo(3, 1e-12);
    expect(ti).to.be.closeTo(-6, 1e-12);
    const [lg, ph] = L.logdet(t);
    expect(lg).to.be.closeTo(Math.log(Math.hypot(3, 6)), 1e-12);
    expect(ph).to.be.closeTo(Math.atan2(-6, 3), 1e-12);
    expect(L.det(L.zeros(2, 2))).to.deep.equal([0, 0]);
  });
});

describe('linalg/decomp: qr', () => {
  const shapes: [number, number][] = [[1, 1], [4, 4], [7, 3], [64, 8], [10, 1]];
  for (const [m, n] of shapes) {
    it(`${m}x${n}: QR = A, QᴴQ = I, R upper triangular with real non-negative diagonal`, () => {
      const a = randn(m, n, `qr${m}x${n}`);
      const { Q, R } = L.qr(a);
      expectClose(L.matmul(Q, R), a, TOL, 'QR');
      expectOrthonormalColumns(Q, TOL, 'Q');
      for (let i = 0; i < n; i++) {
        expect(R.data[2 * (i * n + i)]).to.be.at.least(0);
        expect(R.data[2 * (i * n + i) + 1]).to.equal(0);
        for (let j = 0; j < i; j++) expect(L.get(R, i, j).abs()).to.equal(0);
      }
    });
  }

  it('rank-deficient input (a zero and a repeated column) still gives orthonormal Q', () => {
    const a = randn(6, 4, 'qrd');
    for (let i = 0; i < 6; i++) {
      L.set(a, i, 1, 0, 0);
      L.set(a, i, 3, a.data[2 * (i * 4)]!, a.data[2 * (i * 4) + 1]!);
    }
    const { Q, R } = L.qr(a);
    expectClose(L.matmul(Q, R), a, TOL);
    expectOrthonormalColumns(Q);
  });

  it('wide input is a RangeError', () => {
    expect(() => L.qr(L.zeros(2, 3))).to.throw(RangeError);
  });
});

describe('linalg/decomp: eigh', () => {
  function check(a: L.CMat, what: string): L.Eigh {
    const r = L.eigh(a);
    const n = a.rows;
    expect(r.values.length).to.equal(n);
    for (let i = 1; i < n; i++) expect(r.values[i]).to.be.at.most(r.values[i - 1]!);
    const scaleA = Math.max(1, L.frobNorm(a));
    expectClose(L.matmulBH(L.matmul(r.vectors, diag(r.values)), r.vectors), a, TOL * scaleA, `${what} VΛVᴴ = A`);
    expectOrthonormalColumns(r.vectors, TOL, what);
    return r;
  }

  for (const n of [1, 2, 3, 4, 8, 17, 64]) {
    it(`n = ${n}: A = V diag(λ) Vᴴ, VᴴV = I, λ descending, equals ml-matrix (each λ twice in the real embedding)`, () => {
      const a = hermitize(randn(n, n, `eigh${n}`));
      const r = check(a, `n=${n}`);
      const ref = sortedDesc(new EigenvalueDecomposition(new Matrix(L.realEmbedding(a)), { assumeSymmetric: true }).realEigenvalues);
      for (let i = 0; i < n; i++) {
        expect(ref[2 * i]).to.be.closeTo(r.values[i]!, TOL);
        expect(ref[2 * i + 1]).to.be.closeTo(r.values[i]!, TOL);
      }
    });
  }

  it('repeated eigenvalues give orthonormal eigenvectors spanning the right subspaces', () => {
    const spec = [3, 3, 3, 1, 1, -2, 0.5, 0.5];
    const a = hermitianWithSpectrum(spec, 'rep');
    const r = check(a, 'repeated');
    const want = sortedDesc(spec);
    for (let i = 0; i < spec.length; i++) expect(r.values[i]).to.be.closeTo(want[i]!, TOL);
  });

  it('identity, zero, diagonal and already-tridiagonal matrices', () => {
    const id = check(L.eye(5), 'identity');
    for (const v of id.values) expect(v).to.be.closeTo(1, 1e-15);
    const z = check(L.zeros(4, 4), 'zero');
    for (const v of z.values) expect(v).to.equal(0);
    const d = check(diag([-1, 5, 2, 2]), 'diagonal');
    expect(Array.from(d.values)).to.deep.equal([5, 2, 2, -1]);
    const t = L.fromArrays([[2, [1, 1], 0, 0], [[1, -1], 3, [0, -2], 0], [0, [0, 2], 1, 0.5], [0, 0, 0.5, -1]]);
    check(t, 'tridiagonal');
  });

  it('a Gram matrix H Hᴴ of rank 2 has n − 2 zero eigenvalues and orthonormal null vectors', () => {
    const h = randn(6, 2, 'gram');
    const r = check(L.gramInto(h, L.cmat(6, 6), 'AAH'), 'rank2');
    for (let i = 2; i < 6; i++) expect(Math.abs(r.values[i]!)).to.be.below(1e-12);
  });

  it('handles very large and very small scales', () => {
    for (const s of [1e-150, 1e150]) {
      const a = L.scale(hermitize(randn(6, 6, 'scale')), s);
      const r = L.eigh(a);
      const back = L.matmulBH(L.matmul(r.vectors, diag(r.values)), r.vectors);
      expect(L.maxAbsDiff(back, a) / L.frobNorm(a)).to.be.below(TOL);
      expectOrthonormalColumns(r.vectors);
    }
  });

  it('rejects non-Hermitian and non-finite input with NumericalError, non-square with RangeError', () => {
    expectThrowsNumerical(() => L.eigh(randn(4, 4, 'nh')), /not Hermitian/);
    const a = L.eye(3);
    a.data[0] = Number.NaN;
    expectThrowsNumerical(() => L.eigh(a), /non-finite entry NaN at \(0, 0\)/);
    expect(() => L.eigh(L.zeros(2, 3))).to.throw(RangeError);
  });

  it('same input gives bit-identical output', () => {
    const a = hermitize(randn(12, 12, 'det'));
    const r1 = L.eigh(a), r2 = L.eigh(L.clone(a));
    expect(Buffer.from(r1.vectors.data.buffer).equals(Buffer.from(r2.vectors.data.buffer))).to.equal(true);
    expect(Array.from(r1.values)).to.deep.equal(Array.from(r2.values));
  });
});

describe('linalg/decomp: svd and pinv', () => {
  function check(a: L.CMat, what: string): L.Svd {
    const r = L.svd(a);
    const k = Math.min(a.rows, a.cols);
    expect([r.U.rows, r.U.cols, r.s.length, r.V.rows, r.V.cols]).to.deep.equal([a.rows, k, k, a.cols, k]);
    for (let i = 0; i < k; i++) {
      expect(r.s[i]).to.be.at.least(0);
      if (i) expect(r.s[i]).to.be.at.most(r.s[i - 1]!);
    }
    const scaleA = Math.max(1, L.frobNorm(a));
    expectClose(L.matmulBH(L.matmul(r.U, diag(r.s)), r.V), a, TOL * scaleA, `${what} U diag(s) Vᴴ = A`);
    expectOrthonormalColumns(r.U, TOL, `${what} U`);
    expectOrthonormalColumns(r.V, TOL, `${what} V`);
    return r;
  }

  const shapes: [number, number][] = [[1, 1], [1, 5], [5, 1], [4, 4], [9, 4], [4, 9], [16, 16], [64, 8]];
  for (const [m, n] of shapes) {
    it(`${m}x${n}: reconstruction, orthonormal U and V, s equals ml-matrix (each twice in the real embedding)`, () => {
      const a = randn(m, n, `svd${m}x${n}`);
      const r = check(a, `${m}x${n}`);
      const ref = sortedDesc(new SingularValueDecomposition(new Matrix(L.realEmbedding(a)), { autoTranspose: true }).diagonal);
      for (let i = 0; i < r.s.length; i++) {
        expect(ref[2 * i]).to.be.closeTo(r.s[i]!, TOL);
        expect(ref[2 * i + 1]).to.be.closeTo(r.s[i]!, TOL);
      }
    });
  }

  it('rank-deficient, repeated and zero singular values keep U and V orthonormal', () => {
    const low = L.matmul(randn(7, 2, 'lu'), randn(2, 5, 'lv'));
    const r = check(low, 'rank 2');
    for (let i = 2; i < 5; i++) expect(r.s[i]).to.be.below(1e-12 * r.s[0]!);
    const rep = L.matmulBH(L.matmul(unitary(6, 'ru'), diag([2, 2, 2, 1, 0, 0])), unitary(6, 'rv'));
    const q = check(rep, 'repeated');
    [2, 2, 2, 1, 0, 0].forEach((v, i) => expect(q.s[i]).to.be.closeTo(v, TOL));
    const z = check(L.zeros(5, 3), 'zero');
    expect(Array.from(z.s)).to.deep.equal([0, 0, 0]);
  });

  function penrose(a: L.CMat, p: L.CMat, what: string): void {
    const ap = L.matmul(a, p), pa = L.matmul(p, a);
    const s = Math.max(1, L.frobNorm(a)) * Math.max(1, L.frobNorm(p));
    expectClose(L.matmul(ap, a), a, TOL * s, `${what} A A⁺ A = A`);
    expectClose(L.matmul(pa, p), p, TOL * s, `${what} A⁺ A A⁺ = A⁺`);
    expectClose(L.adjoint(ap), ap, TOL * s, `${what} (A A⁺)ᴴ = A A⁺`);
    expectClose(L.adjoint(pa), pa, TOL * s, `${what} (A⁺ A)ᴴ = A⁺ A`);
  }

  it('pinv satisfies the four Penrose conditions (full rank, tall, wide, rank-deficient, zero)', () => {
    penrose(randn(5, 5, 'p1'), L.pinv(randn(5, 5, 'p1')), 'square');
    for (const [m, n, k] of [[8, 3, 3], [3, 8, 3], [7, 6, 2], [6, 7, 4]] as const) {
      const a = L.matmul(randn(m, k, `pl${m}${n}`), randn(k, n, `pr${m}${n}`));
      penrose(a, L.pinv(a), `${m}x${n} rank ${k}`);
    }
    const z = L.pinv(L.zeros(3, 2));
    expect([z.rows, z.cols]).to.deep.equal([2, 3]);
    expect(L.frobNorm(z)).to.equal(0);
  });

  it('pinv equals inv for invertible A and (AᴴA)⁻¹Aᴴ for full column rank A', () => {
    const a = randn(6, 6, 'pi');
    expectClose(L.pinv(a), L.inv(a), 1e-9);
    const t = randn(9, 3, 'pt');
    expectClose(L.pinv(t), L.matmulBH(L.inv(L.matmulAH(t, t)), t), TOL);
  });

  it('pinv cuts singular values below rcond · s_max', () => {
    const a = diag([1, 1e-6, 0]);
    const p = L.pinv(a, 1e-3);
    expect(L.get(p, 0, 0).re).to.be.closeTo(1, 1e-15);
    expect(L.get(p, 1, 1).abs()).to.equal(0);
    expect(L.get(L.pinv(a), 1, 1).re).to.be.closeTo(1e6, 1e-4);
  });

  it('svd rejects non-finite input', () => {
    const a = randn(3, 2, 'nf');
    a.data[3] = Number.NaN;
    expectThrowsNumerical(() => L.svd(a), /non-finite/);
    expectThrowsNumerical(() => L.pinv(a), /non-finite/);
  });
});

describe('linalg/decomp: reproducibility', () => {
  it('every decomposition gives bit-identical output on repeated calls, whatever ran in between', () => {
    const bytes = (x: L.CMat | Float64Array) => Buffer.from((x instanceof Float64Array ? x : x.data).buffer).toString('base64');
    const a = randn(9, 9, 'rep.a'), h = L.gramInto(randn(11, 9, 'rep.h'), L.cmat(9, 9), 'AHA', 0.1), t = randn(12, 5, 'rep.t');
    const run = () => {
      const e = L.eigh(h), s = L.svd(t), q = L.qr(t);
      return [bytes(L.inv(a)), bytes(L.solve(a, t.rows === 9 ? t : randn(9, 2, 'rep.b'))), bytes(L.solveHPD(h, L.eye(9))),
        bytes(e.values), bytes(e.vectors), bytes(s.U), bytes(s.s), bytes(s.V), bytes(q.Q), bytes(q.R), bytes(L.pinv(t)),
        bytes(L.matmul(a, h))].join('|');
    };
    const first = run();
    // other sizes in between exercise the reused workspaces and scratch buffers
    L.eigh(L.gramInto(randn(20, 17, 'rep.x'), L.cmat(17, 17), 'AHA'));
    L.svd(randn(30, 20, 'rep.y'));
    L.matmul(randn(40, 40, 'rep.z'), randn(40, 3, 'rep.w'));
    expect(run()).to.equal(first);
  });
});
