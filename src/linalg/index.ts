/**
 * Complex dense linear algebra on interleaved Float64Array storage (see cmat.ts for the layout).
 *
 * - cmat.ts      CMat / CMatBatch, construction, products (matmul, matmulAH, matmulBH; register-blocked
 *                kernels in gemm.ts), adjoint, norms, realEmbedding (test oracle with ml-matrix).
 * - decomp.ts    cholesky, solveHPD, invHPD, logdetHPD (cholesky.ts); inv, solve, lu, det, logdet,
 *                rcond1, rcondEstimate (lu.ts); qr (qr.ts); eigh (eigh.ts, values descending); svd, pinv (svd.ts).
 * - small.ts     allocation-free hot-loop paths: gramInto, invSmallInto, solveHPDInto, eighInto.
 * - batch.ts     the same over a CMatBatch (one matrix per subcarrier): gramBatchInto, invBatchInto,
 *                solveHPDBatchInto, mulBatchInto, eighBatch, eighBatchInto.
 * Numerical trouble (NaN/Inf input, singular or indefinite matrices, no convergence) throws
 * NumericalError with the operation and location in its message and `context`.
 */
export * from './cmat.js';
export * from './decomp.js';
export { gramInto, invSmallInto, solveHPDInto, eighInto, type GramKind } from './small.js';
export { gramBatchInto, invBatchInto, solveHPDBatchInto, mulBatchInto, eighBatch, eighBatchInto, type MulOp } from './batch.js';
