import { expect } from 'chai';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { curvatureFromPerturbation, fitLossCurve, truncateAdapters } from '../src/design/constants.js';
import { RandomStreams } from '../src/random/streams.js';

describe('airfl/constants', () => {
  it('fits F* + Δ₀ q^t exactly on a noiseless curve', () => {
    const losses = Array.from({ length: 20 }, (_, t) => 2.5 + 1.2 * Math.pow(0.85, t));
    const f = fitLossCurve(losses);
    expect(f.q).to.be.closeTo(0.85, 1e-3);
    expect(f.fstar).to.be.closeTo(2.5, 1e-2);
    expect(f.delta0).to.be.closeTo(1.2, 1e-2);
  });

  it('curvature of a quadratic ½ θᵀ diag(h) θ equals mean(h)', () => {
    const n = 50;
    const h = Float64Array.from({ length: n }, (_, i) => 1 + i / 10);
    const loss = (x: Float32Array) => x.reduce((s, v, i) => s + 0.5 * h[i]! * v * v, 0);
    const theta = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const L = curvatureFromPerturbation(loss, theta, new RandomStreams(1).stream('c'), { draws: 400, absSize: 0.5 });
    const mean = h.reduce((a, b) => a + b, 0) / n;
    // E[eᵀ diag(h) e]/‖e‖² = mean(h) for isotropic e; 400 draws → sd ≈ 0.03·mean
    expect(L).to.be.closeTo(mean, 0.15 * mean);
  });

  it('truncation keeps the update exactly at full rank and gives the best rank-r approximation below', () => {
    const din = 6, dout = 5, r0 = 4;
    const rng = new RandomStreams(2).stream('a');
    const layout = (r: number) => [
      { module: 'q', factor: 'A' as const, offset: 0, shape: [din, r] },
      { module: 'q', factor: 'B' as const, offset: din * r, shape: [r, dout] },
    ];
    const flat = Float32Array.from({ length: (din + dout) * r0 }, () => rng.normal());
    const dW = (fl: Float32Array, r: number, s: number) => {
      const A = new Matrix(din, r), B = new Matrix(r, dout);
      for (let i = 0; i < din; i++) for (let j = 0; j < r; j++) A.set(i, j, fl[i * r + j]!);
      for (let i = 0; i < r; i++) for (let j = 0; j < dout; j++) B.set(i, j, fl[din * r + i * dout + j]!);
      return A.mmul(B).mul(s);
    };
    const ref = dW(flat, r0, 2);
    const same = truncateAdapters({ layout: layout(r0), flat, scale: 2 }, { layout: layout(r0), size: flat.length, scale: 2 });
    expect(Matrix.sub(dW(same, r0, 2), ref).norm('frobenius')).to.be.below(1e-4);
    const r1 = truncateAdapters({ layout: layout(r0), flat, scale: 2 }, { layout: layout(1), size: din + dout, scale: 16 });
    const err = Matrix.sub(dW(r1, 1, 16), ref).norm('frobenius');
    const s = new SingularValueDecomposition(ref).diagonal;
    const tail = Math.sqrt(s.slice(1).reduce((a, b) => a + b * b, 0));
    expect(err).to.be.closeTo(tail, 1e-4 * (1 + tail));
  });
});
