/**
 * `airlora inspect [FILE] [--preset NAME] [--json]`: total and trainable (LoRA) parameter counts per
 * module, from shapes alone (no weights are allocated).
 *
 * FILE is a scenario (its `model` and `lora` sections), a checkpoint folder, or a checkpoint's
 * config.json. `--preset` names a model preset instead. LoRA flags override the scenario's `lora`
 * section (or the defaults r = 8, α = 16, query + value):
 *   airlora inspect --preset bert-base --target-modules query,key,value,pooler --json
 * reports 454,656 LoRA parameters (0.42% of bert-base-cased).
 */
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserInputError } from '../../errors.js';
import { preset, type ModelConfig } from '../../models/config.js';
import { DEFAULT_CHECKPOINT_DIR, readCheckpointConfig } from '../../models/checkpoint.js';
import { isHfModelFolder, readHfConfig } from '../../models/hf/load.js';
import { DEFAULT_LORA, type LoraConfig } from '../../lora/config.js';
import { inventory, type Inventory } from '../../lora/inventory.js';
import { loadScenario } from '../../scenario/load.js';

export interface InspectOptions {
  preset?: string;
  json?: boolean;
  modules?: boolean;
  loraR?: string;
  loraAlpha?: string;
  targetModules?: string;
  freezeA?: boolean;
}

interface Resolved { model: ModelConfig; lora: LoraConfig; source: string }

function checkpointDir(file: string): string | undefined {
  if (existsSync(file) && statSync(file).isDirectory()) return file;
  if (basename(file) === 'config.json') {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { format?: string };
    if (raw.format === 'airlora-checkpoint') return join(file, '..');
  }
  return undefined;
}

function resolve(file: string | undefined, o: InspectOptions): Resolved {
  let model: ModelConfig;
  let lora: LoraConfig = { ...DEFAULT_LORA };
  let source: string;
  if (o.preset) {
    if (file) throw new UserInputError('inspect: give either FILE or --preset, not both', '--preset');
    model = preset(o.preset);
    source = `preset ${o.preset}`;
  } else if (!file) {
    throw new UserInputError('inspect: give a FILE (scenario, checkpoint folder or its config.json) or --preset NAME', 'FILE');
  } else {
    const dir = checkpointDir(file);
    if (dir) {
      // A Hugging Face folder is sized from its config.json alone.
      model = isHfModelFolder(dir) ? readHfConfig(dir).config : readCheckpointConfig(dir).model;
      source = `checkpoint ${dir}`;
    } else {
      const sc = loadScenario(file) as unknown as {
        model?: { checkpoint?: string; preset?: string; overrides?: Partial<ModelConfig> };
        lora?: LoraConfig;
        split?: { lora?: Partial<LoraConfig> };
      };
      const m = sc.model;
      if (m?.checkpoint) {
        const d = m.checkpoint === 'default' ? DEFAULT_CHECKPOINT_DIR : m.checkpoint;
        model = isHfModelFolder(d) ? readHfConfig(d).config : readCheckpointConfig(d).model;
      } else if (m?.preset) {
        model = preset(m.preset, m.overrides ?? {});
      } else {
        throw new UserInputError(`${file}: the scenario has no model section (model.checkpoint or model.preset)`, 'model');
      }
      // A split scenario's adapters are split.lora's (its section's defaults already applied), not lora:'s.
      if (sc.split) lora = { ...lora, ...sc.split.lora };
      else if (sc.lora) lora = { ...lora, ...sc.lora };
      source = `scenario ${file}`;
    }
  }
  if (o.loraR !== undefined) lora.r = Number(o.loraR);
  if (o.loraAlpha !== undefined) lora.lora_alpha = Number(o.loraAlpha);
  if (o.targetModules !== undefined) lora.target_modules = o.targetModules.split(',').map((s) => s.trim()).filter(Boolean);
  if (o.freezeA) lora.train_A = false;
  return { model, lora, source };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

export function inspectReport(file: string | undefined, o: InspectOptions): Inventory & { source: string } {
  const r = resolve(file, o);
  return { source: r.source, ...inventory(r.model, r.lora) };
}

export function register(program: Command): void {
  program
    .command('inspect')
    .argument('[FILE]', 'scenario file, checkpoint folder, or checkpoint config.json')
    .description('parameter counts (total and LoRA-trainable) per module, computed from shapes')
    .option('--preset <name>', 'a model preset instead of FILE (e.g. bert-base, gpt-small)')
    .option('--lora-r <n>', 'LoRA rank r')
    .option('--lora-alpha <x>', 'LoRA alpha')
    .option('--target-modules <list>', 'comma-separated LoRA targets, e.g. query,key,value,pooler')
    .option('--freeze-a', 'freeze A (train and count B only)')
    .option('--modules', 'list every module, not only the groups (text output)')
    .option('--json', 'print JSON')
    .action((file: string | undefined, o: InspectOptions) => {
      const rep = inspectReport(file, o);
      if (o.json) {
        process.stdout.write(JSON.stringify(rep, null, 2) + '\n');
        return;
      }
      const t = rep.totals;
      const lines = [
        `${rep.source}: ${rep.model.arch}, ${rep.model.layers} layers, hidden ${rep.model.hidden}, ${rep.model.heads} heads, vocab ${rep.model.vocabSize}`,
        `LoRA: r = ${rep.lora.r}, alpha = ${rep.lora.lora_alpha}, targets ${rep.lora.target_modules.join(', ')}${rep.lora.train_A === false ? ' (A frozen)' : ''}`,
        '',
        `${'module'.padEnd(48)} ${'base'.padStart(12)} ${'lora'.padStart(10)} ${'trainable'.padStart(10)}`,
      ];
      const rows = o.modules ? rep.modules.map((m) => ({ ...m, group: m.module })) : rep.groups;
      for (const g of rows) lines.push(`${g.group.padEnd(48)} ${fmt(g.base).padStart(12)} ${fmt(g.lora).padStart(10)} ${fmt(g.trainable).padStart(10)}`);
      lines.push(
        '',
        `base parameters: ${fmt(t.base)}${t.base !== t.baseWithoutHead ? ` (${fmt(t.baseWithoutHead)} without the classification head)` : ''}`,
        `LoRA parameters: ${fmt(t.lora)} in ${t.adaptedModules} modules = ${t.loraPercent.toFixed(3)}% of ${fmt(t.baseWithoutHead)}`,
        `trainable: ${fmt(t.trainable)}`,
      );
      process.stdout.write(lines.join('\n') + '\n');
    });
}
