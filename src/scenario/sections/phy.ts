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
    iid_subcarriers: z.boolean({ error: 'true or false' }).optional().describe('independent Rayleigh fading on every subcarrier (the broadband-analog-aggregation setting); false: one matrix per device on all subcarriers (block-flat). Default true, but false under mobility; exclusive with multipath and tdl'),
    multipath: z
      .strictObject({ taps: posInt.describe('number of taps L ≥ 1 of the delay line, one sample 1/(N·Δf) apart (N = fft_size); at most fft_size'), decay_db: nonNeg.optional().describe('exponential power-delay profile: power falls by this many dB per tap, p_l ∝ 10^(−decay_db·l/10) (exclusive with rms_delay_samples; neither: equal-power taps)'), rms_delay_samples: nonNeg.optional().describe('exponential power-delay profile p_l ∝ e^(−l/τ) with decay constant τ in samples of 1/(N·Δf) (exclusive with decay_db)') })
      .optional().describe('tapped-delay-line channel on the FFT grid, H[m] = Σ_l h_l·e^(−j2πlm/N), with an exponential power-delay profile (exclusive with tdl and iid_subcarriers)'),
    fft_size: posInt.optional().describe('FFT size N (a power of two ≥ phy.subcarriers; default phy.subcarriers): subcarrier m sits on FFT bin m; used only with multipath'),
    path_loss: z
      .strictObject({
        ref_loss_db: finite.default(30).describe('path loss at the 1 m reference distance, in dB'),
        exponent: z.number({ error: 'a number in [0, 10]' }).min(0, { error: 'a number in [0, 10]' }).max(10, { error: 'a number in [0, 10]' }).default(3.5).describe('path-loss exponent α in [0, 10]: the loss grows by 10·α dB per decade of distance'),
        d_min: positive.default(50).describe('inner radius of the ring devices are dropped in (uniformly over its area), in metres'),
        d_max: positive.default(200).describe('outer radius of the ring devices are dropped in, in metres (≥ d_min)'),
        shadowing_db: nonNeg.default(0).describe('standard deviation of log-normal shadowing in dB, drawn once per device per trial (0: none)'),
      })
      .optional().describe('large-scale fading: devices dropped in a ring d_min…d_max m around the server, gain β_k = 10^(−(ref_loss_db + 10·exponent·log10 d + X)/10), once per trial. With it, powers are physical: set phy.power.dbm (noise from −174 dBm/Hz), not phy.snr_db'),
    correlation: z.strictObject({ device: unit.default(0).describe('ρ_t in [0, 1]: exponential correlation between device (transmit) antennas, R_ij = ρ_t^|i−j| (0: uncorrelated)'), server: unit.default(0).describe('ρ_r in [0, 1]: exponential correlation between server (receive) antennas, R_ij = ρ_r^|i−j| (0: uncorrelated)') }).optional().describe('spatial antenna correlation, Kronecker model H = R_r^½·G·R_t^½ with exponential correlation matrices'),
    csi_error: nonNeg.default(0).describe('CSI error variance ε² ≥ 0: the designs see Ĥ = H + E. relative mode: E ~ CN(0, ε²·β_k) per entry, so ε² = E|e|²/E|h|² (error-to-channel power ratio, dimensionless; 0.1 = −10 dB); absolute mode: the error variance itself. 0: perfect CSI'),
    csi_error_mode: z.enum(['relative', 'absolute']).default('relative').describe('relative: csi_error is ε² relative to each device\'s large-scale gain β_k (E|e|²/E|h|²); absolute: csi_error is the variance of each entry of E, in channel power units'),
    /** Gauss–Markov round-to-round correlation (trainer runs; the PHY Monte-Carlo uses one round) */
    temporal_rho: unit.optional().describe('Gauss–Markov round-to-round channel correlation ρ in [0, 1]: G_t = ρ·G_(t−1) + √(1−ρ²)·W_t (training runs; the PHY Monte-Carlo uses one round). Absent: an independent draw every round; exclusive with mobility'),
    /** 3GPP TR 38.901 TDL profile (exclusive with multipath and iid_subcarriers) */
    tdl: z
      .strictObject({ profile: z.enum(['A', 'B', 'C', 'D', 'E']).describe('3GPP TR 38.901 TDL profile: A, B, C (non-line-of-sight) or D, E (line-of-sight, Rician first tap)'), delay_spread_ns: nonNeg.max(1e6, { error: 'a delay spread in ns, ≥ 0 and ≤ 1e6 (1 ms)' }).default(100).describe('RMS delay spread in nanoseconds that scales the profile\'s normalised tap delays (e.g. 30 short, 100 nominal, 300 long; ≤ 1 ms)') })
      .optional().describe('3GPP TR 38.901 tapped-delay-line channel with its exact tap delays on the Δf = phy.subcarrier_spacing_khz grid (exclusive with multipath and iid_subcarriers; docs/channel.md)'),
    /** Clarke/Jakes mobility: speed and carrier (f_D = v·f_c/c) or the maximum Doppler directly */
    mobility: z
      .strictObject({
        speed_kmh: nonNeg.optional().describe('device speed v in km/h (with carrier_ghz: f_D = v·f_c/c)'),
        carrier_ghz: positive.optional().describe('carrier frequency f_c in GHz (with speed_kmh)'),
        max_doppler_hz: nonNeg.optional().describe('maximum Doppler shift f_D in Hz, instead of speed_kmh and carrier_ghz'),
        round_interval_s: nonNeg.optional().describe('time between the starts of consecutive rounds\' uploads, in seconds (default 1)'),
      })
      .optional().describe('Clarke/Jakes time variation of every tap within an upload and between rounds: { speed_kmh, carrier_ghz } or { max_doppler_hz }; not with iid_subcarriers: true (without tdl or multipath the channel is block-flat); exclusive with temporal_rho'),
  })
  .prefault({}).describe('the channel model: frequency selectivity (iid_subcarriers, multipath or tdl), path loss, antenna correlation, CSI error, time variation (docs/channel.md)');

