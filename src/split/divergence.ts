/**
 * Divergence of split training, measured against uniform guessing over C classes (loss ln C): a step
 * size that blows the server's LoRA up (split.lr: 1e6 takes the loss from 0.69 to 1e7) stops the run
 * with a DivergenceError naming the round, instead of training on to a finished-looking result. The
 * margins are wide because split rounds are small and non-IID: the training loss is one mini-batch of
 * the scheduled devices, and a model swinging between devices' classes can sit above ln C for a while
 * without diverging.
 */
import { DivergenceError } from '../errors.js';

/** Training loss above this many × ln C (one mini-batch). */
export const SPLIT_TRAIN_LOSS_FACTOR = 10;
/** Test loss (the whole test set) above this many × ln C. */
export const SPLIT_TEST_LOSS_FACTOR = 4;

export function checkSplitDivergence(round: number, classes: number, trainLoss: number, testLoss: number | null): void {
  const u = Math.log(Math.max(2, classes));
  const hint = 'lower split.lr';
  if (!Number.isFinite(trainLoss)) throw new DivergenceError(`split training diverged in round ${round}: training loss is ${trainLoss} (${hint})`);
  if (trainLoss > SPLIT_TRAIN_LOSS_FACTOR * u) {
    throw new DivergenceError(`split training diverged in round ${round}: training loss ${trainLoss.toPrecision(4)} > ${SPLIT_TRAIN_LOSS_FACTOR} × ln ${classes} (uniform guessing ${u.toPrecision(4)}) (${hint})`);
  }
  if (testLoss !== null && testLoss > SPLIT_TEST_LOSS_FACTOR * u) {
    throw new DivergenceError(`split training diverged in round ${round}: test loss ${testLoss.toPrecision(4)} > ${SPLIT_TEST_LOSS_FACTOR} × ln ${classes} (uniform guessing ${u.toPrecision(4)}) (${hint})`);
  }
}
