/**
 * What a channel configuration is, and what its realisations measure (`airlora channel`): the tap
 * profile, the LOS K-factor, the maximum Doppler, and over `draws` independent realisations (trial
 * index = draw) the frequency correlation |E[H(f)H*(f+Δf)]|/E|H|² and the time autocorrelation
 * Re E[H(t)H*(t+τ)]/E|H|² within a round, averaged over devices, antenna pairs and subcarriers.
 * The closed forms they estimate: |Σ_l p_l e^{−j2πΔfτ_l}| and, for NLOS taps, J₀(2π f_D τ).
 */
import { RandomStreams } from '../../random/streams.js';
import type { ChannelRealization } from '../types.js';
import { resolveChannelConfig, type ChannelConfig, type ResolvedChannelConfig } from './config.js';
import { generateChannel } from './generate.js';
import { JakesProcess } from './mobility.js';
import type { ChannelTap } from './tdl.js';

export interface ChannelReport {
  taps: { delay_s: number; power: number; los: boolean }[];
  k_factor_db: number | null;
  max_doppler_hz: number;
  frequency_correlation: { lag_hz: number; value: number }[];
  time_autocorrelation: { lag_s: number; value: number }[];
  draws: number;
}

/** The configuration's taps (delays in s, powers summing to 1); empty for i.i.d. subcarriers. */
export function channelTaps(c: ResolvedChannelConfig): ChannelTap[] {
  if (c.mode === 'iid') return [];
  return Array.from(c.pdp, (p, l) => ({ delayS: c.delays[l]!, power: p, los: l === c.losTap }));
}

/** Subcarrier lags 1, M/16, M/4, M/2 (distinct, < M); at least 3 when M ≥ 4. */
export function defaultSubcarrierLags(M: number): number[] {
  return [...new Set([1, Math.max(2, Math.round(M / 16)), Math.round(M / 4), Math.round(M / 2)])].filter((l) => l >= 1 && l < M);
}

/** OFDM-symbol lags within an upload of T symbols: 1, T/4, T/2, T − 1 (distinct; 1, 2, 3 when T < 4). */
export function defaultSymbolLags(T: number): number[] {
  if (T < 5) return [1, 2, 3];
  return [...new Set([1, Math.round(T / 4), Math.round(T / 2), T - 1])];
}

function freqCorr(ch: ChannelRealization, lag: number): { re: number; im: number; pow: number } {
  const { K, M, Nr, Nt } = ch;
  const sz = 2 * Nr * Nt, h = ch.H.data;
  let re = 0, im = 0, pow = 0;
  for (let k = 0; k < K; k++) {
    for (let m = 0; m + lag < M; m++) {
      const a = (k * M + m) * sz, b = (k * M + m + lag) * sz;
      for (let j = 0; j < sz; j += 2) {
        const ar = h[a + j]!, ai = h[a + j + 1]!, br = h[b + j]!, bi = h[b + j + 1]!;
        re += ar * br + ai * bi; // a · conj(b)
        im += ai * br - ar * bi;
        pow += 0.5 * (ar * ar + ai * ai + br * br + bi * bi);
      }
    }
  }
  return { re, im, pow };
}

export function measureChannel(
  cfg: ChannelConfig | ResolvedChannelConfig,
  opts: { draws: number; seed: number; subcarrierLags?: number[]; symbolLags: number[] },
): ChannelReport {
  const c = 'mode' in cfg ? cfg : resolveChannelConfig(cfg);
  const streams = new RandomStreams(opts.seed);
  const fl = opts.subcarrierLags ?? defaultSubcarrierLags(c.M);
  const fAcc = fl.map(() => ({ re: 0, im: 0, pow: 0 }));
  const tAcc = opts.symbolLags.map(() => ({ re: 0, pow: 0 }));
  for (let d = 0; d < opts.draws; d++) {
    const proc = c.mobility ? new JakesProcess(c, streams, d) : undefined;
    const ch = generateChannel(c, streams, { trial: d, round: 0 }, undefined, proc);
    fl.forEach((lag, i) => {
      const r = freqCorr(ch, lag);
      fAcc[i]!.re += r.re;
      fAcc[i]!.im += r.im;
      fAcc[i]!.pow += r.pow;
    });
    const h0 = ch.H.data;
    opts.symbolLags.forEach((lag, i) => {
      // a channel without evolution is constant within a round
      const ht = ch.evolution ? ch.evolution.at(lag * ch.evolution.symbolS).data : h0;
      let re = 0, pow = 0;
      for (let j = 0; j < h0.length; j += 2) {
        re += h0[j]! * ht[j]! + h0[j + 1]! * ht[j + 1]!;
        pow += 0.5 * (h0[j]! ** 2 + h0[j + 1]! ** 2 + ht[j]! ** 2 + ht[j + 1]! ** 2);
      }
      tAcc[i]!.re += re;
      tAcc[i]!.pow += pow;
    });
  }
  return {
    taps: channelTaps(c).map((t) => ({ delay_s: t.delayS, power: t.power, los: t.los })),
    k_factor_db: c.kFactorDb,
    max_doppler_hz: c.mobility?.maxDopplerHz ?? 0,
    frequency_correlation: fl.map((lag, i) => ({ lag_hz: lag * c.subcarrierSpacingHz, value: fAcc[i]!.pow > 0 ? Math.hypot(fAcc[i]!.re, fAcc[i]!.im) / fAcc[i]!.pow : 0 })),
    time_autocorrelation: opts.symbolLags.map((lag, i) => ({ lag_s: lag * c.symbolS, value: tAcc[i]!.pow > 0 ? tAcc[i]!.re / tAcc[i]!.pow : 0 })),
    draws: opts.draws,
  };
}
