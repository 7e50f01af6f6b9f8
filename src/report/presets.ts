/**
 * Named figures: the figure set of the two source papers as presets over the producers' tidy CSV
 * columns. A scenario names them in its `figures:` section; fields given there override these.
 *
 * PHY Monte-Carlo (phy-trials.csv, one row per scheme × server antennas × point × trial; `airlora phy`):
 * nmse against snr_db / server_antennas / power_dbm; the exact 'ideal' scheme (NMSE ≈ 1e-32) is left out.
 * Federated training (metrics.csv of `airlora run`, one row per round): train_loss, perplexity. One run
 * has one aggregator, so ideal / over-the-air / digital side by side is a sweep over `aggregation`
 * with `columns: { aggregation: scheme }` (an object grid value becomes its label/name/scheme/kind).
 * Beamformer design (design.csv): objective against iteration.
 * Split learning (metrics.csv, one row per task × trial × scheduler × round; delay.csv for the
 * channel-only long run): train_loss, test_accuracy, queue_s, avg_delay_s; budget_s for the budget sweep.
 */
import type { FigureObject } from '../scenario/sections/figures.js';

/**
 * A preset: a figure object plus report-only fields a scenario cannot set directly (it names the
 * preset): `deltaTo` (paired difference to a baseline series), `companion` (the Δ preset drawn
 * alongside when the data allows), `xOffset`.
 */
export type PresetObject = FigureObject & { deltaTo?: string; companion?: string; xOffset?: number };

const DELTA_NOTE = 'Paired difference to ideal aggregation on the same trial, round and channel draws (the draws are paired by construction), with its 95% CI; zero line = ideal.';

