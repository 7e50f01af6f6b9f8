/**
 * The MMSE AirComp schemes:
 *  - `mmse`: the joint MMSE transceiver (receive MMSE combiner and power-limited precoders optimised
 *    together; mmse-joint.ts), the standard strong baseline of the AirComp literature;
 *  - `mmse-fixed`: the MSE-optimal η and regularised precoders for the fixed ZF receive subspace
 *    (mmse-fixed.ts), kept as a reference (it is where the joint design starts).
 */
import type { ChannelRealization } from '../types.js';
import { checkContext } from './context.js';
import { mmseGivenF } from './mmse-fixed.js';
import { jointMmse, type JointMmseOptions } from './mmse-joint.js';
import { dominantSubspace } from './subspace.js';
import type { AirCompScheme, DesignContext, TransceiverDesign, SchemeCapabilities } from './types.js';

export { mmseGivenF, solveMu, type GivenFOptions } from './mmse-fixed.js';
export { jointMmse, type JointMmseOptions } from './mmse-joint.js';

export class MmseScheme implements AirCompScheme {
  readonly name = 'mmse';
  readonly capabilities: SchemeCapabilities = { maxStreams: 'device-antennas', exact: false, designable: true };
  constructor(private readonly opts: JointMmseOptions = {}) {}
  design(ch: ChannelRealization, ctx: DesignContext): TransceiverDesign {
    checkContext(ch, ctx);
    return jointMmse(ch, ctx, this.opts, this.name);
  }
}

export class MmseFixedScheme implements AirCompScheme {
  readonly name = 'mmse-fixed';
  readonly capabilities: SchemeCapabilities = { maxStreams: 'device-antennas', exact: false, designable: true };
  design(ch: ChannelRealization, ctx: DesignContext): TransceiverDesign {
    checkContext(ch, ctx);
    return mmseGivenF(ch, ctx, dominantSubspace(ch, ctx.S), this.name);
  }
}
