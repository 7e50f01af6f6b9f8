/**
 * The physical coupling between the LoRA rank and the transceivers (issue 10 §1): one device's upload
 * of D(r) real entries on M subcarriers × S streams needs T = ⌈D/(2·M·S)⌉ OFDM symbols of
 * T_sym = (1 + cp)/Δf seconds each (phy/timing.ts). Under a per-device energy budget E per round
 * (`airfl.design.energy_budget_j`) the device can radiate at most E/(T·T_sym) watts on average over
 * the round, so its power per OFDM symbol is
 *     P_sym(r) = min(P_peak, E/(T(r)·T_sym)),   P_peak = M·P  (P: the per-subcarrier budget),
 * i.e. a per-subcarrier budget P_eff(r) = P_sym(r)/M that falls as the rank grows once the energy
 * budget binds: the designed MSE grows with r. A latency budget caps T(r)·T_sym (`latency_budget_s`).
 * Units: P in the radio's power unit (W with path loss, 1 per subcarrier without), so E is in that unit
 * times seconds (J with path loss), the same unit as the trainer's `energy_j`.
 */
import { UserInputError } from '../errors.js';
import { airCompSymbols, ofdmSymbolSeconds, type OfdmTiming } from '../phy/timing.js';

export interface DesignBudgets {
  /** per-device transmit energy per round (J) */
  energyJ?: number | undefined;
  /** air-time per round (s) */
  latencyS?: number | undefined;
}

export interface LinkBudget {
  /** OFDM symbols T(r) */
  symbols: number;
  /** T(r)·T_sym */
  latencyS: number;
  /** per-subcarrier power budget the design may use: min(P, E/(M·T·T_sym)) */
  powerPerSubcarrier: number;
  /** the energy budget binds (power below the peak) */
  energyLimited: boolean;
  /** within the latency budget */
  feasible: boolean;
}

export function linkBudget(entries: number, M: number, S: number, P: number, timing: OfdmTiming, budgets: DesignBudgets): LinkBudget {
  if (!(Number.isInteger(entries) && entries >= 1)) {
    throw new UserInputError(`design: payload of ${entries} entries is not allowed; expected an integer ≥ 1`, 'airfl.design');
  }
  const symbols = airCompSymbols(entries, M, S);
  const tSym = ofdmSymbolSeconds(timing);
  const latencyS = symbols * tSym;
  let powerPerSubcarrier = P;
  let energyLimited = false;
  if (budgets.energyJ !== undefined) {
    if (!(budgets.energyJ > 0)) {
      throw new UserInputError(`airfl.design.energy_budget_j: ${budgets.energyJ} is not allowed; expected a number > 0`, 'airfl.design.energy_budget_j');
    }
    const cap = budgets.energyJ / (M * latencyS);
    if (cap < P) {
      powerPerSubcarrier = cap;
      energyLimited = true;
    }
  }
  const feasible = budgets.latencyS === undefined || latencyS <= budgets.latencyS * (1 + 1e-12);
  return { symbols, latencyS, powerPerSubcarrier, energyLimited, feasible };
}
