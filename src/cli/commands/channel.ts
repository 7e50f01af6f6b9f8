/**
 * `airlora channel FILE [--draws N] [--json]`: what the scenario's channel is (taps, K-factor, maximum
 * Doppler) and what its realisations measure (frequency correlation, time autocorrelation within a
 * round), so a user can check it against the closed forms (docs/channel.md).
 */
import type { Command } from 'commander';
import { measureChannel, type ChannelReport } from '../../phy/channel/measure.js';
import { defaultSymbolLags } from '../../phy/channel/measure.js';
import { resolveScenario } from '../../scenario/load.js';
import { channelProbe } from '../../scenario/resolve/phy.js';
import { collectSet, parseIntFlag, scenarioWithSets } from './flags.js';

interface ChannelCliOptions {
  draws?: string;
  json?: boolean;
  set?: string[];
}

export function formatChannelReport(name: string, r: ChannelReport): string {
  const f = (x: number) => x.toPrecision(4);
  const lines = [`${name}: channel measured over ${r.draws} draws`];
  lines.push(`taps (${r.taps.length}):  delay [ns]   power   ${r.taps.some((t) => t.los) ? 'LOS' : ''}`);
  for (const t of r.taps) lines.push(`  ${(t.delay_s * 1e9).toFixed(2).padStart(10)}  ${f(t.power).padStart(9)}  ${t.los ? 'los' : ''}`);
  lines.push(`K-factor: ${r.k_factor_db === null ? 'none (NLOS)' : `${r.k_factor_db.toFixed(2)} dB`}`);
  lines.push(`max Doppler: ${f(r.max_doppler_hz)} Hz`);
  lines.push('frequency correlation |E[H(f)H*(f+Δf)]|/E|H|²:');
  for (const c of r.frequency_correlation) lines.push(`  Δf = ${(c.lag_hz / 1e3).toFixed(1)} kHz: ${f(c.value)}`);
  lines.push('time autocorrelation Re E[h(t)h*(t+τ)]/E|h|²:');
  for (const c of r.time_autocorrelation) lines.push(`  τ = ${(c.lag_s * 1e3).toFixed(4)} ms: ${f(c.value)}`);
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('channel')
    .description('Describe and measure the scenario\'s channel: taps, K-factor, Doppler, frequency and time correlation')
    .argument('<file>', 'scenario YAML file')
    .option('--draws <n>', 'independent channel draws to average over (default 200)')
    .option('--json', 'print JSON on stdout')
    .option('--set <path=value>', 'override a scenario key (YAML value; repeatable)', collectSet, [])
    .action((file: string, opts: ChannelCliOptions) => {
      const draws = parseIntFlag(opts.draws, '--draws', 1) ?? 200;
      const s = resolveScenario(scenarioWithSets(file, opts.set), file);
      const { channel, uploadSymbols } = channelProbe(s);
      const report = measureChannel(channel, { draws, seed: s.seed, symbolLags: defaultSymbolLags(uploadSymbols) });
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else process.stdout.write(formatChannelReport(s.name, report));
    });
}
