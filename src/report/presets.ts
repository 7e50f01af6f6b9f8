/**
 * Named figures: the figure set of the two source papers as presets over the producers' tidy CSV
 * columns. A scenario names them in its `figures:` section; fields given there override these.
 *
 * PHY Monte-Carlo (phy-trials.csv, one row per scheme × server antennas × point × trial; `airlora phy`):
 * nmse against snr_db / server_antennas / power_dbm; the exact 'ideal' scheme (NMSE ≈ 1e-32) is left out.
 * Federated training (metrics.csv of `airlora run`, one row per round): train_loss, perplexity. One run
 * has one aggregator, so ideal / over-the-air / digital side by side is a sweep over `fl.aggregator`
 * with `columns: { fl.aggregator: scheme }` (an object grid value becomes its label/name/scheme/kind).
 * Beamformer design (design.csv): objective against iteration.
 * Split learning (metrics.csv, one row per task × trial × scheduler × round; delay.csv for the
 * channel-only long run): train_loss, test_accuracy, queue_s, avg_delay_s; budget_s for the budget sweep.
 */
import type { FigureObject } from '../scenario/sections/figures.js';

export const PRESETS: Record<string, FigureObject> = {
  // PHY
  nmse_vs_snr: { data: 'phy-trials.csv', exclude: { scheme: 'ideal' }, facet: 'server_antennas', x: 'snr_db', y: 'nmse', series: 'scheme', yScale: 'db', xTitle: 'SNR (dB)', yTitle: 'NMSE (dB)', title: 'Aggregation NMSE vs SNR', caption: 'Mean squared error of the over-the-air aggregate, normalised by the signal power, against the per-device SNR, per aggregation scheme.' },
  nmse_vs_antennas: { data: 'phy-trials.csv', exclude: { scheme: 'ideal' }, facet: 'point', x: 'server_antennas', y: 'nmse', series: 'scheme', yScale: 'db', xTitle: 'server antennas', yTitle: 'NMSE (dB)', title: 'Aggregation NMSE vs server antennas', caption: 'Aggregation NMSE against the number of server antennas: more receive antennas give the beamformer more room to align the devices.' },
  nmse_vs_power: { data: 'phy-trials.csv', exclude: { scheme: 'ideal' }, facet: 'server_antennas', x: 'power_dbm', y: 'nmse', series: 'scheme', yScale: 'db', xTitle: 'device transmit power (dBm)', yTitle: 'NMSE (dB)', title: 'Aggregation NMSE vs transmit power', caption: 'Aggregation NMSE against the device transmit power (path-loss scenarios).' },
  nmse_vs_devices: { data: 'phy-trials.csv', exclude: { scheme: 'ideal' }, x: 'devices', y: 'nmse', series: 'scheme', yScale: 'db', xTitle: 'devices', yTitle: 'NMSE (dB)', title: 'Aggregation NMSE vs devices', caption: 'Aggregation NMSE against the number of participating devices (the weakest device limits channel-inversion schemes).' },
  // federated training
  loss_vs_round: { x: 'round', y: 'train_loss', series: 'scheme', xTitle: 'round', yTitle: 'training loss', title: 'Training loss vs round', caption: 'Training loss per federated round for ideal, over-the-air and digital aggregation on the same channel and client draws.' },
  perplexity_vs_round: { x: 'round', y: 'perplexity', series: 'scheme', yScale: 'log', xTitle: 'round', yTitle: 'test perplexity', title: 'Perplexity vs round', caption: 'Test perplexity per round (log scale) for each aggregation scheme.' },
  final_perplexity_vs_snr: { x: 'snr_db', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xTitle: 'SNR (dB)', yTitle: 'final perplexity', title: 'Final perplexity vs SNR', caption: 'Perplexity after the last round against the SNR: how much channel noise the fine-tuning tolerates.' },
  final_perplexity_vs_antennas: { x: 'server_antennas', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xTitle: 'server antennas', yTitle: 'final perplexity', title: 'Final perplexity vs antennas', caption: 'Perplexity after the last round against the number of server antennas.' },
  final_perplexity_vs_devices: { x: 'devices', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xTitle: 'devices', yTitle: 'final perplexity', title: 'Final perplexity vs devices', caption: 'Perplexity after the last round against the number of devices.' },
  final_perplexity_vs_rank: { x: 'rank', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xScale: 'log', xTitle: 'LoRA rank', yTitle: 'final perplexity', title: 'Final perplexity vs LoRA rank', caption: 'Perplexity after the last round against the LoRA rank (fewer parameters to send, less capacity).' },
  // beamformer design
  objective_vs_iteration: { data: 'design.csv', x: 'iteration', y: 'objective', series: 'method', xTitle: 'iteration', yTitle: 'objective', title: 'Beamformer design objective vs iteration', caption: 'Objective of the beamformer design against its iteration count (convergence of the optimiser).' },
  // split learning
  split_loss_vs_round: { facet: 'task', x: 'round', y: 'train_loss', series: 'scheduler', xTitle: 'round', yTitle: 'training loss', title: 'Split learning: training loss vs round', caption: 'Split federated LoRA: training loss per round for each device scheduler.' },
  split_accuracy_vs_round: { facet: 'task', x: 'round', y: 'test_accuracy', series: 'scheduler', xTitle: 'round', yTitle: 'test accuracy', title: 'Split learning: test accuracy vs round', caption: 'Split federated LoRA: test accuracy per round for each device scheduler.' },
  accuracy_vs_delay_budget: { facet: 'task', x: 'budget_s', y: 'test_accuracy', series: 'scheduler', final: 'round', xTitle: 'delay budget (s)', yTitle: 'final test accuracy', title: 'Accuracy vs delay budget', caption: 'Final test accuracy against the per-round delay budget, per scheduler.' },
  queue_vs_round: { data: 'delay.csv', facet: 'task', x: 'round', y: 'queue_s', series: 'scheduler', xTitle: 'round', yTitle: 'virtual queue', title: 'Virtual queue vs round', caption: 'Lyapunov virtual queue (accumulated delay-budget violation) per round, per scheduler.' },
  delay_vs_round: { data: 'delay.csv', facet: 'task', x: 'round', y: 'avg_delay_s', series: 'scheduler', xTitle: 'round', yTitle: 'average delay (s)', title: 'Average delay vs round', caption: 'Running average of the per-round delay, per scheduler, against the budget.' },
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}
