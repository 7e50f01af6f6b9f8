/** The error-free reference: the server gets Σ_k φ_k s_k exactly (what every figure compares against). */
import { batch } from '../../linalg/cmat.js';
import type { ChannelRealization } from '../types.js';
import { checkContext } from './context.js';
import type { AirCompScheme, DesignContext, TransceiverDesign, SchemeCapabilities } from './types.js';

export class IdealScheme implements AirCompScheme {
  readonly name = 'ideal';
  readonly capabilities: SchemeCapabilities = { maxStreams: 'server-antennas', exact: true, designable: false };
  design(ch: ChannelRealization, ctx: DesignContext): TransceiverDesign {
    checkContext(ch, ctx);
    return {
      scheme: this.name, S: ctx.S, exact: true,
      U: batch(0, ch.Nr, ctx.S), V: batch(0, ch.Nt, ctx.S),
      analyticMse: new Float64Array(ch.M),
    };
  }
}
