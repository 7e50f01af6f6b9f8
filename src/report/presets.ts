/**
 * Named figures: the figure set of the two source papers as presets over the producers' tidy CSV
 * columns. A scenario names them in its `figures:` section; fields given there override these.
 *
 * PHY Monte-Carlo (metrics.csv, one row per scheme × point × trial): nmse against snr_db / antennas.
 * Federated training (metrics.csv, one row per scheme × round [× trial]): train_loss, perplexity.
 * Beamformer design (design.csv): objective against iteration.
 * Split learning (metrics.csv, one row per scheduler × round): loss, accuracy, queue, delay.
 */
import type { FigureObject } from '../scenario/sections/figures.js';

export const PRESETS: Record<string, FigureObject> = {
  // PHY
  nmse_vs_snr: { x: 'snr_db', y: 'nmse', series: 'scheme', yScale: 'db', xTitle: 'SNR (dB)', yTitle: 'NMSE (dB)', title: 'Aggregation NMSE vs SNR' },
  nmse_vs_antennas: { x: 'antennas', y: 'nmse', series: 'scheme', yScale: 'db', xTitle: 'server antennas', yTitle: 'NMSE (dB)', title: 'Aggregation NMSE vs server antennas' },
  nmse_vs_devices: { x: 'devices', y: 'nmse', series: 'scheme', yScale: 'db', xTitle: 'devices', yTitle: 'NMSE (dB)', title: 'Aggregation NMSE vs devices' },
  // federated training
  loss_vs_round: { x: 'round', y: 'train_loss', series: 'scheme', xTitle: 'round', yTitle: 'training loss', title: 'Training loss vs round' },
  perplexity_vs_round: { x: 'round', y: 'perplexity', series: 'scheme', yScale: 'log', xTitle: 'round', yTitle: 'test perplexity', title: 'Perplexity vs round' },
  final_perplexity_vs_snr: { x: 'snr_db', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xTitle: 'SNR (dB)', yTitle: 'final perplexity', title: 'Final perplexity vs SNR' },
  final_perplexity_vs_antennas: { x: 'antennas', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xTitle: 'server antennas', yTitle: 'final perplexity', title: 'Final perplexity vs antennas' },
  final_perplexity_vs_devices: { x: 'devices', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xTitle: 'devices', yTitle: 'final perplexity', title: 'Final perplexity vs devices' },
  final_perplexity_vs_rank: { x: 'rank', y: 'perplexity', series: 'scheme', final: 'round', yScale: 'log', xScale: 'log', xTitle: 'LoRA rank', yTitle: 'final perplexity', title: 'Final perplexity vs LoRA rank' },
  // beamformer design
  objective_vs_iteration: { data: 'design.csv', x: 'iteration', y: 'objective', series: 'method', xTitle: 'iteration', yTitle: 'objective', title: 'Beamformer design objective vs iteration' },
  // split learning
  split_loss_vs_round: { x: 'round', y: 'train_loss', series: 'scheduler', xTitle: 'round', yTitle: 'training loss', title: 'Split learning: training loss vs round' },
  split_accuracy_vs_round: { x: 'round', y: 'test_accuracy', series: 'scheduler', xTitle: 'round', yTitle: 'test accuracy', title: 'Split learning: test accuracy vs round' },
  accuracy_vs_delay_budget: { x: 'delay_budget', y: 'test_accuracy', series: 'scheduler', final: 'round', xTitle: 'delay budget (s)', yTitle: 'final test accuracy', title: 'Accuracy vs delay budget' },
  queue_vs_round: { x: 'round', y: 'queue', series: 'scheduler', xTitle: 'round', yTitle: 'virtual queue', title: 'Virtual queue vs round' },
  delay_vs_round: { x: 'round', y: 'avg_delay', series: 'scheduler', xTitle: 'round', yTitle: 'average delay (s)', title: 'Average delay vs round' },
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}
