/**
 * Start-up checks that need more than the scenario schema (the figure presets live in the report layer),
 * and warnings about sections a run of this kind ignores. `executeRun` and `airlora validate` both call
 * them, so whatever `run` would refuse, `validate` refuses too.
 */
import { UserInputError } from '../errors.js';
import { presetNames } from '../report/presets.js';
import { aggregatorCapabilities, aggregatorKinds } from '../fl/aggregators/index.js';
import type { RawScenario } from './runner.js';

/** Refuse figure entries naming a preset that does not exist (`run` would only fail at drawing time). */
export function checkFigures(s: RawScenario): void {
  const figs = s['figures'];
  if (!Array.isArray(figs)) return;
  const known = presetNames();
  figs.forEach((f, i) => {
    const name = typeof f === 'string' ? f : f && typeof f === 'object' ? (f as { preset?: unknown }).preset : undefined;
    if (typeof name === 'string' && !known.includes(name)) {
      throw new UserInputError(`figures[${i}]: '${name}' is not a figure preset; allowed: ${known.join(', ')} (or an object { name, kind: line, x, y, ... })`, `figures.${i}`);
    }
  });
}

/** Sections and keys a run of `kind` will not read (each a one-line warning). */
export function ignoredSections(s: RawScenario, kind: string): string[] {
  const has = (k: string) => s[k] !== undefined;
  const out: string[] = [];
  const training = kind === 'train' || kind === 'airfl';
  if (has('trials') && (training || kind === 'split')) {
    out.push(`trials: ignored by ${kind} runs (replicates of a training run are sweep.trials; split runs use split.trials)`);
  }
  if (kind === 'train' && has('phy')) {
    const agg = s['aggregation'];
    const first = Array.isArray(agg) ? agg[0] : undefined;
    const scheme = typeof first === 'string' ? first : (first as { scheme?: string } | undefined)?.scheme;
    const name = scheme ?? 'ideal';
    if (aggregatorKinds().includes(name) && !aggregatorCapabilities(name).radio) out.push(`phy: ignored: the aggregation (${name}) uses no radio (add an airfl: section, or an over-the-air scheme, to use it)`);
  }
  if ((kind === 'split' || kind === 'phy') && has('fl')) out.push(`fl: ignored by ${kind} runs`);
  if (kind === 'split') for (const k of ['phy', 'aggregation', 'lora', 'data', 'airfl']) if (has(k)) out.push(`${k}: ignored by split runs (split: has its own radio, tasks and LoRA settings)`);
  if (kind === 'phy') for (const k of ['data', 'lora', 'model', 'airfl']) if (has(k)) out.push(`${k}: ignored by PHY Monte-Carlo runs (add an fl: section to train)`);
  if (has('sweep')) out.push("sweep: 'airlora run' ignores it and runs the scenario once as written; 'airlora sweep FILE' runs the grid");
  return out;
}