export const PRESETS: Record<string, PresetObject> = {
  // PHY
  nmse_vs_snr: { data: 'phy-trials.csv', exclude: { scheme: 'ideal' }, facet: 'server_antennas', x: 'snr_db', y: 'nmse', series: 'scheme', yScale: 'db', title: 'Aggregation NMSE vs SNR', caption: 'Mean squared error of the over-the-air aggregate, normalised by the signal power, against the per-device SNR, per aggregation scheme.' },
  nmse_vs_antennas: { data: 'phy-trials.csv', exclude: { scheme: 'ideal' }, facet: 'point', x: 'server_antennas', y: 'nmse', series: 'scheme', yScale: 'db', xScale: 'log', title: 'Aggregation NMSE vs server antennas', caption: 'Aggregation NMSE against the number of server antennas: more receive antennas give the beamformer more room to align the devices.' },
  nmse_vs_power: { data: 'phy-trials.csv', exclude: { scheme: 'ideal' }, facet: 'server_antennas', x: 'power_dbm', y: 'nmse', series: 'scheme', yScale: 'db', title: 'Aggregation NMSE vs transmit power', caption: 'Aggregation NMSE against the device transmit power (path-loss scenarios).' },
  nmse_vs_symbol: { data: 'phy-symbols.csv', exclude: { scheme: 'ideal' }, facet: 'point', x: 'symbol', y: 'nmse_mean', ciLow: 'nmse_ci_low', ciHigh: 'nmse_ci_high', series: 'scheme', yScale: 'db', title: 'Aggregation NMSE vs OFDM symbol', caption: 'Channel ageing: NMSE of each OFDM symbol of the upload against its index (the transceivers are designed on the channel at symbol 0; mobile channels drift away from it), mean over trials with 95% CIs.' },
  nmse_vs_devices: { data: 'phy-trials.csv', exclude: { scheme: 'ideal' }, x: 'devices', y: 'nmse', series: 'scheme', yScale: 'db', title: 'Aggregation NMSE vs devices', caption: 'Aggregation NMSE against the number of participating devices (the weakest device limits channel-inversion schemes).' },
  // federated training
  loss_vs_round: { companion: 'delta_loss_vs_round', x: 'round', y: 'train_loss', series: 'scheme', title: 'Training loss vs round', caption: 'Training loss per federated round for ideal, over-the-air and digital aggregation on the same channel and client draws.' },
  perplexity_vs_round: { companion: 'delta_perplexity_vs_round', x: 'round', y: 'perplexity', series: 'scheme', yScale: 'log', title: 'Perplexity vs round', caption: 'Test perplexity per round (log scale) for each aggregation scheme.' },
  final_perplexity_vs_snr: { companion: 'delta_final_perplexity_vs_snr', x: 'snr_db', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', title: 'Final perplexity vs SNR', caption: 'Perplexity after the last round against the SNR: how much channel noise the fine-tuning tolerates.' },
  final_perplexity_vs_antennas: { companion: 'delta_final_perplexity_vs_antennas', x: 'server_antennas', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xScale: 'log', title: 'Final perplexity vs antennas', caption: 'Perplexity after the last round against the number of server antennas.' },
  final_perplexity_vs_devices: { companion: 'delta_final_perplexity_vs_devices', x: 'devices', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', title: 'Final perplexity vs devices', caption: 'Perplexity after the last round against the number of devices.' },
  final_perplexity_vs_rank: { companion: 'delta_final_perplexity_vs_rank', x: 'rank', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xScale: 'log', title: 'Final perplexity vs LoRA rank', caption: 'Perplexity after the last round against the LoRA rank (fewer parameters to send, less capacity).' },
  // paired differences to ideal (drawn alongside the absolute figures above when the run has ideal)
  delta_loss_vs_round: { deltaTo: 'ideal', x: 'round', y: 'train_loss', series: 'scheme', title: 'Training loss: difference to ideal', caption: `Training loss minus that of ideal aggregation, per round. ${DELTA_NOTE}` },
  delta_perplexity_vs_round: { deltaTo: 'ideal', x: 'round', y: 'perplexity', series: 'scheme', title: 'Perplexity: difference to ideal', caption: `Test perplexity minus that of ideal aggregation, per round. ${DELTA_NOTE}` },
  delta_final_perplexity_vs_snr: { deltaTo: 'ideal', x: 'snr_db', y: 'perplexity', series: 'scheme', final: 'round', yTitle: 'Δ final perplexity', title: 'Final perplexity vs SNR: difference to ideal', caption: `Final perplexity minus ideal's against the SNR. ${DELTA_NOTE}` },
  delta_final_perplexity_vs_antennas: { deltaTo: 'ideal', x: 'server_antennas', y: 'perplexity', series: 'scheme', final: 'round', xScale: 'log', yTitle: 'Δ final perplexity', title: 'Final perplexity vs antennas: difference to ideal', caption: `Final perplexity minus ideal's against the server antennas. ${DELTA_NOTE}` },
  delta_final_perplexity_vs_devices: { deltaTo: 'ideal', x: 'devices', y: 'perplexity', series: 'scheme', final: 'round', yTitle: 'Δ final perplexity', title: 'Final perplexity vs devices: difference to ideal', caption: `Final perplexity minus ideal's against the number of devices. ${DELTA_NOTE}` },
  delta_final_perplexity_vs_rank: { deltaTo: 'ideal', x: 'rank', y: 'perplexity', series: 'scheme', final: 'round', xScale: 'log', yTitle: 'Δ final perplexity', title: 'Final perplexity vs rank: difference to ideal', caption: `Final perplexity minus ideal's against the LoRA rank. ${DELTA_NOTE}` },
  // AirFL-LoRA bound check (check.csv, long format: one row per scheme × rank × curve)
  bound_check_vs_rank: { data: 'check.csv', facet: 'scheme', x: 'rank', y: 'gap', series: 'curve', xScale: 'log', title: 'Optimality-gap bound and measured gap vs LoRA rank', caption: 'For each trained rank and scheme: the optimality-gap bound (constants measured on a short ideal run at a reference rank off the grid; the scheme\'s own designed MSE and alignment gain) and the measured gap, final eval loss − F* (docs/airfl.md).' },
  // beamformer design
  objective_vs_iteration: { data: 'design.csv', x: 'iteration', y: 'objective', series: 'method', title: 'Beamformer design objective vs iteration', caption: 'Objective of the beamformer design against its iteration count (convergence of the optimiser).' },
  // split learning
  split_loss_vs_round: { facet: 'task', x: 'round', y: 'train_loss', series: 'scheduler', title: 'Split learning: training loss vs round', caption: 'Split federated LoRA: training loss per round for each device scheduler.' },
  split_accuracy_vs_round: { facet: 'task', x: 'round', y: 'test_accuracy', series: 'scheduler', title: 'Split learning: test accuracy vs round', caption: 'Split federated LoRA: test accuracy per round for each device scheduler.' },
  accuracy_vs_delay_budget: { facet: 'task', x: 'budget_s', y: 'test_accuracy', series: 'scheduler', final: 'round', title: 'Accuracy vs delay budget', caption: 'Final test accuracy against the per-round delay budget, per scheduler.' },
  queue_vs_round: { data: 'delay.csv', facet: 'task', x: 'round', y: 'queue_s', series: 'scheduler', title: 'Virtual queue vs round', caption: 'Lyapunov virtual queue (accumulated delay-budget violation) per round, per scheduler.' },
  delay_vs_round: { data: 'delay.csv', facet: 'task', x: 'round', y: 'avg_delay_s', series: 'scheduler', title: 'Average delay vs round', caption: 'Running average of the per-round delay, per scheduler, against the budget.' },
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}
