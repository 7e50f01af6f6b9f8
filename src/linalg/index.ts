/** Complex dense linear algebra: matrices (cmat), decompositions, small fast paths, batch helpers. */
export * from './cmat.js';
export * from './decomp.js';
export { gramInto, invSmallInto, solveHPDInto, type GramKind } from './small.js';
export { gramBatchInto, invBatchInto, solveHPDBatchInto, mulBatchInto, eighBatch, type MulOp } from './batch.js';
