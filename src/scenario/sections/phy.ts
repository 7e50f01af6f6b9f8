/**
 * `phy` section: the MIMO-OFDM uplink (devices, antennas, streams, subcarriers, SNR or power, channel).
 *
 * SNR vs power: without `channel.path_loss`, `snr_db` (number or list) sets σ² = P/10^(SNR/10) with a
 * unit per-subcarrier budget P = 1. With path loss, `power.dbm` (number or list) is each device's total
 * transmit power over the M subcarriers (P = power/M per subcarrier) and σ² comes from −174 dBm/Hz over
 * `noise.subcarrier_spacing_hz` plus `noise.figure_db`.
 */
import { z } from 'zod';
import { finite, nonNeg, oneOrList, posInt, positive, structurallyValid, unit } from './common.js';

const channel = z
  .strictObject({
    /** independent fading per subcarrier (BAA setting); false: one matrix per device (flat) */
    iid_subcarriers: z.boolean({ error: 'true or false' }).optional(),
    multipath: z
      .strictObject({ taps: posInt, decay_db: nonNeg.optional(), rms_delay_samples: nonNeg.optional() })
      .optional(),
    fft_size: posInt.optional(),
    path_loss: z
      .strictObject({
        ref_loss_db: finite.default(30),
        exponent: z.number({ error: 'a number in [0, 10]' }).min(0, { error: 'a number in [0, 10]' }).max(10, { error: 'a number in [0, 10]' }).default(3.5),
        d_min: positive.default(50),
        d_max: positive.default(200),
        shadowing_db: nonNeg.default(0),
      })
      .optional(),
    correlation: z.strictObject({ device: unit.default(0), server: unit.default(0) }).optional(),
    csi_error: nonNeg.default(0),
    csi_error_mode: z.enum(['relative', 'absolute']).default('relative'),
    /** Gauss–Markov round-to-round correlation (trainer runs; the PHY Monte-Carlo uses one round) */
    temporal_rho: unit.optional(),
  })
  .prefault({});

export const phy = z
  .strictObject({
    devices: posInt.default(10),
    antennas: z.strictObject({ device: posInt.default(2), server: oneOrList(posInt, 'an integer ≥ 1').default([8]) }).prefault({}),
    streams: posInt.default(2),
    subcarriers: posInt.default(64),
    /** real entries per device update (D); default 8 OFDM symbols' worth: 16·M·S */
    payload: posInt.optional(),
    snr_db: oneOrList(finite, 'a number of dB').optional(),
    power: z
      .strictObject({
        mode: z.enum(['subcarrier', 'symbol']).default('symbol'),
        dbm: oneOrList(finite, 'a number of dBm').optional(),
      })
      .prefault({}),
    noise: z.strictObject({ figure_db: nonNeg.default(7), subcarrier_spacing_hz: positive.default(15000) }).prefault({}),
    /** aggregation weights φ_k: equal (1/K) or a list (data sizes; normalised to sum 1) */
    weights: z.union([z.literal('equal'), z.array(nonNeg).min(1)], { error: "'equal' or a list of numbers ≥ 0" }).default('equal'),
    /** correlation ρ between devices' synthetic updates in the PHY Monte-Carlo */
    update_correlation: unit.default(0),
    /** 'effective' (fast, exact in distribution) or 'receive' (literal N_r-antenna signal) */
    receive_path: z.enum(['effective', 'receive']).default('effective'),
    channel,
  })
  .superRefine((p, ctx) => {
    const issue = (path: (string | number)[], message: string, input?: unknown) =>
      ctx.addIssue({ code: 'custom', path, message, input });
    if (Array.isArray(p.weights) && p.weights.length !== p.devices) {
      issue(['weights'], `a list of ${p.devices} numbers ≥ 0 (one per device, phy.devices = ${p.devices})`, p.weights);
    }
    if (Array.isArray(p.weights) && !p.weights.some((w) => w > 0)) issue(['weights'], 'at least one weight > 0', p.weights);
    // normalising divides by the sum: it must not overflow (weights are relative, scale them down)
    if (Array.isArray(p.weights) && !Number.isFinite(p.weights.reduce((a, b) => a + b, 0))) {
      issue(['weights'], `numbers whose sum is finite (≤ ${Number.MAX_VALUE.toPrecision(3)}); they are relative, so scale them down`, p.weights);
    }
    const pl = p.channel.path_loss !== undefined;
    if (pl && p.snr_db !== undefined) issue(['snr_db'], 'absent when phy.channel.path_loss is set (set phy.power.dbm instead)', p.snr_db);
    if (!pl && p.power.dbm !== undefined) issue(['power', 'dbm'], 'absent without phy.channel.path_loss (set phy.snr_db instead)', p.power.dbm);
    if (pl && p.channel.path_loss!.d_max < p.channel.path_loss!.d_min) {
      issue(['channel', 'path_loss', 'd_max'], `a distance ≥ d_min (${p.channel.path_loss!.d_min})`, p.channel.path_loss!.d_max);
    }
    if (p.channel.multipath && p.channel.iid_subcarriers) issue(['channel', 'iid_subcarriers'], 'false or absent together with phy.channel.multipath', true);
    const mp = p.channel.multipath;
    if (mp && mp.decay_db !== undefined && mp.rms_delay_samples !== undefined) {
      issue(['channel', 'multipath', 'rms_delay_samples'], 'absent when decay_db is given (one profile parameter)', mp.rms_delay_samples);
    }
    for (const [i, nr] of p.antennas.server.entries()) {
      if (p.streams > nr) issue(['streams'], `an integer ≤ every server antenna count (phy.antennas.server[${i}] = ${nr})`, p.streams);
    }
  }, structurallyValid)
  .prefault({});

export type PhySection = z.output<typeof phy>;
