import { expect } from 'chai';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import {
  adaptersAtRank, firstRoundContraction, fitLossCurve, largestHessianEigenvalue, moduleUpdates, noiseCurvature, slowestContraction, tailEnergy,
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

  it('white-noise curvature: antithetic probes give tr(H)/n of a known Hessian (its mean eigenvalue, not its largest) and estimate E F(x + σz) − F(x)', () => {
    const n = 400;
    const rng = new RandomStreams(5).stream('h');
    // F(x) = ½ Σ λ_i (θ_i + x_i)² + c Σ (θ_i + x_i)⁴: one large eigenvalue (100) among small ones (mean ≈ 1.5)
    const lam = Float64Array.from({ length: n }, (_, i) => (i === 3 ? 100 : 0.5 + (2 * i) / n));
    const theta = Float64Array.from({ length: n }, () => rng.normal());
    const c = 1e-3;
    const F = (x: Float64Array | null) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        const p = theta[i]! + (x ? x[i]! : 0);
        f += 0.5 * lam[i]! * p * p + c * p ** 4;
      }
      return f;
    };
    const sigma = 0.2;
    // exact: E F(θ + σz) − F(θ) = Σ ½λ_i σ² + c(6θ_i²σ² + 3σ⁴), so ℓ = 2·that/(σ²n)
    let exact = 0;
    for (let i = 0; i < n; i++) exact += 0.5 * lam[i]! * sigma ** 2 + c * (6 * theta[i]! ** 2 * sigma ** 2 + 3 * sigma ** 4);
    const ell = (2 * exact) / (sigma ** 2 * n);
    const res = noiseCurvature(F, n, sigma, new RandomStreams(6).stream('probes'), 8);
    expect(res.samples.length).to.equal(8);
    // the mean eigenvalue (≈ 1.75), far below the largest (100)
    expect(ell).to.be.lessThan(3);
    expect(res.mean).to.be.closeTo(ell, 0.1 * ell);
    expect(res.upper).to.be.at.least(ell);
    expect(res.upper).to.be.lessThan(1.5 * ell);
    // a pure quadratic with H = κI: every probe gives κ‖z‖²/n, so the mean is κ within the chi-square spread
    const iso = noiseCurvature((x) => (x ? 0.5 * 3 * x.reduce((a, v) => a + v * v, 0) : 0), n, 1, new RandomStreams(7).stream('p'), 6);
    expect(iso.mean).to.be.closeTo(3, 3 * 4 * Math.sqrt(2 / n / 6));
    expect(() => noiseCurvature(F, n, 0, new RandomStreams(6).stream('x'))).to.throw(/σ > 0/);
  });

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
