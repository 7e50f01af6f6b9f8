/**
 * One optimisation step of a batched LoRA model (forward + backward + update of the trainable
 * variables only). Returns the loss value (Σ over clients of each client's mean loss).
 */
import * as tf from '@tensorflow/tfjs';
import { NumericalError } from '../errors.js';
import type { BatchedLoraModel, ClientBatch } from './batched.js';

export function loraTrainStep(model: BatchedLoraModel, batch: ClientBatch, optimizer: tf.Optimizer): number {
  const cost = optimizer.minimize(() => model.loss(batch, true), true, model.trainable);
  if (!cost) throw new NumericalError('loraTrainStep: optimizer returned no loss');
  const v = cost.dataSync()[0]!;
  cost.dispose();
  if (!Number.isFinite(v)) throw new NumericalError(`loraTrainStep: non-finite loss ${v}`);
  return v;
}
