/**
 * The decompositions and solvers, one algorithm per file; this module gathers them under the names
 * the other layers import (`import { eigh, inv, pinv, solveHPD } from '../linalg/decomp.js'`).
 */
export { cholesky, solveHPD, logdetHPD, invHPD } from './cholesky.js';
export { inv, solve, lu, luSolve, det, logdet, rcond1, rcondEstimate, type LU } from './lu.js';
export { qr } from './qr.js';
export { eigh, type Eigh } from './eigh.js';
export { svd, pinv, type Svd } from './svd.js';
