/**
 * The radio of a federated run (what the over-the-air and digital aggregators need), resolved from a
 * scenario's `phy` section by the scenario layer. Plain data: no scenario types here.
 */
import type { ChannelConfig } from './channel/config.js';
import type { ReceivePath } from './aircomp/apply.js';
import type { PowerMode } from './aircomp/types.js';
import type { OfdmTiming } from './timing.js';

export interface RadioConfig {
  /** channel options for all N clients of the federation (K = N) */
  channel: ChannelConfig;
  /** streams S per subcarrier */
  S: number;
  /** per-device budget per subcarrier (DesignContext.P) */
  P: number;
  /** noise variance per subcarrier */
  sigma2: number;
  powerMode: PowerMode;
  receivePath: ReceivePath;
  timing: OfdmTiming;
  /** Monte-Carlo trial index used in channel stream names (0 for a single training run) */
  trial: number;
}
