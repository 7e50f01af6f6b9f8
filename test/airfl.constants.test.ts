import { expect } from 'chai';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import {
  adaptersAtRank, firstRoundContraction, fitLossCurve, largestHessianEigenvalue, moduleUpdates, slowestContraction, tailEnergy,
} from '../src/design/constants.js';
import { RandomStreams } from '../src/random/streams.js';

describe('design/constants', () => {
  it('fits F* + Δ₀ q^t exactly on a noiseless curve', () => {
    const losses = Array.from({ length: 20 }, (_, t) => 2.5 + 1.2 * Math.pow(0.85, t));
    const f = fitLossCurve(losses);
    expect(f.q).to.be.closeTo(0.85, 1e-3);
    expect(f.fstar).to.be.closeTo(2.5, 1e-2);
    expect(f.delta0).to.be.closeTo(1.2, 1e-2);
  });

  it('the slowest contraction is the largest per-round ratio toward F*, and a round without progress gives q = 1', () => {
    const fstar = 1;
    // gaps 1, 0.5, 0.4, 0.1: ratios 0.5, 0.8, 0.25
    const losses = [2, 1.5, 1.4, 1.1];
    expect(slowestContraction(losses, fstar)).to.be.closeTo(0.8, 1e-12);
    expect(slowestContraction(losses, fstar, 0.9)).to.equal(0.9);
    expect(slowestContraction([2, 2.1, 1.5], fstar)).to.equal(1);
    expect(firstRoundContraction(2, 1.25, 1)).to.be.closeTo(0.25, 1e-12);
    expect(firstRoundContraction(2, 2.5, 1)).to.equal(1);
  });

  it('power iteration on finite-difference Hessian-vector products finds the largest |eigenvalue| of a known Hessian', () => {
    const n = 30;
    const rng = new RandomStreams(4).stream('q');
    // H = Q diag(λ) Qᵀ with a random orthogonal Q and λ_max = −12 (negative: |λ| is what bounds the curvature)
    const lam = Float64Array.from({ length: n }, (_, i) => (i === 7 ? -12 : 1 + (5 * i) / n));
    const G = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G.set(i, j, rng.normal());
    const Q = new SingularValueDecomposition(G).leftSingularVectors;
    const H = Q.mmul(Matrix.diag(Array.from(lam))).mmul(Q.transpose());
    const theta = Array.from({ length: n }, () => rng.normal());
    // F(θ) = ½ θᵀHθ + ¼ Σ θ_i⁴·1e-3 (a mild non-quadratic part): ∇F = Hθ + 1e-3 θ³
    const grad = (x: Float64Array) => {
      const p = theta.map((t, i) => t + x[i]!);
      const g = H.mmul(Matrix.columnVector(p)).to1DArray();
      return Float64Array.from(g, (v, i) => v + 1e-3 * p[i]! ** 3);
    };
    const est = largestHessianEigenvalue(grad, n, new RandomStreams(5).stream('v'), { iterations: 60, step: 1e-3 });
    // exact |λ|max of ∇²F at θ: H + diag(3e-3 θ²)
    const Hx = H.clone();
    for (let i = 0; i < n; i++) Hx.set(i, i, Hx.get(i, i) + 3e-3 * theta[i]! ** 2);
    const exact = Math.max(...new SingularValueDecomposition(Hx).diagonal);
    expect(est).to.be.closeTo(exact, 1e-3 * exact);
  });

  const din = 6, dout = 5, r0 = 4;
  const layout = (r: number, trainA = true) => trainA
    ? [{ module: 'q', factor: 'A' as const, offset: 0, shape: [din, r] }, { module: 'q', factor: 'B' as const, offset: din * r, shape: [r, dout] }]
    : [{ module: 'q', factor: 'B' as const, offset: 0, shape: [r, dout] }];
  const product = (A: Matrix, B: Matrix, s: number) => A.mmul(B).mul(s);
  const factorA = (fl: Float32Array, r: number) => {
    const A = new Matrix(din, r);
    for (let i = 0; i < din; i++) for (let j = 0; j < r; j++) A.set(i, j, fl[i * r + j]!);
    return A;
  };
  const factorB = (fl: Float32Array, r: number, off: number) => {
    const B = new Matrix(r, dout);
    for (let i = 0; i < r; i++) for (let j = 0; j < dout; j++) B.set(i, j, fl[off + i * dout + j]!);
    return B;
  };

  it('trained A: the update is kept exactly at full rank and truncated to its best rank-r approximation below (against ml-matrix SVD)', () => {
    const rng = new RandomStreams(2).stream('a');
    const flat = Float32Array.from({ length: (din + dout) * r0 }, () => rng.normal());
    const ref = product(factorA(flat, r0), factorB(flat, r0, din * r0), 2);
    const ups = moduleUpdates(layout(r0), flat, 2);
    const s = new SingularValueDecomposition(ref).diagonal;
    expect(Array.from(ups[0]!.sigma)).to.have.length(r0);
    ups[0]!.sigma.forEach((v, i) => expect(v).to.be.closeTo(s[i]!, 1e-4 * (1 + s[0]!)));
    const same = adaptersAtRank(ups, { layout: layout(r0), size: flat.length, scale: 2 });
    expect(Matrix.sub(product(factorA(same, r0), factorB(same, r0, din * r0), 2), ref).norm('frobenius')).to.be.below(1e-4);
    for (const r of [1, 2]) {
      const out = adaptersAtRank(ups, { layout: layout(r), size: (din + dout) * r, scale: 16 / r });
      const err = Matrix.sub(product(factorA(out, r), factorB(out, r, din * r), 16 / r), ref).norm('frobenius');
      const tail = Math.sqrt(s.slice(r).reduce((a, b) => a + b * b, 0));
      expect(err).to.be.closeTo(tail, 1e-4 * (1 + tail));
      expect(tailEnergy(ups, r)).to.be.closeTo(tail * tail, 1e-3 * (1 + tail * tail));
    }
  });

  it('frozen A: the rank-r adapter holds the least-squares fit of the update in the span of its own A', () => {
    const rng = new RandomStreams(3).stream('b');
    const A0 = Float32Array.from({ length: din * r0 }, () => rng.normal());
    const B0 = Float32Array.from({ length: r0 * dout }, () => rng.normal());
    const ref = product(factorA(A0, r0), factorB(B0, r0, 0), 0.5);
    const ups = moduleUpdates(layout(r0, false), B0, 0.5, new Map([['q', A0]]));
    const r = 2;
    const Ar = Float32Array.from({ length: din * r }, () => rng.normal());
    const out = adaptersAtRank(ups, { layout: layout(r, false), size: r * dout, scale: 3, frozenA: new Map([['q', Ar]]) });
    // independent: normal equations (AᵀA) B = Aᵀ ΔW / s
    const A = factorA(Ar, r);
    const lhs = A.transpose().mmul(A);
    const rhs = A.transpose().mmul(ref).div(3);
    const Bls = new SingularValueDecomposition(lhs).solve(rhs);
    expect(Matrix.sub(factorB(out, r, 0), Bls).norm('frobenius')).to.be.below(1e-4 * (1 + Bls.norm('frobenius')));
  });
});
