/**
 * The channel of every round of a federated run, for all its clients: streams named by trial, round
 * and client id (never by scheme), so every scheme compared in a run sees the same draw, and a
 * resumed run replays the same draws (Gauss–Markov rounds are regenerated in order).
 */
import type { RandomStreams } from '../../random/streams.js';
import type { ChannelRealization } from '../types.js';
import type { RadioConfig } from '../radio.js';
import { generateChannel } from './generate.js';
import { resolveChannelConfig, type ResolvedChannelConfig } from './config.js';
import { JakesProcess } from './mobility.js';

export class ChannelSequence {
  private last?: { round: number; ch: ChannelRealization };
  private readonly resolved: ResolvedChannelConfig;
  /** Clarke/Jakes process of the trial (mobility): drawn once, evaluated at each round's time */
  private process?: JakesProcess;

  constructor(private readonly radio: RadioConfig, private readonly streams: RandomStreams) {
    this.resolved = resolveChannelConfig(radio.channel);
  }

  /** The realisation of round `round` (1-based) for all clients; Gauss–Markov rounds are generated in order. */
  at(round: number): ChannelRealization {
    if (this.last?.round === round) return this.last.ch;
    const where = (r: number) => ({ trial: this.radio.trial, round: r });
    if (this.resolved.mobility) {
      this.process ??= new JakesProcess(this.resolved, this.streams, this.radio.trial);
      this.last = { round, ch: generateChannel(this.resolved, this.streams, where(round), undefined, this.process) };
      return this.last.ch;
    }
    if (!this.radio.channel.temporal) {
      this.last = { round, ch: generateChannel(this.resolved, this.streams, where(round)) };
      return this.last.ch;
    }
    // Correlated across rounds: replay from round 1 (or continue) so a resumed run sees the same draws.
    let r = this.last && this.last.round < round ? this.last.round : 0;
    let ch = r > 0 ? this.last!.ch : undefined;
    while (r < round) {
      r++;
      ch = generateChannel(this.resolved, this.streams, where(r), ch);
    }
    this.last = { round, ch: ch! };
    return ch!;
  }
}
