/**
 * Client selection per round: `count` clients (or round(fraction · K), at least 1) drawn uniformly
 * without replacement from stream ('client-sampling', round), returned sorted. All clients when the
 * count equals K. Keyed by round, so a resumed run selects the same clients.
 */
import type { RandomStreams } from '../random/streams.js';
import { UserInputError } from '../errors.js';

export interface SelectionConfig {
  /** Clients per round (takes precedence over `fraction`). */
  count?: number;
  /** Fraction of the K clients per round. */
  fraction?: number;
}

export function clientsPerRound(numClients: number, sel: SelectionConfig): number {
  const m = sel.count ?? Math.max(1, Math.round((sel.fraction ?? 1) * numClients));
  if (!Number.isInteger(m) || m < 1 || m > numClients) {
    throw new UserInputError(`fl.selection: ${m} clients per round is not an integer in [1, ${numClients}]`, 'fl.selection');
  }
  return m;
}

export function selectClients(numClients: number, sel: SelectionConfig, round: number, streams: RandomStreams): number[] {
  const m = clientsPerRound(numClients, sel);
  if (m === numClients) return Array.from({ length: numClients }, (_, k) => k);
  return streams.stream('client-sampling', round).sample(numClients, m).sort((a, b) => a - b);
}
