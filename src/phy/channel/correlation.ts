/**
 * Kronecker spatial correlation with the exponential model R_ij = ρ^|i−j|.
 *
 * The square root used is the lower-triangular Cholesky factor, which for the exponential model
 * has a closed form (it is the AR(1) recursion z_i = ρ z_{i−1} + sqrt(1−ρ²) w_i):
 *   C_i0 = ρ^i,  C_ij = sqrt(1−ρ²) ρ^{i−j} (1 ≤ j ≤ i),  C Cᵀ = R,
 * valid for ρ = 1 too (rank one). H = C_r G C_tᵀ then has E[H Hᴴ] = tr(R_t) R_r and
 * E[Hᴴ H] = tr(R_r) R_t, the same law as R_r^{1/2} G R_t^{1/2}.
 */

/** R_ij = ρ^|i−j| as a row-major n×n Float64Array. */
export function exponentialCorrelation(n: number, rho: number): Float64Array {
  const R = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) R[i * n + j] = Math.pow(rho, Math.abs(i - j));
  return R;
}

/** Closed-form lower Cholesky factor of the exponential correlation matrix (row-major n×n). */
export function exponentialCorrelationFactor(n: number, rho: number): Float64Array {
  const C = new Float64Array(n * n);
  const s = Math.sqrt(Math.max(0, 1 - rho * rho));
  for (let i = 0; i < n; i++) {
    C[i * n] = Math.pow(rho, i);
    for (let j = 1; j <= i; j++) C[i * n + j] = s * Math.pow(rho, i - j);
  }
  return C;
}

/**
 * In place on `count` interleaved complex Nr×Nt matrices starting at `offset` (complex-matrix
 * units): G ← Cr · G · Ctᵀ. `Cr`/`Ct` are real lower-triangular (or undefined = identity).
 * `tmp` must hold 2·Nr·Nt doubles.
 */
export function applyKronecker(
  data: Float64Array, offset: number, count: number, Nr: number, Nt: number,
  Cr: Float64Array | undefined, Ct: Float64Array | undefined, tmp: Float64Array,
): void {
  const sz = 2 * Nr * Nt;
  for (let c = 0; c < count; c++) {
    const base = (offset + c) * sz;
    if (Cr) {
      // tmp = Cr · G (Cr lower triangular: row i uses rows 0..i of G)
      tmp.fill(0, 0, sz);
      for (let i = 0; i < Nr; i++) {
        for (let p = 0; p <= i; p++) {
          const w = Cr[i * Nr + p]!;
          if (w === 0) continue;
          const src = base + 2 * p * Nt, dst = 2 * i * Nt;
          for (let j = 0; j < 2 * Nt; j++) tmp[dst + j] += w * data[src + j]!;
        }
      }
      for (let j = 0; j < sz; j++) data[base + j] = tmp[j]!;
    }
    if (Ct) {
      // G ← G · Ctᵀ: (G Ctᵀ)_{ij} = Σ_{q ≤ j} G_iq Ct_jq
      for (let i = 0; i < Nr; i++) {
        const row = base + 2 * i * Nt;
        for (let j = 0; j < Nt; j++) {
          let re = 0, im = 0;
          for (let q = 0; q <= j; q++) {
            const w = Ct[j * Nt + q]!;
            re += w * data[row + 2 * q]!;
            im += w * data[row + 2 * q + 1]!;
          }
          tmp[2 * j] = re;
          tmp[2 * j + 1] = im;
        }
        for (let j = 0; j < 2 * Nt; j++) data[row + j] = tmp[j]!;
      }
    }
  }
}
