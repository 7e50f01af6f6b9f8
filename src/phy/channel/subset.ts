/**
 * A realisation restricted to some devices (the clients selected in a round). The channel is drawn for
 * every client of the federation, with streams named by client id, so a client keeps its channel
 * whichever subset is selected and every scheme in a run sees the same draw.
 */
import { batch, type CMatBatch } from '../../linalg/cmat.js';
import type { ChannelRealization } from '../types.js';

export function subsetChannel(ch: ChannelRealization, devices: readonly number[]): ChannelRealization {
  const { M, Nr, Nt } = ch;
  const K = devices.length;
  const block = 2 * M * Nr * Nt;
  const H = batch(K * M, Nr, Nt);
  const Hhat = batch(K * M, Nr, Nt);
  const beta = new Float64Array(K);
  const distance = new Float64Array(K);
  devices.forEach((d, k) => {
    if (!(d >= 0 && d < ch.K)) throw new RangeError(`subsetChannel: device ${d} outside [0, ${ch.K})`);
    H.data.set(ch.H.data.subarray(d * block, (d + 1) * block), k * block);
    Hhat.data.set(ch.Hhat.data.subarray(d * block, (d + 1) * block), k * block);
    beta[k] = ch.beta[d]!;
    distance[k] = ch.distance[d]!;
  });
  let taps: CMatBatch | undefined;
  if (ch.taps) {
    const tb = 2 * ch.L * Nr * Nt;
    taps = batch(K * ch.L, Nr, Nt);
    devices.forEach((d, k) => taps!.data.set(ch.taps!.data.subarray(d * tb, (d + 1) * tb), k * tb));
  }
  const out: ChannelRealization = { ...ch, K, H, Hhat, beta, distance };
  if (taps) out.taps = taps;
  else delete out.taps;
  const ev = ch.evolution;
  if (ev) {
    out.evolution = {
      symbolS: ev.symbolS,
      maxDopplerHz: ev.maxDopplerHz,
      at(dt: number) {
        const full = ev.at(dt);
        const Ht = batch(K * M, Nr, Nt);
        devices.forEach((d, k) => Ht.data.set(full.data.subarray(d * block, (d + 1) * block), k * block));
        return Ht;
      },
    };
  }
  return out;
}
