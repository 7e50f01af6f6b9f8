/**
 * Digital OFDMA upload as a trainer `Aggregator` (the baseline over-the-air aggregation is compared
 * against): same channel draws as the over-the-air schemes, quantised updates, Shannon-rate air-time.
 */
import { requireRadio, type AggregatorKind } from './kind.js';
import { RandomStreams } from '../../random/streams.js';
import { nmse, weightedAverage, type AggregationInput, type AggregationResult, type Aggregator } from '../aggregator.js';
import { digitalUpload } from '../../phy/digital/ofdma.js';
import { ChannelSequence } from '../../phy/channel/sequence.js';
import type { RadioConfig } from '../../phy/radio.js';
import { subsetChannel } from '../../phy/channel/subset.js';

export class DigitalAggregator implements Aggregator {
  readonly name: string;
  private readonly channels: ChannelSequence;

  constructor(private readonly radio: RadioConfig, private readonly bits: number, seed: number, name = 'digital') {
    this.name = name;
    this.channels = new ChannelSequence(radio, new RandomStreams(seed));
  }

  aggregate({ vectors, weights, context }: AggregationInput): AggregationResult {
    const t0 = performance.now();
    const ch = subsetChannel(this.channels.at(context.round), context.clients);
    const res = digitalUpload(ch, vectors, weights, { bits: this.bits, P: this.radio.P, sigma2: this.radio.sigma2, ...this.radio.timing },
      (k) => context.streams.stream('quantize', context.clients[k]!));
    const out = Float32Array.from(res.estimate);
    return {
      aggregate: out,
      diagnostics: {
        nmse: nmse(out, weightedAverage(vectors, weights)),
        latencyS: res.latencyS,
        energyJ: res.energyJ.reduce((a, b) => a + b, 0),
        payloadBits: res.payloadBits,
        phyMs: performance.now() - t0,
      },
    };
  }
}

export const digitalKind: AggregatorKind = {
  capabilities: { maxStreams: 'server-antennas', exact: false, designable: false, phy: false, radio: true, analyticMse: false },
  create: (spec, ctx) => new DigitalAggregator(requireRadio(spec, ctx), Number(spec.options['bits'] ?? 8), ctx.seed, spec.label),
};