export const phy = z
  .strictObject({
    devices: posInt.default(10).describe('number of devices K in the PHY Monte-Carlo (a training run uses fl.clients instead)'),
    antennas: z.strictObject({ device: posInt.default(2).describe('transmit antennas N_t per device'), server: oneOrList(posInt, 'an integer ≥ 1').default([8]).describe('receive antennas N_r at the server, or a list (a PHY run compares them; a training run takes one value)') }).prefault({}).describe('antenna counts of the devices and the server'),
    streams: posInt.default(2).describe('data streams S per device (spatial multiplexing; ≤ phy.antennas.device for some schemes and ≤ every server antenna count); an aggregation entry may set its own'),
    subcarriers: posInt.default(64).describe('OFDM subcarriers M that carry the update'),
    /** the one subcarrier spacing Δf in kHz (air-time, digital rate, noise, TDL grid) */
    subcarrier_spacing_khz: positive.default(15).describe('the one subcarrier spacing Δf in kHz: OFDM symbol time (1 + cp)/Δf (air-time, energy), digital rate, noise bandwidth with path loss, TDL frequency grid'),
    /** real entries per device update (D); default max(16·M·S, 8192), large enough that the per-trial NMSE ratio is unbiased to 0.01 dB */
    payload: posInt.optional().describe('real entries D per device update in the PHY Monte-Carlo (and airlora channel); default max(16·M·S, 8192), enough that the per-trial NMSE ratio is unbiased to < 0.02 dB'),
    snr_db: oneOrList(finite, 'a number of dB').optional().describe('SNR P/σ² per subcarrier in dB (P = 1, unit-gain channel), or a list to sweep; only without channel.path_loss (default [0, 10, 20])'),
    power: z
      .strictObject({
        mode: z.enum(['subcarrier', 'symbol']).default('symbol').describe('power constraint: symbol: Σ_m ‖V_k,m‖² ≤ M·P over the OFDM symbol (the total shared freely across subcarriers); subcarrier: ‖V_k,m‖² ≤ P on every subcarrier'),
        dbm: oneOrList(finite, 'a number of dBm').optional().describe('each device\'s total transmit power over the M subcarriers in dBm (P = power/M per subcarrier), or a list to sweep; only with channel.path_loss (default 23)'),
      })
      .prefault({}).describe('devices\' transmit power: the constraint\'s form, and the power in dBm with path loss'),
    /** `subcarrier_spacing_hz` is kept only to name its replacement (phy.subcarrier_spacing_khz) */
    noise: z.strictObject({ figure_db: nonNeg.default(7).describe('receiver noise figure in dB (used with channel.path_loss)'), subcarrier_spacing_hz: z.unknown().optional().describe('removed: refused with its replacement, phy.subcarrier_spacing_khz') }).prefault({}).describe('receiver noise with path loss: σ² = −174 dBm/Hz + 10·log10(Δf) + figure_db per subcarrier (without path loss σ² comes from phy.snr_db)'),
    /** aggregation weights φ_k: equal (1/K) or a list (data sizes; normalised to sum 1) */
    weights: z.union([z.literal('equal'), z.array(nonNeg).min(1)], { error: "'equal' or a list of numbers ≥ 0" }).default('equal').describe('aggregation weights φ_k: equal (1/K each) or a list of K numbers ≥ 0 (e.g. data sizes), normalised to sum 1'),
    /** correlation ρ between devices' synthetic updates in the PHY Monte-Carlo */
    update_correlation: unit.default(0).describe('correlation ρ in [0, 1] between devices\' synthetic updates in the PHY Monte-Carlo: x_k = √ρ·c + √(1−ρ)·e_k (0: independent)'),
    /** 'effective' (fast, exact in distribution) or 'receive' (literal N_r-antenna signal) */
    receive_path: z.enum(['effective', 'receive']).default('effective').describe('effective: per-stream effective channel (fast, exact in distribution); receive: the literal N_r-antenna received signal y = Σ_k H_k·V_k·s_k + n'),
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
  .prefault({}).describe('the MIMO-OFDM uplink: devices, antennas, streams, subcarriers, SNR or transmit power, channel; read by PHY runs and over-the-air training (docs/channel.md)');

export type PhySection = z.output<typeof phy>;
