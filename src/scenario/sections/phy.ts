/**
 * `phy` section: the MIMO-OFDM uplink (devices, antennas, streams, subcarriers, SNR or power, channel).
 *
 * SNR vs power: without `channel.path_loss`, `snr_db` (number or list) sets σ² = P/10^(SNR/10) with a
 * unit per-subcarrier budget P = 1. With path loss, `power.dbm` (number or list) is each device's total
 * transmit power over the M subcarriers (P = power/M per subcarrier) and σ² comes from −174 dBm/Hz over
 * `subcarrier_spacing_khz` plus `noise.figure_db`.
 *
 * `subcarrier_spacing_khz` is the one subcarrier spacing: OFDM symbol time (air-time, energy), digital
 * rate, noise bandwidth and the TDL channel's frequency grid all use it.
 *
 * Channel models: `channel.tdl: { profile: A…E, delay_spread_ns }` (3GPP TR 38.901 TDL) and
 * `channel.mobility: { speed_kmh, carrier_ghz } | { max_doppler_hz }` (Clarke/Jakes time variation
 * within and between rounds; `round_interval_s` between upload starts, default 1). See docs/channel.md.
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
    /** 3GPP TR 38.901 TDL profile (exclusive with multipath and iid_subcarriers) */
    tdl: z
      .strictObject({ profile: z.enum(['A', 'B', 'C', 'D', 'E']), delay_spread_ns: nonNeg.default(100) })
      .optional(),
    /** Clarke/Jakes mobility: speed and carrier (f_D = v·f_c/c) or the maximum Doppler directly */
    mobility: z
      .strictObject({
        speed_kmh: nonNeg.optional(),
        carrier_ghz: positive.optional(),
        max_doppler_hz: nonNeg.optional(),
        round_interval_s: nonNeg.optional(),
      })
      .optional(),
  })
  .prefault({});

export const phy = z
  .strictObject({
    devices: posInt.default(10),
    antennas: z.strictObject({ device: posInt.default(2), server: oneOrList(posInt, 'an integer ≥ 1').default([8]) }).prefault({}),
    streams: posInt.default(2),
    subcarriers: posInt.default(64),
    /** the one subcarrier spacing Δf in kHz (air-time, digital rate, noise, TDL grid) */
    subcarrier_spacing_khz: positive.default(15),
    /** real entries per device update (D); default max(16·M·S, 8192), large enough that the per-trial NMSE ratio is unbiased to 0.01 dB */
    payload: posInt.optional(),
    snr_db: oneOrList(finite, 'a number of dB').optional(),
    power: z
      .strictObject({
        mode: z.enum(['subcarrier', 'symbol']).default('symbol'),
        dbm: oneOrList(finite, 'a number of dBm').optional(),
      })
      .prefault({}),
    /** `subcarrier_spacing_hz` is kept only to name its replacement (phy.subcarrier_spacing_khz) */
    noise: z.strictObject({ figure_db: nonNeg.default(7), subcarrier_spacing_hz: z.unknown().optional() }).prefault({}),
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
    if (p.noise.subcarrier_spacing_hz !== undefined) {
      issue(['noise', 'subcarrier_spacing_hz'], `absent: the one subcarrier spacing is phy.subcarrier_spacing_khz (e.g. ${Number(p.noise.subcarrier_spacing_hz) / 1000 || 15})`, p.noise.subcarrier_spacing_hz);
    }
    const ch = p.channel;
    if (ch.tdl && ch.multipath) issue(['channel', 'tdl'], 'absent together with phy.channel.multipath (choose one frequency model)', ch.tdl);
    if (ch.tdl && ch.iid_subcarriers) issue(['channel', 'iid_subcarriers'], 'false or absent together with phy.channel.tdl', true);
    const mob = ch.mobility;
    if (mob) {
      const speed = mob.speed_kmh !== undefined || mob.carrier_ghz !== undefined;
      if (speed && mob.max_doppler_hz !== undefined) issue(['channel', 'mobility', 'max_doppler_hz'], 'absent when speed_kmh and carrier_ghz are given (one of { speed_kmh, carrier_ghz } or { max_doppler_hz })', mob.max_doppler_hz);
      else if (speed && (mob.speed_kmh === undefined || mob.carrier_ghz === undefined)) {
        const miss = mob.speed_kmh === undefined ? 'speed_kmh' : 'carrier_ghz';
        issue(['channel', 'mobility', miss], `a number (speed_kmh and carrier_ghz go together: f_D = v·f_c/c)`);
      } else if (!speed && mob.max_doppler_hz === undefined) issue(['channel', 'mobility'], '{ speed_kmh, carrier_ghz } or { max_doppler_hz }', mob);
      if (ch.iid_subcarriers) issue(['channel', 'mobility'], 'absent with phy.channel.iid_subcarriers: true (no delay line to make time-varying; use tdl or multipath)', mob);
      if (ch.temporal_rho !== undefined) issue(['channel', 'temporal_rho'], 'absent together with phy.channel.mobility (Gauss–Markov is the alternative time model; choose one)', ch.temporal_rho);
    }
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
