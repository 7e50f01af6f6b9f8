/**
 * Scenario → the radio of a training run (src/phy/radio.ts). A training run uses one value
 * of each PHY quantity; lists (an SNR sweep, several antenna counts) belong in a `sweep:` section.
 * The federation's clients are the PHY's devices: K = fl.clients (phy.devices is not used).
 */
import { UserInputError } from '../../errors.js';
import type { RadioConfig } from '../../phy/radio.js';
import { channelConfig, subcarrierSpacingHz, sweepPoints } from './phy.js';
import type { Scenario } from '../schema.js';

export function radioFromScenario(s: Scenario, streams?: number): RadioConfig {
  const p = s.phy;
  const fl = (s as { fl?: { clients: number } }).fl;
  if (!fl) throw new UserInputError('airfl: a training scenario needs an fl: section', 'fl');
  if (p.antennas.server.length !== 1) {
    throw new UserInputError(`phy.antennas.server: [${p.antennas.server.join(', ')}] is not allowed in a training run; expected one value (sweep over it with a sweep: section)`, 'phy.antennas.server');
  }
  const points = sweepPoints(s);
  if (points.length !== 1) {
    const field = p.channel.path_loss ? 'phy.power.dbm' : 'phy.snr_db';
    throw new UserInputError(`${field}: a list is not allowed in a training run; expected one value (sweep over it with a sweep: section)`, field);
  }
  const a = (s as { airfl?: { cp_fraction: number } }).airfl;
  const pt = points[0]!;
  return {
    channel: { ...channelConfig(s), K: fl.clients, Nr: p.antennas.server[0]!, Nt: p.antennas.device, M: p.subcarriers },
    S: streams ?? p.streams,
    P: pt.P,
    sigma2: pt.sigma2,
    powerMode: p.power.mode,
    receivePath: p.receive_path,
    timing: { subcarrierSpacingHz: subcarrierSpacingHz(s), cpFraction: a?.cp_fraction ?? 0.07 },
    trial: 0,
  };
}
