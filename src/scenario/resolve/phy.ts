/**
 * Scenario → PhyExperiment (plain configuration for src/phy/experiment/montecarlo.ts). The PHY never
 * imports the scenario layer; this file maps the YAML names onto the PHY's types.
 */
import { createScheme } from '../../phy/aircomp/index.js';
import type { ChannelConfig } from '../../phy/channel/config.js';
import { defaultPayload, type PhyExperiment, type PhySweepPoint } from '../../phy/experiment/montecarlo.js';
import { airCompSymbols } from '../../phy/timing.js';
import { dbmToWatts, noiseVarianceFromSnr, noiseVariancePhysical } from '../../phy/noise.js';
import type { Scenario } from '../schema.js';

export function channelConfig(s: Scenario): Omit<ChannelConfig, 'K' | 'Nr' | 'Nt' | 'M'> {
  const c = s.phy.channel;
  const out: Omit<ChannelConfig, 'K' | 'Nr' | 'Nt' | 'M'> = {
    csiError: c.csi_error,
    csiErrorMode: c.csi_error_mode,
  };
  out.subcarrierSpacingHz = subcarrierSpacingHz(s);
  const cp = (s as { airfl?: { cp_fraction: number } }).airfl?.cp_fraction;
  if (cp !== undefined) out.cpFraction = cp;
  if (c.tdl) out.tdl = { profile: c.tdl.profile, delaySpreadS: c.tdl.delay_spread_ns * 1e-9 };
  else if (c.multipath) out.multipath = { taps: c.multipath.taps, decayDb: c.multipath.decay_db, rmsDelaySamples: c.multipath.rms_delay_samples };
  // without a delay-line model: i.i.d. subcarriers by default, but a block-flat channel under mobility
  else out.iidSubcarriers = c.iid_subcarriers ?? !c.mobility;
  if (c.mobility) out.mobility = { maxDopplerHz: maxDopplerHz(c.mobility), roundIntervalS: c.mobility.round_interval_s };
  if (c.fft_size !== undefined) out.fftSize = c.fft_size;
  if (c.path_loss) {
    const p = c.path_loss;
    out.pathLoss = { refLossDb: p.ref_loss_db, exponent: p.exponent, dMin: p.d_min, dMax: p.d_max, shadowingDb: p.shadowing_db };
  }
  if (c.correlation) out.correlation = { device: c.correlation.device, server: c.correlation.server };
  if (c.temporal_rho !== undefined) out.temporal = { rho: c.temporal_rho };
  return out;
}

/** The one subcarrier spacing in Hz (phy.subcarrier_spacing_khz). */
export function subcarrierSpacingHz(s: Scenario): number {
  return s.phy.subcarrier_spacing_khz * 1e3;
}

/** f_D = v·f_c/c from speed and carrier, or max_doppler_hz as given. */
export function maxDopplerHz(m: { speed_kmh?: number | undefined; carrier_ghz?: number | undefined; max_doppler_hz?: number | undefined }): number {
  if (m.max_doppler_hz !== undefined) return m.max_doppler_hz;
  return ((m.speed_kmh ?? 0) / 3.6) * ((m.carrier_ghz ?? 0) * 1e9) / 299_792_458;
}

/** The sweep points: SNR values (no path loss) or transmit powers in dBm (with path loss). */
export function sweepPoints(s: Scenario): PhySweepPoint[] {
  const p = s.phy;
  if (p.channel.path_loss) {
    const sigma2 = noiseVariancePhysical(subcarrierSpacingHz(s), p.noise.figure_db);
    return (p.power.dbm ?? [23]).map((dbm) => ({
      label: `dbm=${dbm}`, snrDb: null, powerDbm: dbm, P: dbmToWatts(dbm) / p.subcarriers, sigma2,
    }));
  }
  return (p.snr_db ?? [0, 10, 20]).map((snr) => ({
    label: `snr=${snr}`, snrDb: snr, powerDbm: null, P: 1, sigma2: noiseVarianceFromSnr(snr, 1, 'phy.snr_db'),
  }));
}

export function phyWeights(s: Scenario): Float64Array {
  const K = s.phy.devices;
  const w = new Float64Array(K);
  if (s.phy.weights === 'equal') w.fill(1 / K);
  else {
    const tot = s.phy.weights.reduce((a, b) => a + b, 0);
    s.phy.weights.forEach((v, k) => (w[k] = v / tot));
  }
  return w;
}

export function phyExperiment(s: Scenario, over: { trials?: number; seed?: number } = {}): PhyExperiment {
  const p = s.phy;
  return {
    seed: over.seed ?? s.seed,
    trials: over.trials ?? s.trials,
    K: p.devices,
    Nt: p.antennas.device,
    serverAntennas: p.antennas.server,
    M: p.subcarriers,
    D: p.payload ?? defaultPayload(p.subcarriers, p.streams),
    channel: channelConfig(s),
    points: sweepPoints(s),
    powerMode: p.power.mode,
    phi: phyWeights(s),
    updateCorrelation: p.update_correlation,
    receivePath: p.receive_path,
    schemes: s.aggregation.map((e) => ({ label: e.label, S: e.streams ?? p.streams, scheme: createScheme(e.scheme, e.options) })),
  };
}

/**
 * The channel `airlora channel` measures: phy.devices devices, the first server antenna count, and
 * the OFDM symbols of one upload of the PHY payload (phy.payload or the Monte-Carlo default).
 */
export function channelProbe(s: Scenario): { channel: ChannelConfig; uploadSymbols: number } {
  const p = s.phy;
  const M = p.subcarriers;
  const D = p.payload ?? defaultPayload(M, p.streams);
  return {
    channel: { ...channelConfig(s), K: p.devices, Nr: p.antennas.server[0]!, Nt: p.antennas.device, M },
    uploadSymbols: airCompSymbols(D, M, p.streams),
  };
}
