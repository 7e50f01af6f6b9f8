/**
 * `manifold` scheme: zero-forcing precoders with the receive subspace F optimised on the Grassmann
 * manifold (src/phy/beamforming/manifold.ts; with a per-subcarrier budget the same algorithm on M
 * independent problems, src/phy/beamforming/manifold-subcarrier.ts), warm-started from the `zf`
 * eigenspace, so it never ends worse than `zf` on the channel it designs for.
 *
 * Optional device selection (`dropDevices`): greedily silence the device whose removal lowers the
 * total MSE most, where a silenced device costs its whole contribution, φ_k²·S per symbol vector
 * (the server still targets Σ_k φ_k s_k; silencing is a bias, not a re-weighting). Selection is
 * evaluated with the fast eigenspace warm start; the manifold step then runs on the kept devices.
 */
import { NumericalError } from '../../errors.js';
import { optimiseBeamformer } from '../beamforming/manifold.js';
import { optimisePerSubcarrier, type SubcarrierOptions } from '../beamforming/manifold-subcarrier.js';
import type { ChannelRealization } from '../types.js';
import { checkContext } from './context.js';
import { dominantSubspace } from './subspace.js';
import type { AirCompScheme, DesignContext, TransceiverDesign, SchemeCapabilities } from './types.js';
import { zfGivenF } from './zf.js';

export interface ManifoldSchemeOptions extends SubcarrierOptions {
  dropDevices?: boolean;
  /** never silence more than this many devices (default K − 1) */
  maxDrop?: number;
}

export class ManifoldScheme implements AirCompScheme {
  readonly name: string;
  readonly capabilities: SchemeCapabilities = { maxStreams: 'device-antennas', exact: false, designable: true };
  /** objective (Σ over η-groups of max_k c_k) per iteration of the last design, for reports */
  lastHistory: number[] = [];

  constructor(private readonly opts: ManifoldSchemeOptions = {}, name = 'manifold') {
    this.name = name;
  }

  design(ch: ChannelRealization, ctx: DesignContext): TransceiverDesign {
    checkContext(ch, ctx);
    const full = this.designFor(ch, ctx, ctx.phi);
    if (!this.opts.dropDevices) return full;
    // Selection is scored with the zf warm start; keep it only if the optimised result is better.
    const phi = selectDevices(ch, ctx, this.opts.maxDrop ?? ch.K - 1);
    if (phi.every((v, k) => v === ctx.phi[k])) return full;
    const fullHistory = this.lastHistory;
    const reduced = this.designFor(ch, ctx, phi);
    if (total(reduced.analyticMse) < total(full.analyticMse)) return reduced;
    this.lastHistory = fullHistory;
    return full;
  }

  private designFor(ch: ChannelRealization, ctx: DesignContext, phi: Float64Array): TransceiverDesign {
    const sel: DesignContext = { ...ctx, phi };
    const F0 = dominantSubspace(ch, ctx.S);
    // per-subcarrier budget: M independent problems (the flat-buffer optimiser); per-symbol: one coupled problem
    const res = ctx.powerMode === 'subcarrier'
      ? optimisePerSubcarrier({ H: ch.Hhat, K: ch.K, M: ch.M, phi }, F0, this.opts)
      : optimiseBeamformer({ H: ch.Hhat, K: ch.K, M: ch.M, phi, groups: [Array.from({ length: ch.M }, (_, m) => m)] }, F0, this.opts);
    if (!Number.isFinite(res.objective)) throw new NumericalError('manifold: non-finite objective');
    this.lastHistory = res.history;
    const d = zfGivenF(ch, sel, res.F, this.name);
    // The analytic MSE must count silenced devices' missing contribution: re-evaluate with the true φ.
    if (phi !== ctx.phi) {
      for (let m = 0; m < ch.M; m++) {
        let miss = 0;
        for (let k = 0; k < ch.K; k++) if (phi[k] === 0) miss += ctx.phi[k]! ** 2 * ctx.S;
        d.analyticMse[m] += miss;
      }
    }
    let dropped = 0;
    for (let k = 0; k < ch.K; k++) if (phi[k] === 0 && ctx.phi[k] !== 0) dropped++;
    d.info = {
      ...d.info,
      iterations: res.iterations,
      objective_initial: res.initialObjective,
      objective: res.objective,
      gain_db: 10 * Math.log10(res.initialObjective / res.objective),
      dropped,
    };
    return d;
  }
}

function total(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

/** Greedy backward elimination on total MSE (zf with the eigenspace of the kept devices). */
function selectDevices(ch: ChannelRealization, ctx: DesignContext, maxDrop: number): Float64Array {
  const total = (phi: Float64Array) => {
    const d = zfGivenF(ch, { ...ctx, phi }, dominantSubspace(ch, ctx.S), 'select');
    let mse = 0;
    for (const v of d.analyticMse) mse += v;
    for (let k = 0; k < ch.K; k++) if (phi[k] === 0) mse += ch.M * ctx.phi[k]! ** 2 * ctx.S;
    return mse;
  };
  let phi = ctx.phi.slice();
  let best = total(phi);
  for (let drop = 0; drop < maxDrop; drop++) {
    let bestK = -1;
    let bestVal = best;
    for (let k = 0; k < ch.K; k++) {
      if (phi[k] === 0) continue;
      const trial = phi.slice();
      trial[k] = 0;
      if (trial.every((v) => v === 0)) continue;
      const v = total(trial);
      if (v < bestVal) {
        bestVal = v;
        bestK = k;
      }
    }
    if (bestK < 0) break;
    phi = phi.slice();
    phi[bestK] = 0;
    best = bestVal;
  }
  return phi;
}
