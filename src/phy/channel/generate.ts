/**
 * Channel generator: one realisation per (trial, round), shared by every aggregation scheme.
 *
 * Per device k (state = taps for flat/multipath, one matrix per subcarrier for iid subcarriers):
 *   G   ~ CN(0, 1) entries, tap l scaled by sqrt(p_l)        stream ('channel', trial, round, 'device', k)
 *   S_k = sqrt(β_k) · C_r G C_tᵀ                              (Kronecker, see correlation.ts)
 *   S_k ← ρ S_k^{prev} + sqrt(1−ρ²) S_k                       (Gauss–Markov, when temporal and prev given)
 *   H   = DFT of the taps on bins 0..M−1 (or the state itself for iid subcarriers)
 *   Ĥ   = H + E, E ~ CN(0, ε²β_k) (relative) or CN(0, ε²) (absolute), i.i.d. over entries and
 *         subcarriers                                        stream ('csi', trial, round, 'device', k)
 * β_k and distances come from ('positions', trial, 'device', k) and are fixed within a trial.
 * Because β and the Kronecker factors are constant within a trial and the maps are linear,
 * Gauss–Markov on S is the same as Gauss–Markov on the unit-variance G.
 *
 * Entry variance: E|H_ij[m]|² = β_k for every subcarrier (Σ p_l = 1, unit-diagonal R).
 * With perfect CSI, `Hhat` is the same object as `H` (do not mutate either).
 */
import { batch, type CMatBatch } from '../../linalg/cmat.js';
import type { RandomStreams } from '../../random/streams.js';
import { UserInputError, assertFinite } from '../../errors.js';
import type { ChannelRealization } from '../types.js';
import { resolveChannelConfig, type ChannelConfig, type ResolvedChannelConfig } from './config.js';
import { drawLargeScale } from './largescale.js';
import { applyKronecker, exponentialCorrelationFactor } from './correlation.js';
import { tapsToFrequency } from './frequency.js';
import { generateDelayLine, type JakesProcess } from './mobility.js';

export interface ChannelWhere {
  trial: number;
  round: number;
}

export function generateChannel(
  cfg: ChannelConfig | ResolvedChannelConfig,
  streams: RandomStreams,
  where: ChannelWhere,
  prev?: ChannelRealization,
  process?: JakesProcess,
): ChannelRealization {
  const c = 'mode' in cfg ? cfg : resolveChannelConfig(cfg);
  if (c.mode === 'tdl' || c.mobility) {
    // exact tap delays and/or Clarke/Jakes time variation (mobility.ts)
    const r = generateDelayLine(c, streams, where, process);
    return { ...r, Hhat: withCsiError(c, r.H, r.beta, streams, where) };
  }
  const { K, Nr, Nt, M, mode, L, fftSize, pdp } = c;
  const E = Nr * Nt;
  const sz = 2 * E;
  const { beta, distance } = drawLargeScale(K, c.pathLoss, streams, where.trial);

  const nState = mode === 'iid' ? M : L; // matrices of state per device
  const state = batch(K * nState, Nr, Nt);
  const Cr = c.rhoServer > 0 ? exponentialCorrelationFactor(Nr, c.rhoServer) : undefined;
  const Ct = c.rhoDevice > 0 ? exponentialCorrelationFactor(Nt, c.rhoDevice) : undefined;
  const tmp = new Float64Array(sz);

  let prevState: Float64Array | undefined;
  const rho = c.temporalRho;
  if (rho !== undefined && prev) {
    checkPrev(c, prev, beta);
    prevState = mode === 'iid' ? prev.H.data : prev.taps!.data;
  }
  const innov = rho !== undefined && prevState ? Math.sqrt(Math.max(0, 1 - rho * rho)) : 1;

  for (let k = 0; k < K; k++) {
    const rng = streams.stream('channel', where.trial, where.round, 'device', k);
    const off = k * nState * sz;
    const block = state.data.subarray(off, off + nState * sz);
    rng.fillComplexNormal(block, 1);
    if (mode !== 'iid') {
      for (let l = 0; l < L; l++) {
        const a = Math.sqrt(pdp[l]!);
        if (a !== 1) for (let j = l * sz; j < (l + 1) * sz; j++) block[j] = block[j]! * a;
      }
    }
    applyKronecker(state.data, k * nState, nState, Nr, Nt, Cr, Ct, tmp);
    const g = Math.sqrt(beta[k]!) * innov;
    if (g !== 1) for (let j = 0; j < block.length; j++) block[j] = block[j]! * g;
    if (prevState) {
      for (let j = 0; j < block.length; j++) block[j] = block[j]! + rho! * prevState[off + j]!;
    }
  }

  let H: CMatBatch;
  let taps: CMatBatch | undefined;
  if (mode === 'iid') {
    H = state;
  } else {
    taps = state;
    H = batch(K * M, Nr, Nt);
    tapsToFrequency(taps, L, M, fftSize, H);
  }
  assertFinite(H.data, 'generateChannel: H');

  const out: ChannelRealization = { K, Nr, Nt, M, H, Hhat: withCsiError(c, H, beta, streams, where), beta, distance, L: Math.max(L, 1), fftSize };
  if (taps) out.taps = taps;
  return out;
}

/** Ĥ = H + E (see the file comment); H itself with perfect CSI. */
export function withCsiError(c: ResolvedChannelConfig, H: CMatBatch, beta: Float64Array, streams: RandomStreams, where: ChannelWhere): CMatBatch {
  const { K, M, Nr, Nt } = c;
  const sz = 2 * Nr * Nt;
  let Hhat = H;
  if (c.csiError > 0) {
    Hhat = batch(K * M, Nr, Nt);
    Hhat.data.set(H.data);
    const per = M * sz;
    const noise = new Float64Array(per);
    for (let k = 0; k < K; k++) {
      const rng = streams.stream('csi', where.trial, where.round, 'device', k);
      const v = c.csiErrorMode === 'relative' ? c.csiError * beta[k]! : c.csiError;
      rng.fillComplexNormal(noise, v);
      const o = k * per;
      for (let j = 0; j < per; j++) Hhat.data[o + j] = Hhat.data[o + j]! + noise[j]!;
    }
  }
  return Hhat;
}

function checkPrev(c: ResolvedChannelConfig, prev: ChannelRealization, beta: Float64Array): void {
  const same = prev.K === c.K && prev.Nr === c.Nr && prev.Nt === c.Nt && prev.M === c.M &&
    (c.mode === 'iid' ? prev.taps === undefined : prev.taps !== undefined && prev.L === c.L);
  if (!same) {
    throw new UserInputError(
      `generateChannel: prev realisation (K=${prev.K}, Nr=${prev.Nr}, Nt=${prev.Nt}, M=${prev.M}, L=${prev.L}) does not match the configuration (K=${c.K}, Nr=${c.Nr}, Nt=${c.Nt}, M=${c.M}, L=${c.L})`,
      'prev',
    );
  }
  for (let k = 0; k < c.K; k++) {
    if (prev.beta[k] !== beta[k]) {
      throw new UserInputError('generateChannel: prev realisation belongs to another trial (large-scale gains differ)', 'prev');
    }
  }
}
