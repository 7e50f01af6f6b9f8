/** Checks shared by every scheme's `design` (bad input names its field and the allowed values). */
import { UserInputError } from '../../errors.js';
import type { ChannelRealization } from '../types.js';
import type { DesignContext } from './types.js';

export function checkContext(ch: ChannelRealization, ctx: DesignContext): void {
  const { K, Nr } = ch;
  if (ctx.phi.length !== K) {
    throw new UserInputError(`aggregation weights: length ${ctx.phi.length} is not allowed; expected K = ${K}`, 'phy.weights');
  }
  for (let k = 0; k < K; k++) {
    const f = ctx.phi[k]!;
    if (!(f >= 0) || !Number.isFinite(f)) {
      throw new UserInputError(`aggregation weights: φ_${k} = ${f} is not allowed; expected a finite number ≥ 0`, 'phy.weights');
    }
  }
  if (!(ctx.sigma2 >= 0) || !Number.isFinite(ctx.sigma2)) {
    throw new UserInputError(`noise variance: ${ctx.sigma2} is not allowed; expected a finite number ≥ 0`, 'phy.snr_db');
  }
  if (!(ctx.P > 0) || !Number.isFinite(ctx.P)) {
    throw new UserInputError(`power budget: ${ctx.P} is not allowed; expected a finite number > 0`, 'phy.power');
  }
  if (ctx.powerMode !== 'subcarrier' && ctx.powerMode !== 'symbol') {
    throw new UserInputError(`phy.power.mode: ${String(ctx.powerMode)} is not allowed; expected 'subcarrier' or 'symbol'`, 'phy.power.mode');
  }
  if (!Number.isInteger(ctx.S) || ctx.S < 1 || ctx.S > Nr) {
    throw new UserInputError(`phy.streams: ${ctx.S} is not allowed; expected an integer in [1, N_r = ${Nr}]`, 'phy.streams');
  }
}
